"""predict uses A2 >= 0.5: a probability of exactly one half counts as class 1."""
ANSWERS = {"predict": '''def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    predictions = A2 >= 0.5
    return predictions
'''}
FAILS = {"test_predict": "the threshold is A2 > 0.5, not A2 >= 0.5"}
