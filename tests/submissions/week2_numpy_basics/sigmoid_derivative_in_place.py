"""sigmoid_derivative overwrites its argument x with sigmoid(x) to save memory."""

ANSWERS = {
    "sigmoid_derivative": '''def sigmoid_derivative(x):
    """The derivative of the sigmoid at x, element by element.

    Inputs:
    - x: a numpy array of any shape

    Returns:
    - ds: sigmoid(x) * (1 - sigmoid(x)), a numpy array of the same shape as x
    """
    x[...] = sigmoid(x)
    ds = x * (1 - x)
    return ds
''',
}
FAILS = {
    "test_sigmoid_derivative": "changed its argument 'x' in place",
}
