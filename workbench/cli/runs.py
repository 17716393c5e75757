"""``workbench presets|train|resume|show``: run CRLQAS searches into run folders and read them.

Ctrl-C during ``train``/``resume`` stops cleanly after the current episode (a checkpoint is
written, the folder can be resumed); a second Ctrl-C aborts at once, and the run still resumes
from its last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.arguments import folder, read_json_object
from workbench.cli.table import format_table
from workbench.config import CHEMICAL_ACCURACY_LABEL, DEFAULT_RUN_PRESET

PRESET_COLUMNS = [
    ("preset", "name", ""),
    ("problem", "problem", ""),
    ("noise", "noise", ""),
    ("episodes", "episodes", "d"),
    ("L", "max_steps", "d"),
    ("optimiser", "optimizer", ""),
    ("network", "network", ""),
    ("curriculum", "curriculum", ""),
]


def _preset_row(name, config) -> dict:
    o = config.optimizer
    budget = o.budget_text
    hidden = config.agent.hidden
    network = f"{len(hidden)}×{hidden[0]}" if len(set(hidden)) == 1 else "-".join(map(str, hidden))
    return {
        "name": name,
        "problem": config.problem.label,
        "noise": config.noise.label,
        "episodes": config.episodes,
        "max_steps": config.env.max_steps,
        "optimizer": f"{o.method} {budget}",
        "network": network,
        "curriculum": config.curriculum.kind,
    }


def _cmd_presets(args: argparse.Namespace) -> int:
    from workbench.config import run_presets
    from workbench.config.presets import DESCRIPTIONS

    presets = run_presets()
    if args.json:
        print(json.dumps({k: v.to_dict() for k, v in presets.items()}, indent=1))
    else:
        print(format_table([_preset_row(k, v) for k, v in presets.items()], PRESET_COLUMNS))
        print("\n".join(["", *(f"{k}: {v}" for k, v in DESCRIPTIONS.items())]))
    return 0


def _config_from_args(args: argparse.Namespace):
    from workbench.config import RunConfig, get_run_preset, parse_override

    if args.config:
        config = RunConfig.from_dict(read_json_object(args.config, "--config"))
    else:
        config = get_run_preset(args.preset)
    overrides = dict(parse_override(text) for text in args.set or ())
    for key, value in (("episodes", args.episodes), ("seed", args.seed)):
        if value is not None:
            overrides[key] = value
    return config.with_overrides(overrides) if overrides else config


TENSORBOARD_HELP = "also write TensorBoard event files into DIR/<run folder name>"


def tensorboard(log_root: str | None, run_folder: Path) -> list:
    """``[TensorBoardLog(log_root/<run folder's name>)]``, or ``[]`` without ``--tensorboard``:
    runs logged into one root open side by side (``tensorboard --logdir ROOT``)."""
    if not log_root:
        return []
    from workbench.callbacks import TensorBoardLog

    return [TensorBoardLog(Path(log_root) / Path(run_folder).resolve().name)]


def _cmd_train(args: argparse.Namespace) -> int:
    from workbench.experiment import check
    from workbench.run_folders import default_run_dir
    from workbench.runs import run

    config = _config_from_args(args)
    check(config)
    if args.print_config:
        print(json.dumps(config.to_dict(), indent=1))
        return 0
    out = Path(args.out) if args.out else default_run_dir(config)
    print(f"workbench: training {config.label} into {out}", file=sys.stderr)
    from workbench.callbacks import stop_on_signals

    with stop_on_signals() as stop:
        result = run(config, [stop, *tensorboard(args.tensorboard, out)], out, not args.quiet)
    _print_show(result)
    return 0


def _cmd_resume(args: argparse.Namespace) -> int:
    from workbench.runs import resume

    logs = tensorboard(args.tensorboard, Path(args.folder))
    from workbench.callbacks import stop_on_signals

    with stop_on_signals() as stop:
        result = resume(args.folder, [stop, *logs], progress=not args.quiet, episodes=args.episodes)
    _print_show(result)
    return 0


def _circuit_line(record) -> str:
    from workbench.results import gates_text

    gates = gates_text(record.gates)
    return (
        f"error {record.error:.3e} Ha (noiseless {record.noiseless_error:.3e}), "
        f"{record.n_gates} gates, {record.n_cnots} CNOTs, depth {record.depth}, "
        f"{record.n_params} parameters: {gates}"
    )


def _first_reached(first: int | None, accurate: bool, shots: int | None) -> str:
    """The episode whose measured energy was first within chemical accuracy; with shots an
    estimate can dip below by chance where no circuit's exact energy does: say so."""
    if first is None:
        return ""
    if shots and not accurate:
        return f" (a {shots}-shot estimate was within it in episode {first}: shot noise)"
    return f", first reached in episode {first}"


def _print_show(result, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(result.overview(), indent=1))
        return
    s = result.summary
    first = s.first_chemical_accuracy_episode
    lines = [
        f"run        {result.folder} ({result.status}, {s.episodes_done}/"
        f"{result.config.episodes} episodes)",
        f"problem    {result.config.label}  E0 = {result.resolved.problem.ground_energy:.8f} Ha",
        f"chemical accuracy ({CHEMICAL_ACCURACY_LABEL} vs exact E0): "
        + ("yes" if s.chemical_accuracy else "no")
        + _first_reached(first, s.chemical_accuracy, result.config.noise.shots),
    ]
    greedy = result.greedy_success()
    lines.append(
        "greedy     no test episodes in the second half (env.test_every)"
        if greedy is None
        else f"greedy     {100 * greedy[0]:.0f} % of {greedy[1]} test episodes in the second "
        f"half within {CHEMICAL_ACCURACY_LABEL} (the policy alone, no exploration)"
    )
    by_length = result.greedy_success_by_bond_length()
    if by_length:  # a curve run: the policy at each of its bond lengths
        lines.append(
            "  by R     "
            + ", ".join(f"{r:g} Å {within}/{total}" for r, (within, total) in by_length.items())
        )
    if result.own_bond_length is not None:
        lines.append(
            f"curve      best circuits and first accuracy at the run's own R = "
            f"{result.own_bond_length:g} Å; `workbench propose {result.folder} --bond-length R`"
        )
    if result.status == "interrupted":
        lines.append(f"           killed while running: `workbench resume {result.folder}`")
    if s.error:
        lines.append(f"error      {s.error}")
    if result.best is not None:
        lines.append("best       " + _circuit_line(result.best))
    if result.smallest_within_chemical_accuracy is not None:
        lines.append("smallest   " + _circuit_line(result.smallest_within_chemical_accuracy))
    fewest = result.fewest_cnots_within_chemical_accuracy
    if fewest is not None and fewest != result.smallest_within_chemical_accuracy:
        lines.append("fewest CX  " + _circuit_line(fewest))
    if s.wall_time_s is not None:
        lines.append(
            f"time       {s.wall_time_s:.1f} s, {s.seconds_per_episode:.3f} s/episode "
            f"(environment {s.env_seconds:.1f} s, agent {s.agent_seconds:.1f} s)"
        )
    if result.shots_spent:  # what the search would have cost on a device
        lines.append(
            f"device     {result.energy_evaluations:,} circuits run, {result.shots_spent:.3e} "
            "shots"
        )
    print("\n".join(lines))


def _cmd_show(args: argparse.Namespace) -> int:
    from workbench.results import load_run

    result = load_run(args.folder)
    _print_show(result, as_json=args.json)
    if args.prune is not None:
        pruned = result.pruned(tolerance=args.prune)
        text = "none within chemical accuracy" if pruned is None else _circuit_line(pruned)
        record = None if pruned is None else pruned.to_dict()
        print(json.dumps(record, indent=1) if args.json else "pruned     " + text)
    return 0


def _energy(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a non-negative energy in Ha")
    return value


def add_commands(sub) -> None:
    """Register ``presets``, ``train``, ``resume`` and ``show``."""
    presets = sub.add_parser("presets", help="table of the run presets (paper configs, demos)")
    presets.add_argument("--json", action="store_true", help="full configs as JSON")
    presets.set_defaults(handler=_cmd_presets)

    train = sub.add_parser("train", help="run a CRLQAS search into a run folder")
    train.add_argument("--preset", default=DEFAULT_RUN_PRESET, help="run preset (see `presets`)")
    train.add_argument("--config", help="a run config JSON file instead of a preset")
    train.add_argument("--episodes", type=int, help="number of training episodes")
    train.add_argument("--seed", type=int, help="random seed (same seed, same run)")
    train.add_argument(
        "--out", type=folder, help="run folder (default runs/<problem>-<noise>-s<seed>-<UTC time>)"
    )
    train.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override any config field, e.g. --set agent.hidden=[128,128] --set "
        "noise.profile=ibm-mumbai-max (repeatable; values are JSON)",
    )
    train.add_argument("--print-config", action="store_true", help="print the config and exit")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--tensorboard", type=folder, metavar="DIR", help=TENSORBOARD_HELP)
    train.set_defaults(handler=_cmd_train)

    resume = sub.add_parser("resume", help="continue an interrupted or finished run")
    resume.add_argument("folder", help="the run folder")
    resume.add_argument("--episodes", type=int, help="new total episode budget")
    resume.add_argument("--quiet", action="store_true", help="no progress bar")
    resume.add_argument("--tensorboard", type=folder, metavar="DIR", help=TENSORBOARD_HELP)
    resume.set_defaults(handler=_cmd_resume)

    show = sub.add_parser("show", help="summary of a run folder")
    show.add_argument("folder", help="the run folder")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument(
        "--prune",
        type=_energy,
        nargs="?",
        const=5e-4,
        metavar="TOL",
        help="also prune the best circuits (drop gates while the re-optimised energy stays "
        "within TOL Ha, default 5e-4) and print the fewest-CNOT one within chemical accuracy",
    )
    show.set_defaults(handler=_cmd_show)
