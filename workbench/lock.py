"""Run-folder ownership: one process at a time trains in a run folder.

Two processes writing the same folder (``train --out D`` and ``resume D``, two sweeps on one
folder) interleave their metrics and break each other's checkpoints; the lock turns that into a
clear error. The lock is the file ``.lock`` (the owner's pid and host as JSON), created with
``O_EXCL`` so exactly one process wins, and removed when the owner finishes, stops or fails. A
process killed with ``kill -9`` leaves its lock behind: the next process on the same host sees that
the pid is gone and takes the folder over, saying so.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

from workbench.errors import WorkbenchError


class FolderLock:
    """One process at a time trains in a run folder: ``.lock`` holds the owner's pid and host,
    created exclusively (``O_EXCL``) and removed on exit. A lock whose process is gone (killed,
    crashed) is taken over with a message; a live owner, or one on another host, is refused."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / ".lock"
        self.owned = False

    def __enter__(self) -> FolderLock:
        mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(mine)
            self.owned = True
            for stale in _temporary_files(self.path.parent):  # the folder is ours alone now
                stale.unlink(missing_ok=True)
            return self
        raise WorkbenchError(f"could not lock {self.path.parent}: another process keeps taking it")

    def _take_over_if_stale(self) -> None:
        owner = lock_owner(self.path.parent)
        if owner is None:  # unreadable: half-written by a process that died while writing
            self.path.unlink(missing_ok=True)
            return
        pid, host = owner
        if host != socket.gethostname():
            raise WorkbenchError(
                f"run folder {self.path.parent} is in use by process {pid} on {host}; "
                f"if that run is gone, delete {self.path}"
            )
        if _alive(pid):
            raise WorkbenchError(
                f"run folder {self.path.parent} is in use by process {pid}: wait for it, or stop "
                "it (Ctrl-C, or kill) and resume"
            )
        print(
            f"workbench: taking over {self.path} from process {pid}, which is gone", file=sys.stderr
        )
        self.path.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        if self.owned:
            self.path.unlink(missing_ok=True)
            self.owned = False


def lock_owner(folder: Path) -> tuple[int, str] | None:
    """``(pid, host)`` of the process that holds ``folder``'s lock, None when unlocked."""
    try:
        data = json.loads((Path(folder) / ".lock").read_text(encoding="utf-8"))
        return int(data["pid"]), str(data["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:  # a killed child not yet reaped (a zombie) still answers kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _temporary_files(folder: Path) -> list[Path]:
    """Half-written files (``.NAME.*.tmp``, see :func:`workbench.paths.atomic_write_text`); in a
    folder no live process holds, their writer was killed before it could rename them."""
    return [p for p in Path(folder).glob(".*.tmp") if p.is_file()]


def leftovers(folder: Path) -> list[Path]:
    """What killed writers left in ``folder`` and nothing else needs: a stale ``.lock`` and
    temporary files — empty while a live process holds the folder. A folder holding only these
    counts as empty (``kill -9`` of ``train --out D`` right after it locked ``D``)."""
    folder = Path(folder)
    if not folder.is_dir() or folder_in_use(folder):
        return []
    lock = [folder / ".lock"] if (folder / ".lock").exists() else []
    return lock + _temporary_files(folder)


def holds_nothing(folder: Path) -> bool:
    """Whether ``folder`` is missing, empty, or holds only :func:`leftovers`."""
    folder = Path(folder)
    if not folder.exists():
        return True
    return folder.is_dir() and set(folder.iterdir()) <= set(leftovers(folder))


def folder_in_use(folder: Path) -> bool:
    """Whether a live process holds ``folder``'s lock (one on another host counts as live)."""
    owner = lock_owner(folder)
    if owner is None:
        return False
    pid, host = owner
    return host != socket.gethostname() or _alive(pid)
