"""Helper package of the "Neural Networks and Deep Learning" course.

Submodules (imported on demand, so ``import nndl`` stays fast; a test keeps this list whole):

What students' notebooks import
- nndl.data: datasets in the course's HDF5 schema, students' own images
- nndl.planar: the two-dimensional data sets of week 3
- nndl.plots: learning curves, images, image grids, decision boundaries
- nndl.activations: the activation functions of the L-layer network, forward and backward
- nndl.gradcheck: numerical gradients, to check a backward pass
- nndl.checks: self-checks and hidden-test comparisons; each failure has a mistake code
- nndl.names: older names of the graded functions
- nndl.lazy: a dictionary whose values are computed on first read
- nndl.student: one line instead of a traceback when a cell meets an unfilled stub
- nndl.progress: a progress bar on long training loops, silent under the grader
- nndl.summary: every visible check of a notebook at once, as a table (the last cell)
- nndl.vectorization: does a graded function loop over the m examples? (lines counted)
- nndl.testcells: checks that several test cells share (hidden tests call them)

The instructor's side
- nndl.cli: the ``nndl`` command
- nndl.course: the course directory and its assignments
- nndl.cells: what each cell of a notebook is (imports, answer, test, given, free)
- nndl.reference: reference implementations read from the source notebooks
- nndl.notebooks: running notebooks in a kernel, scoring them, keeping them clean
- nndl.validate: solutions pass every test, unanswered versions earn nothing
- nndl.nbgrader_cli: nbgrader's own command line (generate_assignment, feedback, export)
- nndl.feedback: the preprocessors the course adds to nbgrader's feedback
- nndl.expected: the "Expected output" cells, written by ``nndl release`` from the reference
- nndl.diagrams: the assignments' diagrams, drawn by code (``python -m nndl.diagrams``)
- nndl.bundle: ``nndl student-bundle``: release notebooks, data and the package, no solutions
- nndl.cases: the known-bad submissions the tests and ``nndl demo`` grade
- nndl.grader: ``nndl grade``, ``nndl report`` and ``nndl demo`` (program, verdict,
  sandbox, worker, protocol, encoding, submission, record, locks, run, cluster, report,
  demo)
"""

__version__ = "0.1.0"
