"""update_parameters works on the caller's dictionary itself: params["W1"] -= ...

The caller's parameters change under its feet (a copy it kept to compare changes too).
"""
ANSWERS = {"update_parameters": '''def update_parameters(params, grads, learning_rate):
    parameters = params
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters
'''}
FAILS = {"test_update_parameters": "changed its argument 'params' in place"}
