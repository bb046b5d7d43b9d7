"""A progress bar for the training loops students run, and a warning for slow ones.

    for i in progress(range(num_iterations)):
        ...

``progress`` gives back the iterable itself, untouched, unless a person is watching: a
cell run from JupyterLab or Jupyter Notebook (the kernel's request carries the cell's id,
which nbclient, nbgrader's autograde and Validate, ``nndl validate`` and the tests never
send) or a script in a terminal. So the grader's sandbox, nbgrader and every test see the
plain ``range``: no output, no cost. When a person is watching:

- a bar appears once the loop has run for ``delay`` seconds (2 by default): a notebook
  widget when ipywidgets is there, else a text bar; short loops show nothing;
- if the first second of the loop says the whole run will take more than ``warn_after``
  seconds (60), one line says how long and that a Python loop over the examples is the
  usual cause;
- nothing is written to stdout: what ``print_cost`` prints, and checks compare, is the
  same with or without the bar (the bar and the warning go to stderr or to a widget).

``NNDL_PROGRESS=1`` shows the bar and the warning everywhere (for instance under
nbclient), ``NNDL_PROGRESS=0`` nowhere.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "NNDL_PROGRESS"
DELAY = 2.0       # seconds before a bar appears
WARN_AFTER = 60.0  # an estimated run longer than this gets one warning line
_ESTIMATE_AFTER = 1.0  # seconds of running the estimate is made from


def _kernel():
    """The running ipykernel kernel, or None outside one."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return None
    try:
        shell = sys.modules["IPython"].get_ipython()
    except Exception:  # noqa: BLE001 - a broken IPython is no kernel for us
        return None
    return getattr(shell, "kernel", None)


def watched() -> bool:
    """True when a person runs this code: a notebook editor's cell, or a terminal."""
    setting = os.environ.get(ENV, "").strip().lower()
    if setting in ("0", "no", "off", "false"):
        return False
    if setting in ("1", "yes", "on", "true"):
        return True
    kernel = _kernel()
    if kernel is not None:
        try:
            parent = kernel.get_parent("shell")
        except Exception:  # noqa: BLE001 - an older or foreign kernel: stay silent
            return False
        metadata = parent.get("metadata") if isinstance(parent, dict) else None
        # JupyterLab and Notebook 7 send the cell's id with every run; nbclient does not.
        return isinstance(metadata, dict) and bool(metadata.get("cellId"))
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _bar_class():
    """tqdm's notebook bar in a kernel with ipywidgets, else its text bar."""
    if _kernel() is not None:
        try:
            from tqdm.notebook import IProgress, tqdm
        except ImportError:
            IProgress = None
        if IProgress is not None:
            return tqdm
    from tqdm.std import tqdm
    return tqdm


def duration(seconds: float) -> str:
    """'45 s', '3 min', '2 h 5 min'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def slow_message(estimate: float, total: int, per_iteration: float) -> str:
    each = f"{per_iteration:.2g} s" if per_iteration >= 0.01 else f"{per_iteration * 1000:.2g} ms"
    return (f"Warning: this training will take about {duration(estimate)} ({total} iterations "
            f"at {each} each). A Python loop over the examples is the usual cause: vectorize "
            "with np.dot. Interrupt the kernel (■) to stop it.")


def progress(iterable, total: int | None = None, desc: str | None = None, *,
             delay: float | None = None, warn_after: float | None = None):
    """Iterate over iterable, with a bar and a slow-run warning when a person is watching.

    delay and warn_after default to the module's DELAY and WARN_AFTER, read at the call.
    """
    if not watched():
        return iterable
    delay = DELAY if delay is None else delay
    warn_after = WARN_AFTER if warn_after is None else warn_after
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            total = None
    return _watched(iterable, total, desc, delay, warn_after)


def _watched(iterable, total, desc, delay, warn_after):
    start = time.perf_counter()
    estimated = False
    bar = None
    n = 0
    try:
        for item in iterable:
            yield item
            n += 1
            if bar is not None:
                bar.update(1)
                continue
            elapsed = time.perf_counter() - start
            if not estimated and elapsed >= _ESTIMATE_AFTER:
                estimated = True
                if total and n < total and elapsed / n * total > warn_after:
                    print(slow_message(elapsed / n * total, total, elapsed / n),
                          file=sys.stderr, flush=True)
            if elapsed >= delay and (total is None or n < total):
                # a tiny delay: nothing shows before the bar knows where it is
                bar = _bar_class()(total=total, desc=desc, file=sys.stderr, leave=True,
                                   dynamic_ncols=True, delay=1e-9)
                bar.last_print_t = bar._time()
                bar.start_t = bar.last_print_t - elapsed  # the time since the loop began
                bar.n = bar.last_print_n = n
                bar.refresh()
    finally:
        if bar is not None:
            bar.close()
