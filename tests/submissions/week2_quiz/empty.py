"""The quiz handed in unanswered: every question fails."""

ANSWERS = None
FAILS = "all"
