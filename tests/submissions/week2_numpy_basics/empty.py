"""The student version handed in unanswered: every test fails."""

ANSWERS = None
FAILS = "all"
CODES = dict.fromkeys(["test_basic_sigmoid", "test_sigmoid", "test_sigmoid_derivative",
                       "test_image2vector", "test_normalize_rows", "test_softmax", "test_L1",
                       "test_L2"], "not_implemented")
