"""softmax divides by the sum of the whole matrix instead of each row's sum."""

ANSWERS = {
    "softmax": '''def softmax(x):
    """The softmax of each row of x.

    Inputs:
    - x: a numpy array of shape (m, n): m rows of n scores

    Returns:
    - s: a numpy array of shape (m, n); row i is e^(x_i) / sum(e^(x_i)), positive, summing to 1
    """
    x_exp = np.exp(x)
    s = x_exp / np.sum(x_exp)
    return s
''',
}
FAILS = {
    "test_softmax": "dividing by the sum of the whole matrix",
}
