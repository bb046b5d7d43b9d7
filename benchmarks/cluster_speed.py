"""Grading on a Dask cluster against the local process pool, on the same class, in one run.

    python benchmarks/cluster_speed.py [--count 60] [--big 0] [ASSIGNMENT]

Builds a course with --count submissions of the assignment (default week2_numpy_basics),
drawn in turn from its known-bad cases, and grades a fresh copy of it four times: the
local pool with 1 and 2 processes, and a local Dask cluster (LocalCluster of worker
processes, one thread each: what `dask worker` starts) with 1 and 2 workers. Recording
happens in this process in every case (gradebook, autograded notebook, marker).

For each it prints the wall time of the whole run, the start-up (until the first result
was recorded) and the steady interval between recorded submissions (last marker minus
first, over count - 1), i.e. the throughput once running; per-submission cost per worker
is that interval times the number of workers. The ratio lines compare the cluster with
the pool at the same number of workers (target: at most 1.3). It also times 2,000 empty
tasks through the scheduler (its per-task cost, the ceiling of any cluster).

--big N grades one more class of N submissions on the 2-worker cluster (N >= 1000 for the
scale table of docs/cluster.md) and prints the same figures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import build_submission, load_cases, make_course, notebook_name  # noqa: E402

from nndl.grader.run import MARKERS, grade_assignment  # noqa: E402


def build_class(base: Path, assignment: str, count: int) -> Path:
    course = make_course(base / "base", [assignment])
    cases = load_cases(assignment)
    name = notebook_name(course, assignment)
    notebooks = {c.name: build_submission(course, c) for c in cases}
    import nbformat

    for i in range(count):
        case = cases[i % len(cases)]
        folder = course / "submitted" / f"s{i:05d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(notebooks[case.name], folder / name)
    return course


def timed_run(base: Path, course: Path, assignment: str, label: str, workers: int,
              cluster: str | None) -> dict:
    copy = base / label.replace(" ", "_")
    shutil.copytree(course, copy)
    start = time.time()
    outcomes = grade_assignment(copy, assignment, workers=workers, cluster=cluster,
                                progress=False, log=lambda *a: None)
    wall = time.time() - start
    stamps = sorted(p.stat().st_mtime for p in (copy / MARKERS / assignment).glob("*.json"))
    interval = (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1)
    shutil.rmtree(copy, ignore_errors=True)
    result = {"label": label, "n": len(outcomes), "wall": wall, "startup": stamps[0] - start,
              "interval": interval, "workers": workers,
              "score": sum(o.score for o in outcomes)}
    print(f"{label:22s} {result['n']:5d} submissions: wall {wall:7.1f} s, start-up "
          f"{result['startup']:5.1f} s, steady {interval * 1000:6.1f} ms between records "
          f"= {interval * workers * 1000:6.1f} ms per submission per worker", flush=True)
    return result


def _noop(i):
    return i


def scheduler_rate(client, count: int = 2000) -> None:
    """Empty tasks through the scheduler: its own per-task cost, the ceiling of any class."""
    start = time.perf_counter()
    client.gather(client.map(_noop, range(count), pure=False))
    seconds = time.perf_counter() - start
    print(f"scheduler: {count} empty tasks in {seconds:.2f} s = {count / seconds:.0f} tasks/s "
          f"({seconds / count * 1000:.2f} ms each, client and 2 workers on this machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="week2_numpy_basics")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--big", type=int, default=0,
                        help="also grade a class of this many on the 2-worker cluster")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    base = Path(tempfile.mkdtemp(prefix="nndl-cluster-speed-"))
    try:
        course = build_class(base, args.assignment, args.count)
        results = {}
        for workers in (1, 2):
            results[("pool", workers)] = timed_run(base, course, args.assignment,
                                                   f"local pool {workers}", workers, None)
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=40) as cluster, \
                    Client(cluster) as client:
                results[("cluster", workers)] = timed_run(
                    base, course, args.assignment, f"dask cluster {workers}", workers,
                    cluster.scheduler_address)
                if workers == 2:
                    scheduler_rate(client)
        scores = {r["score"] for r in results.values()}
        print(f"same total score on every path: {len(scores) == 1} ({sorted(scores)})")
        for workers in (1, 2):
            pool, dask = results[("pool", workers)], results[("cluster", workers)]
            print(f"{workers} worker(s): cluster / pool per-submission cost "
                  f"{dask['interval'] / pool['interval']:.2f}x (steady), wall "
                  f"{dask['wall'] / pool['wall']:.2f}x (start-up included: "
                  f"{dask['startup']:.1f} s vs {pool['startup']:.1f} s)")
        if args.big:
            big = build_class(base / "big", args.assignment, args.big)
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=40) as cluster, \
                    Client(cluster):
                result = timed_run(base, big, args.assignment, "dask cluster 2 (big)", 2,
                                   cluster.scheduler_address)
            print(f"big class: {result['n']} submissions in {result['wall']:.0f} s, "
                  f"{result['n'] / result['wall']:.1f} submissions/s on 2 workers, "
                  f"{result['interval'] * 2 * 1000:.0f} ms per submission per worker")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
