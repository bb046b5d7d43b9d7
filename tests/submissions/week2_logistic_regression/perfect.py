"""Every answer is the reference solution: full marks."""

ANSWERS = {}
FAILS = {}
