"""A number written as a string and a choice written as a word fail the visible format checks."""

ANSWERS = {
    "q2": 'answer_q2 = "17"\n',
    "q6": 'answer_q6 = "sigmoid"\n',
}
FAILS = {
    "test_q2": "without quotes",
    "test_q6": "it must be one of the letters",
}
