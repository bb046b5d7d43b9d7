"""initialize_parameters_deep makes the biases with np.zeros(layer_dims[l]): shape (n,), not (n, 1).

A 1-D bias broadcasts along the wrong axis: W A + b adds b[j] to column j, not to row j.
"""
ANSWERS = {"initialize_parameters_deep": '''def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros(layer_dims[l])
    return parameters
'''}
FAILS = {"test_initialize_parameters_deep": "b1 has shape (4,); expected (4, 1)"}
