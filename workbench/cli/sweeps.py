"""``workbench sweep``: a grid of runs (grid points × seeds) here or on a Ray cluster.

Rerunning the same command skips finished points and resumes unfinished ones; Ctrl-C stops
after the running episodes (exit status 130), a second Ctrl-C aborts (the folders still resume).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.arguments import folder
from workbench.cli.table import format_table
from workbench.config import CHEMICAL_ACCURACY_LABEL, DEFAULT_RUN_PRESET
from workbench.errors import ConfigError

SWEEP_COLUMNS = [
    ("run", "folder", ""),
    ("status", "status", ""),
    ("episodes", "episodes_done", ""),
    ("best error", "best_error", ".2e"),
    ("noiseless", "best_noiseless_error", ".2e"),
    (f"1st ≤{CHEMICAL_ACCURACY_LABEL}", "first_chemical_accuracy_episode", ""),
    ("greedy", "greedy_success_rate", ".0%"),
    ("gates", "n_gates", ""),
    ("CNOTs", "n_cnots", ""),
    ("s", "wall_time_s", ".1f"),
]


def parse_grid(texts) -> dict[str, list]:
    """``["noise.scale=0.5,1", "agent.hidden=[64],[128]"]`` → ``{"noise.scale": [0.5, 1], ...}``
    (values as ``--set`` reads them: JSON, else text)."""
    from workbench.config import parse_value
    from workbench.sweep import split_values

    grid = {}
    for text in texts or ():
        name, sep, values = text.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise ConfigError(f"--grid {text!r}: expected FIELD=V1,V2,... e.g. noise.scale=0.5,1")
        if name.strip() in grid:
            raise ConfigError(f"--grid {name.strip()!r} given twice: list its values once")
        grid[name.strip()] = [parse_value(v) for v in split_values(values)]
    return grid


def print_sweep(result, as_json: bool = False) -> None:
    if as_json:
        print((result.out / "results.json").read_text(encoding="utf-8"))
        return
    print(format_table([o.row() for o in result.outcomes], SWEEP_COLUMNS))
    failed = [o for o in result.outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"failed {outcome.name}: {outcome.message}", file=sys.stderr)
    print(f"table  {result.out / 'results.csv'}\nindex  {result.out / 'index.html'}")


def _cmd_sweep(args: argparse.Namespace) -> int:
    from workbench.config import parse_override
    from workbench.sweep import REPORT_FIELDS, grid_points, run_sweep

    parameters, overrides = {"preset": args.preset}, {}
    for name, value in (parse_override(text) for text in args.set or ()):
        (parameters if name in REPORT_FIELDS else overrides)[name] = value
    if args.episodes is not None:
        parameters["episodes"] = args.episodes
    points = grid_points(parameters, parse_grid(args.grid), args.seeds, overrides)
    print(f"workbench: sweep of {len(points)} runs into {args.out}", file=sys.stderr)
    result = run_sweep(
        points,
        Path(args.out),
        engine=args.engine,
        address=args.address,
        workers=args.workers,
        cpus_per_run=args.cpus_per_run,
        gpus_per_run=args.gpus_per_run,
        retries=args.retries,
        reports=args.reports,
        progress=not args.quiet,
    )
    print_sweep(result, args.json)
    if args.tensorboard:  # every finished point's metrics, side by side in one log root
        from workbench.callbacks import write_tensorboard

        logs = Path(args.tensorboard)
        for outcome in result.outcomes:
            if outcome.status in ("complete", "stopped"):
                write_tensorboard(Path(args.out) / outcome.name, logs / outcome.name)
    if result.interrupted:
        print("workbench: sweep interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    return 1 if result.count("failed") else 0


def add_commands(sub) -> None:
    """Register ``sweep``."""
    sweep = sub.add_parser(
        "sweep", help="a grid of runs (resumable, local process pool or Ray) → results table"
    )
    sweep.add_argument("--preset", default=DEFAULT_RUN_PRESET, help="run preset (see `presets`)")
    sweep.add_argument(
        "--grid",
        action="append",
        metavar="FIELD=V1,V2",
        help="a varying config field or report parameter (repeat for a grid), "
        "e.g. noise.scale=0.5,1,4 or optimizer=cobyla,rotosolve",
    )
    sweep.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds of every point")
    sweep.add_argument("--episodes", type=int, help="training episodes of every run")
    sweep.add_argument(
        "--set", action="append", metavar="FIELD=VALUE", help="a fixed field of every run"
    )
    sweep.add_argument(
        "--out", required=True, type=folder, help="the sweep folder (rerun to resume)"
    )
    sweep.add_argument("--engine", choices=["local", "ray"], default="local")
    sweep.add_argument("--address", help="Ray cluster: auto or HOST:PORT (with --engine ray)")
    sweep.add_argument("--workers", type=int, help="runs at a time (default CPUs ÷ per run)")
    sweep.add_argument("--cpus-per-run", type=int, default=1)
    sweep.add_argument("--gpus-per-run", type=float, default=0, help="Ray only")
    sweep.add_argument("--retries", type=int, default=2, help="resubmissions of a dead worker")
    sweep.add_argument("--reports", action="store_true", help="a report per run, linked")
    sweep.add_argument(
        "--tensorboard", type=folder, metavar="DIR",
        help="also write every run's TensorBoard event files into DIR/<point name>",
    )  # fmt: skip
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--json", action="store_true", help="print results.json")
    sweep.set_defaults(handler=_cmd_sweep)
