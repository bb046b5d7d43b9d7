"""Question 8 (true or false) believes vectorization removes the loop over the layers too."""

ANSWERS = {
    "q8": """# Your answer: True or False, without quotes
answer_q8 = True
""",
}
FAILS = {
    "test_q8": "A[l] cannot be computed before A[l-1]",
}
