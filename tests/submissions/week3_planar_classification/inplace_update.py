"""update_parameters changes the caller's arrays in place (parameters["W1"] -= ...).

nn_model does not mind (it owns its parameters), but the caller's dictionary changes.
"""
ANSWERS = {"update_parameters": '''def update_parameters(parameters, grads, learning_rate=1.2):
    parameters["W1"] -= learning_rate * grads["dW1"]
    parameters["b1"] -= learning_rate * grads["db1"]
    parameters["W2"] -= learning_rate * grads["dW2"]
    parameters["b2"] -= learning_rate * grads["db2"]
    return parameters
'''}
FAILS = {"test_update_parameters": "changed its argument 'parameters' in place"}
