"""normalize_rows divides x in place (x /= ...), changing the caller's array."""

ANSWERS = {
    "normalize_rows": '''def normalize_rows(x):
    """Divide each row of x by its L2 norm.

    Inputs:
    - x: a numpy array of shape (m, n), with no all-zero row

    Returns:
    - x_normalized: a numpy array of shape (m, n) whose rows have norm 1 (x is unchanged)
    """
    x_norm = np.linalg.norm(x, axis=1, keepdims=True)
    x /= x_norm
    x_normalized = x
    return x_normalized
''',
}
FAILS = {
    "test_normalize_rows": "changed its argument 'x' in place",
}
CODES = {'test_normalize_rows': 'mutates_argument'}
