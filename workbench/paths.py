"""Where the workbench finds shipped data and writes caches.

``WORKBENCH_DATA_DIR`` overrides the data folder (default: ``data/`` at the repository root);
``WORKBENCH_CACHE_DIR`` overrides where freshly built problems are written when the data folder
is read-only (default: ``~/.cache/qas-workbench``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
