"""normalize_rows divides by the column norms (axis=0)."""

ANSWERS = {
    "normalize_rows": '''def normalize_rows(x):
    """Divide each row of x by its L2 norm.

    Inputs:
    - x: a numpy array of shape (m, n), with no all-zero row

    Returns:
    - x_normalized: a numpy array of shape (m, n) whose rows have norm 1 (x is unchanged)
    """
    x_norm = np.linalg.norm(x, axis=0, keepdims=True)
    x_normalized = x / x_norm
    return x_normalized
''',
}
FAILS = {
    "test_normalize_rows": "dividing by the column norms (axis=0)",
}
