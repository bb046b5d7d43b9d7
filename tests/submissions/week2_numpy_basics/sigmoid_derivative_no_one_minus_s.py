"""sigmoid_derivative returns s = sigmoid(x), forgetting the factor (1 - s)."""

ANSWERS = {
    "sigmoid_derivative": '''def sigmoid_derivative(x):
    """The derivative of the sigmoid at x, element by element.

    Inputs:
    - x: a numpy array of any shape

    Returns:
    - ds: sigmoid(x) * (1 - sigmoid(x)), a numpy array of the same shape as x
    """
    s = sigmoid(x)
    ds = s
    return ds
''',
}
FAILS = {
    "test_sigmoid_derivative": "they match what forgetting the factor (1 - s) gives",
}
