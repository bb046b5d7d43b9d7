"""softmax gets a second parameter, def softmax(x, axis): the tests call softmax(x) as the
course does, and the call fails before any line of the function runs."""

ANSWERS = {
    "softmax": '''def softmax(x, axis):
    x_exp = np.exp(x)
    x_sum = np.sum(x_exp, axis=axis, keepdims=True)
    s = x_exp / x_sum
    return s
''',
}
FAILS = {
    "test_softmax": "softmax cannot be called as the course calls it: keep the def line as given",
}
CODES = {'test_softmax': 'signature'}
