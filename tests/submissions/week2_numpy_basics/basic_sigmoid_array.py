"""basic_sigmoid wraps its input in an array and returns a (1,) array where a float is expected."""

ANSWERS = {
    "basic_sigmoid": '''def basic_sigmoid(x):
    """The sigmoid of one number, computed with math.exp.

    Inputs:
    - x: a single number (int or float)

    Returns:
    - s: sigmoid(x) = 1 / (1 + e^(-x)), a Python float
    """
    x = np.array([x], dtype=float)
    s = 1 / (1 + np.exp(-x))
    return s
''',
}
FAILS = {
    "test_basic_sigmoid": "returned a numpy array of shape (1,); expected a Python float",
}
