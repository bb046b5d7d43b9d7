"""predict fills an integer array with 0 and 1, one example at a time: exact 0/1 integers
where the course returns floats 0. and 1. The original course accepted them: full marks,
with a note that names the difference."""
ANSWERS = {"predict": '''def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m), dtype=int)
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    for i in range(A.shape[1]):
        Y_prediction[0, i] = 1 if A[0, i] > 0.5 else 0
    return Y_prediction
'''}
FAILS = {}
