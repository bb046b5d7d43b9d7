"""sigmoid uses math.exp, which takes one number: it raises TypeError on an array (and so does
sigmoid_derivative, which calls it)."""

ANSWERS = {
    "sigmoid": '''def sigmoid(x):
    """The sigmoid, element by element.

    Inputs:
    - x: a numpy array of any shape (or a single number)

    Returns:
    - s: 1 / (1 + e^(-x)), a numpy array of the same shape as x
    """
    s = 1 / (1 + math.exp(-x))
    return s
''',
}
FAILS = {
    "test_sigmoid": "use np.exp, which works element by element",
    "test_sigmoid_derivative": "sigmoid_derivative raised TypeError",
}
