"""Question 4 blames a zero derivative of tanh at 0 for the failure of zero initialization."""

ANSWERS = {
    "q4": """# Your answer: one letter in quotes, e.g. answer_q4 = "a"
answer_q4 = "a"
""",
}
FAILS = {
    "test_q4": "Random initialization breaks that symmetry",
}
