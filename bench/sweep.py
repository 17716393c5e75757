"""Sweep engines measured: overhead per point and speed-up of a 2×2 grid over the sequential loop.

Run by hand: ``.venv/bin/python -m bench.sweep [--episodes 100] [--tiny 8] [--doc]``.

* **sequential**: the grid's points one after another in this process with
  :func:`workbench.runs.run_or_load` (what ``workbench report --sweep`` and ``bench/paper.py`` did
  before sweeps existed);
* **local**: :func:`workbench.sweep.run_sweep` on a process pool of 2 workers;
* **ray**: the same on a local Ray instance of 2 CPUs, started and stopped by the sweep.

The grid is ``h2-2q-mumbai-demo`` (noisy, ~0.1 s an episode) with noise scale 0.5, 2 × seeds 0, 1.
Overhead per point: ``--tiny`` points of one noiseless H2 episode (≈ 10 ms of work) through each
engine with one worker, minus the same points run in this process, divided by the points (it
includes starting and stopping the engine). Every configuration runs into a fresh folder under
``bench/runs/sweep-bench``. ``--doc`` replaces the table between the ``sweep-table`` markers
(docs/reports-and-sweeps.md).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench.readme import replace_block
from workbench.config import DEFAULT_RUN_PRESET
from workbench.runs import run_or_load
from workbench.sweep import grid_points, run_sweep

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "runs" / "sweep-bench"


def _sequential(points, out: Path) -> float:
    start = time.perf_counter()
    for point in points:
        run_or_load(point.config, out / point.name)
    return time.perf_counter() - start


def _swept(points, out: Path, engine: str, workers: int) -> float:
    start = time.perf_counter()
    result = run_sweep(points, out, engine, workers=workers, progress=False)
    assert result.count("complete") == len(points), [o.message for o in result.outcomes]
    return time.perf_counter() - start


def measure(episodes: int, tiny: int) -> list[dict]:
    shutil.rmtree(OUT, ignore_errors=True)
    grid = grid_points(
        {"preset": "h2-2q-mumbai-demo", "episodes": episodes}, {"noise.scale": [0.5, 2]}, [0, 1]
    )
    small = grid_points({"preset": DEFAULT_RUN_PRESET, "episodes": 1}, {}, list(range(tiny)))
    base_grid = _sequential(grid, OUT / "grid-sequential")
    base_tiny = _sequential(small, OUT / "tiny-sequential")
    rows = [{"engine": "sequential (one process)", "grid s": base_grid, "speed-up": 1.0}]
    for engine in ("local", "ray"):
        seconds = _swept(grid, OUT / f"grid-{engine}", engine, workers=2)
        overhead = (_swept(small, OUT / f"tiny-{engine}", engine, workers=1) - base_tiny) / tiny
        rows.append(
            {
                "engine": f"{engine} (2 workers)",
                "grid s": seconds,
                "speed-up": base_grid / seconds,
                "overhead s / point": overhead,
            }
        )
    return rows


def table(rows: list[dict], episodes: int, tiny: int) -> str:
    lines = [
        f"| engine | 2×2 grid, {episodes} episodes a run (s) | speed-up | "
        f"overhead per point (s, {tiny} one-episode points, 1 worker) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        overhead = r.get("overhead s / point")
        cell = "–" if overhead is None else f"{overhead:.2f}"
        lines.append(f"| {r['engine']} | {r['grid s']:.1f} | {r['speed-up']:.2f}× | {cell} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--tiny", type=int, default=8)
    parser.add_argument("--doc", action="store_true")
    args = parser.parse_args()
    text = table(measure(args.episodes, args.tiny), args.episodes, args.tiny)
    print(text)
    if args.doc:
        replace_block("sweep-table", text)


if __name__ == "__main__":
    main()
