"""propagate drops the minus sign of the cross-entropy cost."""

ANSWERS = {
    'propagate': '''def propagate(w, b, X, Y):
    """Cost of the current parameters and its gradient (forward then backward pass).

    Inputs:
    - w: weights, (n_x, 1)
    - b: bias, a float
    - X: data, (n_x, m), one example per column
    - Y: labels 0 or 1, (1, m)

    Returns:
    - grads: {"dw": dJ/dw of shape (n_x, 1), "db": dJ/db, a float}
    - cost: the cross-entropy cost J, a single number (np.squeeze it)
    """
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = 1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
''',
}
FAILS = {'test_propagate': 'wrong sign', 'test_optimize': None, 'test_model': None}
CODES = {'test_propagate': 'wrong_sign'}
