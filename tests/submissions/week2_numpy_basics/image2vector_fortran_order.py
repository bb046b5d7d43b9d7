"""image2vector reshapes in Fortran order: right shape, pixels in the wrong order."""

ANSWERS = {
    "image2vector": '''def image2vector(image):
    """Unroll an image into a column vector, in C order.

    Inputs:
    - image: a numpy array of shape (a, b, c), e.g. (height, width, 3)

    Returns:
    - v: a numpy array of shape (a * b * c, 1) holding the elements of image in C order
    """
    v = image.reshape(-1, 1, order="F")
    return v
''',
}
FAILS = {
    "test_image2vector": "Fortran order",
}
