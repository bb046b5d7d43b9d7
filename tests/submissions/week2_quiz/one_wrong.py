"""Question 5 expects (4, 3) + (3, 1) to broadcast to (4, 3) instead of raising an error."""

ANSWERS = {
    "q5": """# Your answer: one letter in quotes, e.g. answer_q5 = "a"
answer_q5 = "a"
""",
}
FAILS = {
    "test_q5": "4 against 3 is neither equal nor 1",
}
