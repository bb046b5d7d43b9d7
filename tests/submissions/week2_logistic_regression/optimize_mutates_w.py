"""optimize updates w in place (w -= ...) without copying it: the caller's w changes."""

ANSWERS = {
    'optimize': '''def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """Gradient descent on w and b, starting from copies of the given ones.

    Inputs:
    - w: initial weights, (n_x, 1); b: initial bias, a float
    - X: data, (n_x, m); Y: labels, (1, m)
    - num_iterations: the number of gradient steps
    - learning_rate: the step size alpha
    - print_cost: print the cost every 100 iterations

    Returns:
    - params: {"w": the learned weights (n_x, 1), "b": the learned bias}
    - grads: {"dw", "db"}: the gradients of the last iteration
    - costs: a list with the cost of iterations 0, 100, 200, ...
    """
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w -= learning_rate * dw
        b -= learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
''',
}
FAILS = {'test_optimize': "changed its argument 'w' in place"}
CODES = {'test_optimize': 'mutates_argument'}
