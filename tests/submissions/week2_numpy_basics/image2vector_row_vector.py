"""image2vector returns a row (1, a*b*c) instead of a column."""

ANSWERS = {
    "image2vector": '''def image2vector(image):
    """Unroll an image into a column vector, in C order.

    Inputs:
    - image: a numpy array of shape (a, b, c), e.g. (height, width, 3)

    Returns:
    - v: a numpy array of shape (a * b * c, 1) holding the elements of image in C order
    """
    v = image.reshape(1, -1)
    return v
''',
}
FAILS = {
    "test_image2vector": "It is transposed",
}
CODES = {'test_image2vector': 'transposed'}
