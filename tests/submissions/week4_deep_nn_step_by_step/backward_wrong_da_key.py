"""L_model_backward reads grads["dA" + str(l)] in the loop, the key it is about to write.

The layer above stored dA{l + 1}; dA{l} does not exist yet, so the function raises KeyError.
"""
ANSWERS = {"L_model_backward": '''def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
'''}
FAILS = {"test_L_model_backward": "KeyError: 'dA1': reading dA from the wrong key",
         "test_gradient_check": "L_model_backward raised KeyError: 'dA1': reading dA from the wrong key"}
