#!/bin/sh
# A Dask cluster for `nndl grade --cluster tcp://SCHEDULER:8786` (docs/cluster.md), started
# by hand: the scheduler on one machine, workers on the others. Every machine needs the same
# nndl installed with its cluster extra (pip install 'nndl[cluster]') and bubblewrap.
# Usage: dask-cluster.sh scheduler | dask-cluster.sh worker tcp://SCHEDULER:8786 [NPROCS]
set -eu
case "${1:-}" in
  scheduler) exec dask scheduler --port 8786 ;;
  # one process per core, one thread each: a grading task is one submission at a time
  worker) exec env OPENBLAS_NUM_THREADS=1 dask worker "${2:?scheduler address}" \
            --nworkers "${3:-$(nproc)}" --nthreads 1 ;;
  *) echo "usage: $0 scheduler | worker tcp://SCHEDULER:8786 [NPROCS]" >&2; exit 2 ;;
esac
