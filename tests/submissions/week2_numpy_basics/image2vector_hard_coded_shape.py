"""image2vector writes the shape of the visible example (2 * 3 * 2) instead of reading
image.shape: the visible check passes, the hidden tests do not."""

ANSWERS = {
    "image2vector": '''def image2vector(image):
    """Unroll an image into a column vector, in C order.

    Inputs:
    - image: a numpy array of shape (a, b, c), e.g. (height, width, 3)

    Returns:
    - v: a numpy array of shape (a * b * c, 1) holding the elements of image in C order
    """
    v = image.reshape(2 * 3 * 2, 1)
    return v
''',
}
FAILS = {
    "test_image2vector": "take a, b and c from image.shape",
}
