"""predict rounds the probabilities, np.round(A2): exact floats 0./1. where the course returns
booleans (A2 > 0.5). The original course accepted them (np.round(0.5) is 0., as A2 > 0.5
says): full marks, with a note that names the difference."""
ANSWERS = {"predict": '''def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    predictions = np.round(A2)
    return predictions
'''}
FAILS = {}
