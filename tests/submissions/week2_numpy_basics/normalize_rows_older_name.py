"""The function is named normalizeRows, as in older copies of the course: the tests call
normalize_rows, which is not defined. The message names the older name and the course's."""

ANSWERS = {
    "normalize_rows": '''def normalizeRows(x):
    x_norm = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / x_norm
    return x
''',
}
FAILS = {
    "test_normalize_rows": "found normalizeRows: this course calls it normalize_rows",
}
CODES = {'test_normalize_rows': 'older_name'}
