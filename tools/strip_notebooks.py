"""Remove outputs, execution counts and widget state from notebooks (run by the pre-commit hook).

Usage: ``python tools/strip_notebooks.py [--check] NOTEBOOK...``; with ``--check`` nothing is
written and the exit status is 1 if any notebook carries outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def strip(notebook: dict) -> dict:
    """The notebook without outputs, execution counts or saved widget state."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    notebook.get("metadata", {}).pop("widgets", None)
    return notebook


def main(argv: list[str]) -> int:
    check = "--check" in argv
    dirty = []
    for name in (a for a in argv if a != "--check"):
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        clean = json.dumps(strip(json.loads(text)), indent=1, ensure_ascii=False) + "\n"
        if clean != text:
            dirty.append(name)
            if not check:
                path.write_text(clean, encoding="utf-8")
    if check and dirty:
        print("notebooks with outputs: " + ", ".join(dirty), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
