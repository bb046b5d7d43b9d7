"""backward_propagation leaves out the 1/m of every gradient.

Training with gradients m times too large gives other parameters, so nn_model fails too.
"""
ANSWERS = {"backward_propagation": '''def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T)
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T)
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads
'''}
FAILS = {"test_backward_propagation": "is 3 times too large: the average over the m = 3",
         "test_gradient_check": "disagree about the 1/m average",
         "test_nn_model": "wrong values"}
