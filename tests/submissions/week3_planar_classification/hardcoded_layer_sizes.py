"""layer_sizes writes the flower's sizes by hand (n_x = 2, n_y = 1) instead of reading them.

nn_model, which sizes its layers with layer_sizes, then fails on any other data.
"""
ANSWERS = {"layer_sizes": '''def layer_sizes(X, Y):
    n_x = 2
    n_h = 4
    n_y = 1
    return (n_x, n_h, n_y)
'''}
FAILS = {"test_layer_sizes": "take it from X.shape[0] rather than writing the sizes",
         "test_nn_model": "nn_model raised ValueError"}
