"""``workbench baselines``: hardware-efficient ansatz, UCCSD, ADAPT-VQE and random search on a
problem (or a run's problem, next to the run's best circuits) under the same noise and shots."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.errors import ConfigError


def _list(text: str, name: str, cast=str) -> tuple:
    try:
        return tuple(cast(v.strip()) for v in text.split(",") if v.strip())
    except ValueError:
        raise ConfigError(f"--{name} {text!r}: expected a comma-separated list") from None


def _config(args: argparse.Namespace) -> dict:
    """The settings given on the command line (the rest keep BaselineConfig's defaults, or the
    run's own with --run)."""
    from workbench.config import OptimizerConfig

    given = {
        "methods": None if args.methods is None else _list(args.methods, "methods"),
        "hea_layers": None if args.layers is None else _list(args.layers, "layers", int),
        "adapt_pools": None if args.pools is None else _list(args.pools, "pools"),
        "adapt_max_operators": args.max_operators,
        "adapt_stop_error": args.stop_error,
        "random_budget": args.budget,
        "random_max_gates": args.max_gates,
        "optimizer": None if args.optimizer is None else OptimizerConfig(method=args.optimizer),
        "seed": args.seed,
    }
    return {k: v for k, v in given.items() if v is not None}


def _cmd_baselines(args: argparse.Namespace) -> int:
    from workbench.baselines import baselines_for_run, run_baselines
    from workbench.cli.table import format_table
    from workbench.config import BaselineConfig, NoiseConfig

    settings = _config(args)
    BaselineConfig(**settings)  # every bad value named before any work
    quiet = args.json or args.quiet

    def progress(line: str) -> None:
        if not quiet:
            print(f"running {line} ...", file=sys.stderr, flush=True)

    if args.run:
        if args.problem or args.noise or args.shots:
            raise ConfigError("--run takes the problem, noise and shots from the run folder: "
                              "give either --run or PROBLEM [--noise ...]")  # fmt: skip
        rows = baselines_for_run(args.run, progress=progress, **settings)
    else:
        if not args.problem:
            raise ConfigError("give a problem id (`workbench problems`) or --run RUN_DIR")
        noise = NoiseConfig(args.noise, args.scale, shots=args.shots)
        rows = run_baselines(args.problem, noise, bond_length=args.bond_length,
                             progress=progress, **settings)  # fmt: skip
    if args.json:
        print(json.dumps([row.to_dict() for row in rows], indent=1))
        return 0
    table = [row.table_row() for row in rows]
    print(format_table(table, [(heading, heading, "") for heading in table[0]]))
    return 0


def add_commands(sub) -> None:
    """Register ``baselines``."""
    from workbench.config import BaselineConfig

    default = BaselineConfig()
    parser = sub.add_parser(
        "baselines",
        help="HEA, UCCSD, ADAPT-VQE and random search under the same noise as the agent",
    )
    parser.add_argument("problem", nargs="?", help="problem preset id (`workbench problems`)")
    parser.add_argument("--run", help="a run folder: its problem, noise, shots, optimiser and step "
                        "cap; its best circuits as rows")  # fmt: skip
    parser.add_argument("--bond-length", type=float, help="Å, for diatomic presets")
    parser.add_argument("--noise", help="device profile (`workbench devices`); default noiseless")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the error rates")
    parser.add_argument("--shots", type=int, help="shots per measurement group (default exact)")
    parser.add_argument("--methods", help="comma-separated subset of " + ",".join(default.methods))
    parser.add_argument("--layers", help=f"HEA entangling layers ({_text(default.hea_layers)})")
    parser.add_argument("--pools", help=f"ADAPT-VQE pools ({_text(default.adapt_pools)})")
    parser.add_argument("--max-operators", type=int,
                        help=f"ADAPT-VQE's cap ({default.adapt_max_operators})")  # fmt: skip
    parser.add_argument("--stop-error", type=float, help="ADAPT-VQE also stops within this "
                        "error of E0 (Ha), e.g. 1.6e-3: its smallest accurate circuit")  # fmt: skip
    parser.add_argument("--budget", type=int, help="random search's energy evaluations "
                        f"({default.random_budget}; with --run the run's own count)")  # fmt: skip
    parser.add_argument("--max-gates", type=int,
                        help=f"random search's step cap ({default.random_max_gates})")  # fmt: skip
    parser.add_argument("--optimizer", help="angle optimiser (lbfgs; adam_spsa with shots; with "
                        "--run the run's)")  # fmt: skip
    parser.add_argument("--seed", type=int, help=f"seed of angles, actions, shots ({default.seed})")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.set_defaults(handler=_cmd_baselines)


def _text(values) -> str:
    return ",".join(map(str, values))
