"""A number written as a string, a choice written as a word, a check-all-that-apply answer
written as a sentence and False written as a string all fail the visible format checks."""

ANSWERS = {
    "q2": 'answer_q2 = "17"\n',
    "q6": 'answer_q6 = "sigmoid"\n',
    "q11": 'answer_q11 = "a and d"\n',
    "q12": 'answer_q12 = "False"\n',
}
FAILS = {
    "test_q2": "without quotes",
    "test_q6": "it must be one of the letters",
    "test_q11a": "it must be one string holding each letter you choose once",
    "test_q11b": "it must be one string holding each letter you choose once",
    "test_q11c": "it must be one string holding each letter you choose once",
    "test_q11d": "it must be one string holding each letter you choose once",
    "test_q12": "it must be True or False, without quotes",
}
