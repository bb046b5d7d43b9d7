"""Right answers written loosely (capitals, spaces, commas and any order of letters, numpy
numbers, an int for a float, a float for an int): full marks."""

ANSWERS = {
    "q1": 'answer_q1 = "B"\n',
    "q4": 'answer_q4 = " d "\n',
    "q7": "answer_q7 = np.int64(10)\n",
    "q10": "answer_q10 = float(np.log(2))\n",
    "q11": "answer_q11 = 100.0\n",
    "q14": 'answer_q14 = "B, a"\n',
}
FAILS = {}
