"""normalize_rows divides by the row norms without keepdims=True: shape (m,) does not broadcast
against (m, n)."""

ANSWERS = {
    "normalize_rows": '''def normalize_rows(x):
    """Divide each row of x by its L2 norm.

    Inputs:
    - x: a numpy array of shape (m, n), with no all-zero row

    Returns:
    - x_normalized: a numpy array of shape (m, n) whose rows have norm 1 (x is unchanged)
    """
    x_norm = np.linalg.norm(x, axis=1)
    x_normalized = x / x_norm
    return x_normalized
''',
}
FAILS = {
    "test_normalize_rows": "without keepdims=True it has shape (m,)",
}
