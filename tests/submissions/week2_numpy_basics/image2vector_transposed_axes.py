"""image2vector swaps height and width (np.swapaxes) before reshaping."""

ANSWERS = {
    "image2vector": '''def image2vector(image):
    """Unroll an image into a column vector, in C order.

    Inputs:
    - image: a numpy array of shape (a, b, c), e.g. (height, width, 3)

    Returns:
    - v: a numpy array of shape (a * b * c, 1) holding the elements of image in C order
    """
    v = np.swapaxes(image, 0, 1).reshape(-1, 1)
    return v
''',
}
FAILS = {
    "test_image2vector": "swapping the first two axes before reshaping",
}
