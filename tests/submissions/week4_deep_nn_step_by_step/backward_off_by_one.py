"""L_model_backward stores the hidden layers' dW and db one layer too low.

In the loop over the caches, layer l + 1's gradients go to dW{l} and db{l}: grads gets
dW0 and lacks dW{L-1}. The gradient check finds a dW1 of W2's shape.
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
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l)] = dW_temp
        grads["db" + str(l)] = db_temp
    return grads
'''}
FAILS = {"test_L_model_backward": "grads['dW1'] holds the gradient that belongs in grads['dW2']: off by one layer",
         "test_gradient_check": "grads['dW1'] has shape (2, 3), but W1 has shape (3, 3): off by one layer?"}
