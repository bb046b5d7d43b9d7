"""initialize_with_zeros returns b = 0 (an int) instead of the float 0.0."""

ANSWERS = {
    'initialize_with_zeros': '''def initialize_with_zeros(dim):
    """Parameters of a logistic regression on dim features, all zero.

    Inputs:
    - dim: the number of features n_x (an int)

    Returns:
    - w: zeros of shape (dim, 1), floats
    - b: the Python float 0.0
    """
    w = np.zeros((dim, 1))
    b = 0
    return w, b
''',
}
FAILS = {'test_initialize_with_zeros': 'write 0.0, not 0'}
CODES = {'test_initialize_with_zeros': 'wrong_dtype'}
