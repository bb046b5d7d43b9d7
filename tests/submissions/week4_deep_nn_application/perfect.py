"""The reference solution, as a student would leave it: every test passes."""
ANSWERS = {}
FAILS = {}
