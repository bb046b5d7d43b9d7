"""L2 averages the squares (the mean squared error) instead of summing them."""

ANSWERS = {
    "L2": '''def L2(yhat, y):
    """The L2 loss: the sum of the squared differences.

    Inputs:
    - yhat: a numpy array of shape (m,), the predictions
    - y: a numpy array of shape (m,), the true labels

    Returns:
    - loss: sum_i (y_i - yhat_i)^2, a single float
    """
    loss = np.mean((y - yhat) ** 2)
    return loss
''',
}
FAILS = {
    "test_L2": "np.mean instead of np.sum",
}
