"""linear_backward leaves out the 1/m of dW and db.

Every function that calls it gets gradients m times too large.
"""
ANSWERS = {"linear_backward": '''def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T)
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
'''}
FAILS = {"test_linear_backward": "dW is 4 times too large: the average over the m = 4",
         "test_linear_activation_backward": "is 4 times too large: the average over the m = 4",
         "test_L_model_backward": "is 4 times too large: the average over the m = 4",
         "test_gradient_check": "disagree about the 1/m average"}
