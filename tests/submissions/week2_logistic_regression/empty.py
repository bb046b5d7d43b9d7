"""The student version handed in unanswered: every test fails."""

ANSWERS = None
FAILS = "all"
