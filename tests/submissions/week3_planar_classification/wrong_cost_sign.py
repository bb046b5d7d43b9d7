"""compute_cost forgets the minus sign: J comes out negative.

The gradient check finds the gradients pointing the opposite way to those of this cost.
"""
ANSWERS = {"compute_cost": '''def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = 1 / m * np.sum(logprobs)
    cost = float(np.squeeze(cost))
    return cost
'''}
FAILS = {"test_compute_cost": "has the wrong sign",
         "test_gradient_check": "the cost or the gradients have the wrong sign"}
