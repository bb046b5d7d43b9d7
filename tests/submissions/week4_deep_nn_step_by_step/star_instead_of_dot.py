"""linear_forward writes Z = W * A + b: `*` where np.dot is needed.

The shapes do not broadcast, so linear_forward raises, and so does every function that
calls it.
"""
ANSWERS = {"linear_forward": '''def linear_forward(A, W, b):
    Z = W * A + b
    cache = (A, W, b)
    return Z, cache
'''}
FAILS = {"test_linear_forward": "need np.dot: `*` multiplies element by element",
         "test_linear_activation_forward": "need np.dot: `*` multiplies element by element",
         "test_L_model_forward": "need np.dot: `*` multiplies element by element",
         "test_gradient_check": "L_model_forward raised ValueError: operands could not be broadcast together with shapes (3,3) (3,4). Products of matrices"}
