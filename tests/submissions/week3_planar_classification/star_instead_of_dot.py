"""backward_propagation writes dW1 = (1/m) dZ1 * X.T: `*` where np.dot is needed.

The shapes do not broadcast, so the function raises; nn_model, which calls it, fails too.
"""
ANSWERS = {"backward_propagation": '''def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = 1 / m * np.dot(dZ2, A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = 1 / m * dZ1 * X.T
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads
'''}
FAILS = {"test_backward_propagation": "Products of matrices such as dZ2 A1^T and dZ1 X^T need np.dot",
         "test_gradient_check": "operands could not be broadcast together",
         "test_nn_model": "nn_model raised ValueError: operands could not be broadcast"}
