"""model trains and predicts on the notebook's global train_set_x / train_set_y / test_set_x instead of its arguments."""

ANSWERS = {
    'model': '''def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
          print_cost=False):
    """Logistic regression from zero parameters: train, predict, report accuracies.

    Inputs:
    - X_train: (n_x, m_train); Y_train: (1, m_train)
    - X_test: (n_x, m_test); Y_test: (1, m_test)
    - num_iterations, learning_rate, print_cost: passed on to optimize

    Returns:
    - d: {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
          "learning_rate", "num_iterations"}
    """
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, train_set_x, train_set_y, num_iterations, learning_rate,
                                    print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, test_set_x)
    Y_prediction_train = predict(w, b, train_set_x)
    print(f"train accuracy: {100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100} %")
    print(f"test accuracy: {100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100} %")
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d
''',
}
FAILS = {'test_model': 'reads the global variable(s)'}
CODES = {'test_model': 'uses_globals'}
