"""Question 3 (check all that apply) leaves out algorithms (c) and picks the decades-old
single neuron (d): two of its four half-point options fail, the other two earn their points."""

ANSWERS = {
    "q3": """# Your answer: every letter you choose, in one string, e.g. answer_q3 = "bd"
answer_q3 = "a, b, d"
""",
}
FAILS = {
    "test_q3c": "option (c): you left it out, but it is true",
    "test_q3d": "option (d): you chose it, but it is false",
}
