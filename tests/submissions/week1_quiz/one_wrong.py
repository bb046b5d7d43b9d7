"""Question 8 counts the hidden layer's weights only (12) and forgets the output unit's."""

ANSWERS = {
    "q8": """# Your answer: a number without quotes, e.g. answer_q8 = 0.25
answer_q8 = 12
""",
}
FAILS = {
    "test_q8": "The output unit has one weight per hidden unit",
}
