"""softmax sums over the columns (axis=0) instead of the rows."""

ANSWERS = {
    "softmax": '''def softmax(x):
    """The softmax of each row of x.

    Inputs:
    - x: a numpy array of shape (m, n): m rows of n scores

    Returns:
    - s: a numpy array of shape (m, n); row i is e^(x_i) / sum(e^(x_i)), positive, summing to 1
    """
    x_exp = np.exp(x)
    x_sum = np.sum(x_exp, axis=0, keepdims=True)
    s = x_exp / x_sum
    return s
''',
}
FAILS = {
    "test_softmax": "a softmax over the columns (axis=0) instead of the rows",
}
CODES = {'test_softmax': 'known_mistake'}
