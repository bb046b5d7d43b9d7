"""compute_cost returns np.squeeze(cost), a 0-d array, where the course returns a Python
float. Its value is right and it prints alike (f"{cost:f}"), as the original course's tests
accepted: full marks, with a note that names the difference."""
ANSWERS = {"compute_cost": '''def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    return np.squeeze(np.asarray(cost))
'''}
FAILS = {}
