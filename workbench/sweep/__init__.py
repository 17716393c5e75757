"""Sweeps: grids of CRLQAS runs (grid points × seeds) on this machine or a Ray cluster.

Every grid point × seed is one ordinary run folder ``DIR/<name>`` (resumable by itself with
``workbench resume``), named after the fields that vary, e.g. ``noise.scale=0.5-s1``
(:mod:`workbench.sweep.grid`). The one rule for reusing a folder is
:func:`workbench.runs.run_or_load`: rerunning a sweep loads finished points without starting a
worker, resumes unfinished ones from their last checkpoint, and a folder that holds a different
experiment is refused before anything runs.

Engines (:mod:`workbench.sweep.engines`) share one scheduling loop: ``local`` is a process pool
on this machine (no set-up; it starts in ~0.1 s, a local Ray instance in ~6 s plus ~1.4 s to
shut down, measured on the 2-core machine), ``ray`` submits to a Ray cluster (``address``) or
starts a local Ray instance. A worker that dies is retried and its point resumes from the
checkpoint; a point that fails (a problem that cannot be built, a crash) is recorded as failed
and the sweep goes on. ``DIR/results.csv``, ``results.json`` and the interactive
``index.html`` (:mod:`workbench.sweep.index`) hold one row per run.
"""

from workbench.sweep.engines import ENGINES, SweepResult, run_sweep
from workbench.sweep.grid import REPORT_FIELDS, SweepPoint, grid_points, point_name, split_values
from workbench.sweep.index import PointOutcome

__all__ = [
    "ENGINES",
    "REPORT_FIELDS",
    "PointOutcome",
    "SweepPoint",
    "SweepResult",
    "grid_points",
    "point_name",
    "run_sweep",
    "split_values",
]
