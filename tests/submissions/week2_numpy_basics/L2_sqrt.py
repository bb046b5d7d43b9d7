"""L2 takes the square root (the Euclidean distance) instead of the squared distance."""

ANSWERS = {
    "L2": '''def L2(yhat, y):
    """The L2 loss: the sum of the squared differences.

    Inputs:
    - yhat: a numpy array of shape (m,), the predictions
    - y: a numpy array of shape (m,), the true labels

    Returns:
    - loss: sum_i (y_i - yhat_i)^2, a single float
    """
    loss = np.sqrt(np.sum((y - yhat) ** 2))
    return loss
''',
}
FAILS = {
    "test_L2": "taking the square root",
}
