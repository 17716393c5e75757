"""``workbench report|lab|classroom|course``: papermill reports, JupyterLab, the standalone panel
and the course notebooks' two editions."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from workbench.cli.arguments import folder
from workbench.config import parse_value
from workbench.errors import ConfigError
from workbench.paths import REPOSITORY_ROOT

CLASSROOM_NOTEBOOK = "notebooks/panel.ipynb"
CLASSROOM_TEMPLATE = Path(__file__).resolve().parent.parent / "classroom/voila/templates/classroom"


def _cmd_report(args: argparse.Namespace) -> int:
    from workbench.report import make_report

    parameters = {name: parse_value(value) for name, value in args.parameter or ()}
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or f"reports/{parameters.get('preset', 'h2-2q-demo')}-{stamp}")
    if args.sweep:
        return _report_sweep(parameters, args.sweep, out)
    html = make_report(parameters, out)
    print(f"report: {html.resolve()}")
    return 0


def _report_sweep(parameters: dict, texts: list[str], out: Path) -> int:
    """``report --sweep``: :func:`workbench.sweep.run_sweep` with a report per run."""
    from workbench.cli.sweeps import parse_grid, print_sweep
    from workbench.report import parse_seeds
    from workbench.sweep import grid_points, run_sweep

    grid = parse_grid(texts)
    seeds = parse_seeds(grid.pop("seeds", None) or parameters.pop("seeds", None) or [0])
    for name in ("run_folder", "runs_dir"):
        if parameters.pop(name, None):
            raise ConfigError(f"-p {name}: a sweep writes its runs into --out; leave it out")
    result = run_sweep(grid_points(parameters, grid, seeds), out, reports=True)
    print_sweep(result)
    print(f"report: {(out / 'index.html').resolve()}")
    return 130 if result.interrupted else 1 if result.count("failed") else 0


def _serve(command: list[str], env: dict[str, str] | None = None) -> int:
    """Run a server (JupyterLab, Voilà) in the foreground until it exits. Ctrl-C, SIGTERM or a
    closed terminal stop it with SIGTERM, on which both shut their kernels down; it is killed
    only if it has not exited 30 s later (a kill would orphan the kernels)."""
    process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, env={**os.environ, **(env or {})})

    def forward(signum, frame):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, forward) for s in stops}
    try:
        return process.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _jupyter(args: list[str]) -> int:
    executable = Path(sys.executable).with_name("jupyter")
    if not executable.exists():
        raise ConfigError("JupyterLab is not installed: pip install -e '.[notebooks]'")
    return _serve([str(executable), *args])


def _cmd_lab(args: argparse.Namespace) -> int:
    extra = ["--no-browser"] if args.no_browser else []
    extra += ["--allow-root"] if args.allow_root else []
    return _jupyter(["lab", "--notebook-dir", "notebooks", f"--port={args.port}", *extra])


def _cmd_classroom(args: argparse.Namespace) -> int:
    voila = Path(sys.executable).with_name("voila")
    if not voila.exists():
        raise ConfigError("Voilà is not installed: pip install -e '.[notebooks]'")
    if args.cull_idle < 2:
        raise ConfigError(f"--cull-idle {args.cull_idle}: give at least 2 seconds")
    from workbench.widgets.links import CLASSROOM_DENIED, CLASSROOM_FILES

    command = [str(voila), CLASSROOM_NOTEBOOK, f"--port={args.port}", "--theme=light"]
    # Voilà's lab template without its Font Awesome CDN links (workbench/classroom/)
    command.append(f"--template={CLASSROOM_TEMPLATE.name}")
    # reports and exports the panel links to (the default serves images only: 403)
    command.append(f"--VoilaConfiguration.file_allowlist={list(CLASSROOM_FILES)!r}")
    command.append(f"--VoilaConfiguration.file_denylist={list(CLASSROOM_DENIED)!r}")
    # A closed page's kernel ends at once (Voilà's beforeunload beacon); one whose page crashed
    # or lost its network has no connection left and ends after --cull-idle seconds without
    # activity. Connected pages are never culled: a student reading the page keeps it.
    interval = max(1, min(60, args.cull_idle // 2))
    command += [
        f"--MappingKernelManager.cull_idle_timeout={args.cull_idle}",
        f"--MappingKernelManager.cull_interval={interval}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if args.ip:
        command.append(f"--Voila.ip={args.ip}")
    search = [str(CLASSROOM_TEMPLATE.parents[2]), os.environ.get("JUPYTER_PATH", "")]
    return _serve(command, {"JUPYTER_PATH": os.pathsep.join(filter(None, search))})


def _cmd_course(args: argparse.Namespace) -> int:
    from workbench.course import write_course

    kind, out = ("student", args.student) if args.student else ("teacher", args.teacher)
    written = write_course(Path(out), kind)
    print(f"{kind} edition: {len(written)} notebooks in {Path(out).resolve()}")
    return 0


def add_commands(sub) -> None:
    """Register ``report``, ``lab``, ``classroom`` and ``course``."""
    report = sub.add_parser(
        "report", help="execute notebooks/report.ipynb with papermill → notebook, HTML, JSON"
    )
    report.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="report parameter, e.g. -p noise_profile ibm-mumbai-max -p seeds [0,1,2]",
    )
    report.add_argument(
        "--out", type=folder, help="output folder (default reports/<preset>-<time>)"
    )
    report.add_argument(
        "--sweep",
        action="append",
        metavar="NAME=V1,V2",
        help="one run and report per value and seed (repeat for a grid; seeds=0,1 for seeds), "
        "plus index.html comparing them (see `workbench sweep`)",
    )
    report.set_defaults(handler=_cmd_report)

    lab = sub.add_parser("lab", help="open JupyterLab on the notebooks")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    lab.add_argument(
        "--allow-root", action="store_true", help="run as root (containers; JupyterLab refuses)"
    )
    lab.set_defaults(handler=_cmd_lab)

    classroom = sub.add_parser(
        "classroom", help="the live panel as a standalone page without code cells (Voilà)"
    )
    classroom.add_argument("--port", type=int, default=8866)
    classroom.add_argument("--ip", help="address to listen on (e.g. 0.0.0.0 for a class)")
    classroom.add_argument("--no-browser", action="store_true")
    classroom.add_argument(
        "--cull-idle",
        type=int,
        default=600,
        metavar="SECONDS",
        help="end the kernel of a page that lost its connection after this many idle seconds "
        "(default 600; a page closed normally ends its kernel at once)",
    )
    classroom.set_defaults(handler=_cmd_classroom)

    course = sub.add_parser(
        "course", help="write the course notebooks for students (no solutions) or teachers"
    )
    edition = course.add_mutually_exclusive_group(required=True)
    edition.add_argument("--student", type=folder, metavar="DIR",
                         help="without solutions and instructor notes")  # fmt: skip
    edition.add_argument("--teacher", type=folder, metavar="DIR",
                         help="with solutions and instructor notes")  # fmt: skip
    course.set_defaults(handler=_cmd_course)
