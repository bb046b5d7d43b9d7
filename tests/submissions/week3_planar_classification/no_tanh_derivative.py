"""backward_propagation leaves the tanh derivative out: dZ1 = np.dot(W2.T, dZ2).

dW1 and db1 are wrong on every input; the check names the missing factor 1 - A1**2 with
the mistake code missing_tanh_derivative; the gradient check disagrees; nn_model, trained on these gradients, is wrong.
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
    dZ1 = np.dot(W2.T, dZ2)
    dW1 = 1 / m * np.dot(dZ1, X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads
'''}
FAILS = {"test_backward_propagation": "without the tanh derivative (1 - A1**2)",
         "test_gradient_check": "do not match the numerical gradient",
         "test_nn_model": None}
CODES = {"test_backward_propagation": "missing_tanh_derivative"}
