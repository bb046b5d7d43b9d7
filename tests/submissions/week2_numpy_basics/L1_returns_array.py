"""L1 returns the absolute differences, an array, without summing them."""

ANSWERS = {
    "L1": '''def L1(yhat, y):
    """The L1 loss: the sum of the absolute differences.

    Inputs:
    - yhat: a numpy array of shape (m,), the predictions
    - y: a numpy array of shape (m,), the true labels

    Returns:
    - loss: sum_i |y_i - yhat_i|, a single float
    """
    loss = np.abs(y - yhat)
    return loss
''',
}
FAILS = {
    "test_L1": "expected a single number",
}
