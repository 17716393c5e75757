"""Where sweep points run — a process pool here or Ray — behind one scheduling loop.

:func:`run_point` is the whole of a worker's job: :func:`workbench.runs.run_or_load` on the
point's folder (train, resume or load), then its report if asked. Because a point's state lives in
its folder, a worker that dies loses at most ``checkpoint_every`` episodes: the retried point
resumes from the checkpoint and, runs being deterministic, ends with the same metrics as an
uninterrupted run. ``local`` retries itself (a killed worker breaks the whole process pool, so the
pool is rebuilt and every point it was running is resubmitted); Ray retries crashed tasks itself
(``max_retries``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import ConfigError, WorkbenchError
from workbench.lock import FolderLock
from workbench.paths import check_output_folder, claim_output_folder
from workbench.sweep.grid import SweepPoint, check_folders
from workbench.sweep.index import PointOutcome, SweepProgress, write_results

ENGINES = ("local", "ray")
_STOP = None  # a pool worker's StopSignal, requested by SIGINT (set in _init_local_worker)
_BUSY = threading.Event()  # set while a worker runs a point


class WorkerDiedError(Exception):
    """The process running a point died (killed, out of memory, node lost)."""


def run_point(config: dict, folder: str, cpus: int, report_dir: str | None) -> str:
    """Train, resume or load one point's run folder (and write its report); its status."""
    import numba
    import torch

    from workbench.config import RunConfig
    from workbench.runs import run_or_load

    os.environ["OMP_NUM_THREADS"] = str(cpus)  # the agent's thread rule for large networks
    torch.set_num_threads(cpus)
    numba.set_num_threads(min(cpus, numba.config.NUMBA_NUM_THREADS))
    callbacks = [] if _STOP is None else [_STOP]
    _BUSY.set()
    try:
        result = run_or_load(RunConfig.from_dict(config), folder, callbacks, progress=False)
    finally:
        _BUSY.clear()
    status = result.summary.status
    if report_dir and status == "complete" and not (Path(report_dir) / "results.json").exists():
        from workbench.report import make_report

        make_report({"run_folder": folder}, report_dir)
    return status


def _init_local_worker() -> None:
    # Ctrl-C reaches the whole process group: finish the episode, checkpoint, report "stopped".
    global _STOP
    from workbench.callbacks import StopSignal

    _STOP = StopSignal()
    signal.signal(signal.SIGINT, lambda signum, frame: _STOP.request())
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True).start()


ORPHAN_CHECK_SECONDS = 1.0


def _stop_when_orphaned(parent: int) -> None:
    """A pool worker whose sweep process was killed (``kill -9`` of the parent alone) would train
    on for ever, holding its run folder: once the parent is gone, stop after the current episode
    (the folder is checkpointed and released), then exit — nobody is left to take the result."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    _STOP.request()
    while _BUSY.is_set():  # the point checkpoints and releases its folder
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


class LocalEngine:
    """A process pool (spawned workers, so no state leaks from the caller) of ``workers``.

    A worker killed from outside breaks the whole pool: every future of that pool then fails
    with ``BrokenProcessPool`` and may do so before or after the next submission. The broken
    pool is discarded once (its processes killed and reaped, so their run-folder locks read as
    stale), the next submission gets a fresh pool, and each failed future is resubmitted.
    """

    retries_itself = False

    def __init__(self, workers: int) -> None:
        self.capacity, self.pool, self.pools = workers, None, {}

    def submit(self, args: tuple):
        from concurrent.futures.process import BrokenProcessPool

        for _ in range(3):
            pool = self._current()
            try:
                future = pool.submit(run_point, *args)
            except BrokenProcessPool:  # broke since the last look: replace it
                self._discard(pool)
                continue
            self.pools[future] = pool
            return future
        raise WorkerDiedError("the process pool keeps breaking")

    def _current(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                self.capacity, mp_context=context, initializer=_init_local_worker
            )
        return self.pool

    def _discard(self, pool) -> None:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # reap: a zombie's pid would still look alive to a lock
            process.join(timeout=10)
        if self.pool is pool:
            self.pool = None

    def wait(self, handles: Sequence, timeout: float) -> list:
        from concurrent.futures import FIRST_COMPLETED, wait

        return list(wait(handles, timeout, return_when=FIRST_COMPLETED)[0])

    def result(self, handle) -> str:
        from concurrent.futures.process import BrokenProcessPool

        pool = self.pools.pop(handle, None)
        try:
            return handle.result()
        except BrokenProcessPool:
            if pool is not None and pool is self.pool:
                self._discard(pool)
            raise WorkerDiedError("a worker process died") from None

    def interrupt(self, handles: Sequence) -> None:
        for process in list(getattr(self.pool, "_processes", {}).values()):
            if process.is_alive():
                os.kill(process.pid, signal.SIGINT)

    def close(self, abort: bool = False) -> None:
        if self.pool is not None:
            if abort:
                self._discard(self.pool)
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None


class RayEngine:
    """Ray tasks on the cluster at ``address`` (``auto`` or ``HOST:PORT``) or, without one, on
    a local Ray instance of ``workers × cpus_per_run`` CPUs started and stopped here."""

    retries_itself = True

    def __init__(self, address, workers, cpus_per_run, gpus_per_run, retries, n_points) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError(
                "--engine ray needs Ray: pip install -c constraints.txt -e '.[cluster]'"
            ) from None
        self.ray, self.capacity = ray, n_points  # Ray queues by resources
        self.started = not ray.is_initialized()
        if self.started:
            options = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
            if address:
                ray.init(address=address, **options)
            else:
                ray.init(address="local", num_cpus=workers * cpus_per_run, **options)
        self.remote = ray.remote(run_point).options(
            num_cpus=cpus_per_run, num_gpus=gpus_per_run, max_retries=retries
        )

    def submit(self, args: tuple):
        return self.remote.remote(*args)

    def wait(self, handles: Sequence, timeout: float) -> list:
        ready, _ = self.ray.wait(list(handles), num_returns=1, timeout=timeout)
        if ready:  # everything else already finished too
            ready, _ = self.ray.wait(list(handles), num_returns=len(handles), timeout=0)
        return ready

    def result(self, handle) -> str:
        exceptions = self.ray.exceptions
        try:
            return self.ray.get(handle)
        except exceptions.RayTaskError as error:
            cause = getattr(error, "cause", None)
            raise (cause if isinstance(cause, Exception) else RuntimeError(str(error))) from None
        except exceptions.TaskCancelledError:
            return "stopped"
        except exceptions.RayError as error:
            raise WorkerDiedError(f"{type(error).__name__} after Ray's retries") from None

    def interrupt(self, handles: Sequence) -> None:
        for handle in handles:
            self.ray.cancel(handle)

    def close(self, abort: bool = False) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()


@dataclass(frozen=True)
class SweepResult:
    """A sweep's folder and one outcome per point (in grid order); ``interrupted`` when Ctrl-C
    stopped it (rerunning the same sweep resumes it)."""

    out: Path
    outcomes: tuple[PointOutcome, ...]
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def _check(engine, address, workers, cpus_per_run, gpus_per_run, retries) -> None:
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r}: allowed are {list(ENGINES)}")
    if address and engine != "ray":
        raise ConfigError(f"address={address!r} needs engine='ray'")
    for name, value, low in (
        ("workers", workers, 1),
        ("cpus_per_run", cpus_per_run, 1),
        ("gpus_per_run", gpus_per_run, 0),
        ("retries", retries, 0),
    ):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= low:
            raise ConfigError(f"{name}={value!r}: expected a number >= {low}")
    if gpus_per_run and engine != "ray":
        raise ConfigError("gpus_per_run needs engine='ray' (the local pool does not assign GPUs)")
    if address and address != "auto":
        _check_ray_address(address)


RAY_CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a Ray head's port to answer before refusing ``--address`` (Ray itself
retries a dead address for minutes and does not stop on Ctrl-C meanwhile)."""


def _check_ray_address(address: str) -> None:
    """``HOST:PORT`` of a Ray head that answers, or a ConfigError naming the address."""
    import socket

    host, _, port = address.rpartition(":")
    if address.startswith("ray://"):
        host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"address={address!r} is not a Ray address: expected 'auto' or HOST:PORT "
            "(e.g. 10.0.0.5:6379)"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), RAY_CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ConfigError(
            f"address={address!r}: no Ray head answers there ({error.strerror or error}); "
            "start one with `ray start --head` or check the address"
        ) from None


def run_sweep(
    points: Sequence[SweepPoint],
    out: str | Path,
    engine: str = "local",
    address: str | None = None,
    workers: int | None = None,
    cpus_per_run: int = 1,
    gpus_per_run: float = 0,
    retries: int = 2,
    reports: bool = False,
    progress: bool | None = None,
) -> SweepResult:
    """Run every point into ``out/<point.name>`` and write ``out/results.csv|json`` and
    ``out/index.html``. Finished points are loaded, not rerun; unfinished ones resume.

    ``workers``: points at a time (default: CPUs ÷ ``cpus_per_run``; for a local Ray instance,
    its CPUs ÷ ``cpus_per_run``). ``retries``: resubmissions of a point whose worker died.
    ``reports``: a report per finished run in ``out/reports/<name>/``. ``progress``: one bar
    for the sweep (default: on a terminal only). Everything is validated before anything runs.
    """
    out = Path(out)
    _check(engine, address, 1 if workers is None else workers, cpus_per_run, gpus_per_run, retries)
    workers = workers or max(1, (os.cpu_count() or 1) // int(cpus_per_run))
    if out.exists() and not out.is_dir():
        raise ConfigError(f"out={str(out)!r} is a file: give a folder for the sweep")
    check_output_folder(out, "sweep", legacy=_earlier_sweep)
    check_folders(points, out)
    claim_output_folder(out, "sweep")
    with FolderLock(out):  # a second sweep into the same folder is refused, not interleaved
        return _run_points(points, out, engine, address, workers, cpus_per_run, gpus_per_run,
                           retries, reports, progress)  # fmt: skip


def _earlier_sweep(folder: Path) -> bool:
    """A sweep folder written before sweep folders were marked: its index and results table."""
    try:
        data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "runs" in data and (folder / "index.html").exists()


def _run_points(points, out, engine, address, workers, cpus_per_run, gpus_per_run, retries,
                reports, progress) -> SweepResult:  # fmt: skip
    outcomes = {p.name: PointOutcome.read(p, out, reports) for p in points}
    todo = deque(p for p in points if not outcomes[p.name].finished(reports))
    bar = SweepProgress(len(points), len(points) - len(todo), progress)
    interrupted = False
    try:
        if todo:
            args = (engine, address, workers, cpus_per_run, gpus_per_run, retries)
            interrupted = _schedule(todo, out, outcomes, bar, *args, reports=reports)
    finally:
        bar.close()
        result = SweepResult(out, tuple(outcomes[p.name] for p in points), interrupted)
        write_results(result.out, result.outcomes)
    return result


def _schedule(todo, out, outcomes, bar, engine, address, workers, cpus, gpus, retries, reports):
    """The scheduling loop shared by both engines; True when interrupted by Ctrl-C."""
    if engine == "ray":
        runner = RayEngine(address, workers, cpus, gpus, retries, len(todo))
    else:
        runner = LocalEngine(workers)
    running, attempts, stopping = {}, dict.fromkeys((p.name for p in todo), 0), False
    presses = [0]  # Ctrl-C counted, never raised inside the pool's locks (a deadlock there)
    previous = _count_ctrl_c(presses)
    try:
        while todo or running:
            while todo and len(running) < runner.capacity and not stopping:
                point = todo.popleft()
                report = str(out / "reports" / point.name) if reports else None
                args = (point.config.to_dict(), str(out / point.name), cpus, report)
                running[runner.submit(args)] = point
                attempts[point.name] += 1
            bar.show(running=len(running))
            for handle in runner.wait(list(running), timeout=0.5):
                point = running.pop(handle)
                outcome = _finish(runner, handle, point, out, attempts, retries, reports)
                if outcome is None:  # the worker died: resubmit (it resumes)
                    todo.appendleft(point)
                    continue
                outcomes[point.name] = outcome
                bar.done(outcome)
                write_results(out, tuple(outcomes.values()), index=False)
            if presses[0] and stopping and presses[0] > 1:  # again: abort (folders resume)
                runner.close(abort=True)
                break
            if presses[0] and not stopping:
                stopping = True
                todo.clear()
                print(
                    "\nworkbench: stopping the sweep after the running episodes "
                    "(Ctrl-C again to abort); rerun the same command to resume",
                    file=sys.stderr,
                )
                runner.interrupt(list(running))
    finally:
        for number, handler in (previous or {}).items():
            signal.signal(number, handler)
        runner.close()
    for point in running.values():  # aborted: record what the folders hold
        outcomes[point.name] = PointOutcome.read(point, out, reports)
    return stopping


def _count_ctrl_c(presses: list[int]):
    """Count SIGINTs and SIGTERMs in ``presses[0]`` instead of raising KeyboardInterrupt (which,
    landing inside ``concurrent.futures`` while it holds a future's lock, hung the sweep) or
    dying (SIGTERM's default, which left the workers' episodes unsaved); the previous handlers,
    or None off the main thread (where no signal handler can be installed)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    from workbench.callbacks import STOP_SIGNALS  # SIGTERM reaches the parent only: it relays

    def count(signum, frame):
        presses[0] += 1

    return {s: signal.signal(s, count) for s in STOP_SIGNALS}


def _finish(runner, handle, point, out, attempts, retries, reports) -> PointOutcome | None:
    """The outcome of a finished handle, or None when the point should be resubmitted."""
    n = attempts[point.name]
    try:
        status = runner.result(handle)
    except WorkerDiedError as error:
        if not runner.retries_itself and n <= retries:
            return None
        return PointOutcome.read(point, out, reports, "failed", f"{error} ({n} attempts)", n)
    except WorkbenchError as error:
        return PointOutcome.read(point, out, reports, "failed", str(error), n)
    except Exception as error:  # a bug in one point must not end the others
        message = f"{type(error).__name__}: {error}"
        return PointOutcome.read(point, out, reports, "failed", message, n)
    return PointOutcome.read(point, out, reports, status, "", n)
