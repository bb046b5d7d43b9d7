"""L1 averages (np.mean) instead of summing."""

ANSWERS = {
    "L1": '''def L1(yhat, y):
    """The L1 loss: the sum of the absolute differences.

    Inputs:
    - yhat: a numpy array of shape (m,), the predictions
    - y: a numpy array of shape (m,), the true labels

    Returns:
    - loss: sum_i |y_i - yhat_i|, a single float
    """
    loss = np.mean(np.abs(y - yhat))
    return loss
''',
}
FAILS = {
    "test_L1": "np.mean instead of np.sum",
}
