"""The ``workbench`` command line.

Errors the user can fix are printed as one line (``workbench: error: ...``, exit status 2);
an interrupt exits with status 130 without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from workbench.cli import baselines, circuits, problems, reports, runs, sweeps
from workbench.errors import WorkbenchError, WorkbenchWarning


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Quantum architecture search under hardware noise (CRLQAS) workbench.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    problems.add_commands(sub)
    runs.add_commands(sub)
    reports.add_commands(sub)
    sweeps.add_commands(sub)
    circuits.add_commands(sub)
    baselines.add_commands(sub)
    return parser


def _one_line(message, category, filename, lineno, file=None, line=None) -> None:
    """Workbench warnings as ``workbench: warning: ...``; others as Python prints them."""
    if issubclass(category, WorkbenchWarning):
        print(f"workbench: warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="pennylane")
            warnings.showwarning = _one_line
            return args.handler(args)
    except WorkbenchError as error:
        print(f"workbench: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `workbench presets | head` closed the pipe: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
