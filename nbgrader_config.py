"""nbgrader configuration of the course; the repository root is the course directory."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "nndl"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# The stub every student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Whole notebooks train small models; a test cell never does, but the training cells of
# week 2 and 4 need more than nbgrader's default 30 s on a slow laptop.
c.Execute.timeout = 300
# A kernel on a busy machine (several graders at once) can take long to start.
c.Execute.startup_timeout = 180

# Feedback shows the student's results, never the hidden tests. It is read offline: the
# maths is rendered to MathML when the feedback is made (no MathJax from the network), and
# long failure messages wrap instead of running off the page.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nndl.feedback.ScrubTestTracebacks",
    "nndl.feedback.RenderMaths",
    "nndl.feedback.FeedbackStyle",
]
