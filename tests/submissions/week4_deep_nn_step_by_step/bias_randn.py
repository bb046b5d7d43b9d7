"""initialize_parameters draws the biases with np.random.randn as well as the weights."""
ANSWERS = {"initialize_parameters": '''def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.random.randn(n_h, 1) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.random.randn(n_y, 1) * 0.01
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters
'''}
FAILS = {"test_initialize_parameters": "b1 is not all zeros: the biases start at 0"}
