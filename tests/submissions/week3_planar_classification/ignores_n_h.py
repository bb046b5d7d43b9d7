"""nn_model takes n_h from layer_sizes (always 4) and ignores its own n_h argument."""
ANSWERS = {"nn_model": '''def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x, n_h, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters
'''}
FAILS = {"test_nn_model": "n_h = 3 is nn_model's argument (give it to initialize_parameters)"}
