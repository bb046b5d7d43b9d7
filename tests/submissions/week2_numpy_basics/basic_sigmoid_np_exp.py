"""basic_sigmoid uses np.exp: the value is right but it returns a numpy float64 where the
exercise asks for a Python float from math.exp."""

ANSWERS = {
    "basic_sigmoid": '''def basic_sigmoid(x):
    """The sigmoid of one number, computed with math.exp.

    Inputs:
    - x: a single number (int or float)

    Returns:
    - s: sigmoid(x) = 1 / (1 + e^(-x)), a Python float
    """
    s = 1 / (1 + np.exp(-x))
    return s
''',
}
FAILS = {
    "test_basic_sigmoid": "returned a numpy float64; expected a Python float",
}
