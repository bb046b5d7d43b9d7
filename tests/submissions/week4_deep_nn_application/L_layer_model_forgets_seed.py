"""L_layer_model never calls np.random.seed(1): its start depends on the caller's stream."""
ANSWERS = {"L_layer_model": '''def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                  print_cost=False):
    costs = []
    parameters = initialize_parameters_deep_scaled(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print(f"Cost after iteration {i}: {np.squeeze(cost)}")
    return parameters, costs
'''}
FAILS = {"test_L_layer_model": "call np.random.seed(1) first"}
