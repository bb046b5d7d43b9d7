"""compute_cost returns the (1, 1) array np.dot gives instead of a Python float.

nn_model then cannot print the cost with f"{cost:f}".
"""
ANSWERS = {"compute_cost": '''def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T))
    return cost
'''}
FAILS = {"test_compute_cost": "return a Python float",
         "test_nn_model": "nn_model raised TypeError"}
