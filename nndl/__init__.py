"""Helper package of the "Neural Networks and Deep Learning" course.

Submodules (imported on demand, so ``import nndl`` stays fast):
- nndl.data: datasets in the course's HDF5 schema, students' own images
- nndl.plots: learning curves, images and image grids
- nndl.checks: self-checks and hidden-test comparisons with named mistakes
- nndl.reference: reference implementations read from the source notebooks (instructors)
- nndl.course, nndl.notebooks, nndl.validate: the course directory and its notebooks
"""

__version__ = "0.1.0"
