"""Question 9 starts the backward pass from dAL = AL - Y, which is dZ[L]."""

ANSWERS = {
    "q9": """# Your answer: one letter in quotes, e.g. answer_q9 = "a"
answer_q9 = "a"
""",
}
FAILS = {
    "test_q9": "AL - Y is dZ[L]",
}
