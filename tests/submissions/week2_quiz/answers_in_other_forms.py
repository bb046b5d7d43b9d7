"""Right answers written loosely (capitals, spaces, numpy numbers, an int for a float): full marks."""

ANSWERS = {
    "q1": 'answer_q1 = "B"\n',
    "q4": 'answer_q4 = " d "\n',
    "q7": "answer_q7 = np.int64(10)\n",
    "q10": "answer_q10 = float(np.log(2))\n",
}
FAILS = {}
