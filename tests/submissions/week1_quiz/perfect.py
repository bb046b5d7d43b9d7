"""Every answer is the right one: full marks."""

ANSWERS = {}
FAILS = {}
