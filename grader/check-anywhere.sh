#!/usr/bin/env bash
# Does the course grade the same wherever it is put? Runs `nndl demo` (30 students x every
# assignment) from a clone and a virtual environment under $(mktemp -d), then from this
# checkout, and compares the two grades.csv files. Prints both times and the verdict.
# Usage: grader/check-anywhere.sh [WORKERS]   (run from the checkout, with its venv active)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
workers=${1:-2}
away=$(mktemp -d)
trap 'rm -rf "$away"' EXIT
git clone -q "$here" "$away/course"
(
    cd "$away/course"
    python3 -m venv .venv
    . .venv/bin/activate
    python -m pip install -q -e .
    start=$(date +%s)
    nndl demo "$away/demo" --workers "$workers" > "$away/demo.log" 2>&1
    echo "demo from a clone under $away: $(( $(date +%s) - start )) s"
)
start=$(date +%s)
nndl --dir "$here" demo "$away/demo-here" --workers "$workers" > "$away/demo-here.log" 2>&1
echo "demo from $here: $(( $(date +%s) - start )) s"
columns() { sort "$1" | cut -d, -f1,4,8-; }
if cmp -s <(columns "$away/demo/grades.csv") <(columns "$away/demo-here/grades.csv"); then
    echo "grades identical: $(( $(wc -l < "$away/demo/grades.csv") - 1 )) rows"
else
    echo "grades DIFFER:"
    diff <(columns "$away/demo/grades.csv") <(columns "$away/demo-here/grades.csv") | head -20
    exit 1
fi
