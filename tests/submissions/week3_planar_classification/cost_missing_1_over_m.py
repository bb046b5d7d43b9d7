"""compute_cost sums the losses instead of averaging them (no 1/m)."""
ANSWERS = {"compute_cost": '''def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs)
    cost = float(np.squeeze(cost))
    return cost
'''}
FAILS = {"test_compute_cost": "times too large: the average over the m = 4 examples",
         "test_gradient_check": "disagree about the 1/m average"}
