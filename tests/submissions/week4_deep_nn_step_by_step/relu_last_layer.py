"""L_model_forward uses relu for the last layer too: AL is not a probability.

AL can be 0 or above 1, so the cost of the gradient check is not a finite number.
"""
ANSWERS = {"L_model_forward": '''def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "relu")
    caches.append(cache)
    return AL, caches
'''}
FAILS = {"test_L_model_forward": "they match what relu on the last layer instead of sigmoid gives",
         "test_gradient_check": "Is every AL inside (0, 1)?"}
