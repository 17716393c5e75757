"""Links from the panel to files the kernel wrote (reports, exports), through the page's server.

The kernel knows file-system paths; the browser needs URLs. JupyterLab serves its root folder at
``<base_url>files/<path>``; single-notebook Voilà (``workbench classroom``) serves the notebook's
folder — the kernel's working folder — at ``voila/files/<path>`` relative to the page, for the
file types ``workbench classroom`` allows (:data:`CLASSROOM_FILES`). Elsewhere (a script, papermill)
the link is a ``file://`` URI.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

# What the classroom page serves besides images: the panel's run folders' reports and exports.
CLASSROOM_FILES = (r".*\.(png|jpg|gif|svg)", r"runs/.*\.(html|qasm|json|py)")
# What it never serves: notebooks (Voilà's default also denies every .py — the PennyLane export
# answered 403; the allowlist above admits only the run folders' .py files)
CLASSROOM_DENIED = (r".*\.ipynb",)


def _jupyter_server() -> dict | None:
    """The Jupyter server that started this kernel (its parent process), if any."""
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return None
    servers = list(list_running_servers())
    return next((s for s in servers if s.get("pid") == os.getppid()), None)


def served_url(path: str | Path) -> str:
    """The URL under which the current page's server serves ``path`` (see the module doc)."""
    path = Path(path).resolve()
    if os.environ.get("SERVER_SOFTWARE", "").startswith("voila/"):
        try:
            return "voila/files/" + quote(path.relative_to(Path.cwd().resolve()).as_posix())
        except ValueError:
            return path.as_uri()
    server = _jupyter_server()
    if server is not None:
        try:
            relative = path.relative_to(Path(server["root_dir"]).resolve())
        except ValueError:
            return path.as_uri()
        return f"{server.get('base_url', '/')}files/{quote(relative.as_posix())}"
    return path.as_uri()


def file_link(path: str | Path, text: str | None = None, download: bool = False) -> str:
    """An HTML link to ``path`` (opens in a new tab, or downloads with ``download``)."""
    import html

    path = Path(path)
    attribute = f' download="{html.escape(path.name)}"' if download else ' target="_blank"'
    label = html.escape(text or path.name)
    return f'<a href="{html.escape(served_url(path))}"{attribute}>{label}</a>'
