#!/bin/sh
# One grading round of one assignment: grade what is new, then feedback, report and CSV.
# Usage: grade-assignment.sh ASSIGNMENT   (reads NNDL_COURSE_DIR, NNDL_BIN, NNDL_WORKERS,
# NNDL_CLUSTER from the environment: see grading.env.example)
set -eu
assignment=${1:?usage: grade-assignment.sh ASSIGNMENT}
nndl="${NNDL_BIN:-/opt/nndl/bin}/nndl --dir ${NNDL_COURSE_DIR:?set NNDL_COURSE_DIR}"
export NNDL_CLUSTER="${NNDL_CLUSTER:-}"
[ -n "$NNDL_CLUSTER" ] || unset NNDL_CLUSTER
# exits 3 when the grader left submissions ungraded: nothing after it runs this round
$nndl grade "$assignment" --workers "${NNDL_WORKERS:-2}"
$nndl feedback "$assignment"
$nndl report "$assignment"
$nndl export --to "$NNDL_COURSE_DIR/grades.csv"
