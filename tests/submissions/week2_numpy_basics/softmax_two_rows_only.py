"""softmax reshapes the row sums to (2, 1), the shape of the notebook's example: right on the
visible check, an error on the hidden inputs of other shapes. The message names the call
with the shape and dtype of its argument (never its values)."""

ANSWERS = {
    "softmax": '''def softmax(x):
    x_exp = np.exp(x)
    x_sum = np.sum(x_exp, axis=1).reshape(2, 1)
    s = x_exp / x_sum
    return s
''',
}
FAILS = {
    "test_softmax": "Called as softmax(x: float64 array (1, 4)), softmax raised ValueError: "
                    "cannot reshape array of size 1 into shape (2,1)",
}
