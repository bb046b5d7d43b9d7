"""propagate accumulates dw with one np.dot per example: right values, not vectorized.

Every value check passes (the loop computes the same sums); the hidden test counts the
lines propagate runs for m = 20 and m = 200 examples and fails the cell with
loops_over_examples.
"""

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
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = np.zeros(w.shape)
    db = 0.0
    for i in range(m):
        dz = A[:, i:i + 1] - Y[:, i:i + 1]
        dw = dw + np.dot(X[:, i:i + 1], dz.T)
        db = db + float(np.squeeze(dz))
    dw = dw / m
    db = db / m
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
''',
}
FAILS = {'test_propagate': 'works, but loops over the m examples in Python: vectorize with np.dot'}
CODES = {'test_propagate': 'loops_over_examples'}
