"""linear_backward leaves out the 1/m of dW and db.

Every function that calls it gets gradients m times too large. The student's
L_model_backward calls linear_activation_backward for every layer, as the notebook
teaches (the reference's defers dA0 and computes layer 1 without it).
"""
ANSWERS = {"linear_backward": '''def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T)
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
''',
           "L_model_backward": '''def L_model_backward(AL, Y, caches):
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
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
'''}
FAILS = {"test_linear_backward": "dW is 4 times too large: the average over the m = 4",
         "test_linear_activation_backward": "is 4 times too large: the average over the m = 4",
         "test_L_model_backward": "is 4 times too large: the average over the m = 4",
         "test_gradient_check": "disagree about the 1/m average"}
