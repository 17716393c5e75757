"""Where the workbench finds shipped data and writes caches.

``WORKBENCH_DATA_DIR`` overrides the data folder (default: ``data/`` at the repository root);
``WORKBENCH_CACHE_DIR`` overrides where freshly built problems are written when the data folder
is read-only (default: ``~/.cache/qas-workbench``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench.errors import ConfigError

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The folder holding shipped data (problem presets, device profiles)."""
    return Path(os.environ.get("WORKBENCH_DATA_DIR", REPOSITORY_ROOT / "data"))


def cache_dir() -> Path:
    """A writable folder for caches that are not shipped."""
    default = Path.home() / ".cache" / "qas-workbench"
    return Path(os.environ.get("WORKBENCH_CACHE_DIR", default))


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; these are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _named_folder(folder: Path, what: str) -> Path:
    """``folder`` as a Path, refused when it names no folder (``''``, ``.``) or names a file."""
    folder = Path(folder)
    if str(folder) in ("", "."):
        raise ConfigError(f"{what}={str(folder)!r}: give a folder name")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{what}={str(folder)!r} is a file, not a folder: choose another {what}")
    return folder


def make_folder(folder: Path, what: str = "--out") -> Path:
    """``folder`` created with its parents, or a ConfigError naming it: under a file, a dangling
    symbolic link, a read-only or system place (``/proc``) — never a raw ``OSError``."""
    folder = _named_folder(folder, what)
    if folder.is_symlink() and not folder.exists():
        raise ConfigError(f"{what}={str(folder)!r} is a symbolic link to nothing: remove it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(f"{what}={str(folder)!r} cannot be created ({reason})") from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"{what}={str(folder)!r} is not writable")
    return folder


OUTPUT_MARKERS = {"report": ".workbench-report", "sweep": ".workbench-sweep"}
"""The file that marks a folder as written by ``workbench report`` or ``workbench sweep``."""


def check_output_folder(folder: Path, kind: str, what: str = "--out", legacy=None) -> None:
    """Refuse, before anything is written, an existing folder that holds anything but an earlier
    ``kind`` output (its marker file; ``legacy(folder)`` True for one written before markers
    existed): a user's own ``results.json`` or ``report.html`` must never be overwritten."""
    folder = _named_folder(folder, what)
    if not folder.is_dir() or (folder / OUTPUT_MARKERS[kind]).exists():
        return
    entries = sorted(p.name for p in folder.iterdir())
    if entries and not (legacy is not None and legacy(folder)):
        shown = ", ".join(entries[:4]) + (", …" if len(entries) > 4 else "")
        raise ConfigError(
            f"{what}={str(folder)!r} holds files that no workbench {kind} wrote ({shown}): "
            f"choose another {what} (they are never overwritten)"
        )


def claim_output_folder(folder: Path, kind: str, what: str = "--out") -> Path:
    """Create ``folder`` (:func:`make_folder`) and mark it as a ``kind`` output."""
    folder = make_folder(folder, what)
    (folder / OUTPUT_MARKERS[kind]).touch()
    return folder
