"""Benchmarks write their tables between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers
in README.md or a page of the documentation site (``docs/``), so the published numbers are always
the measured ones. The markers say where a table lives: :func:`replace_block` finds them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def replace_block(name: str, text: str, path: Path | None = None) -> Path:
    """Replace what lies between the ``name`` markers by ``text`` in ``path`` (default: the one
    page of :func:`pages` that holds them); returns the page written."""
    start = f"<!-- {name}:start -->"
    if path is None:
        holders = [p for p in pages() if start in p.read_text(encoding="utf-8")]
        if len(holders) != 1:
            raise SystemExit(f"{len(holders)} pages hold the {name} markers: expected one")
        (path,) = holders
    old = path.read_text(encoding="utf-8")
    new, count = re.subn(
        rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
        lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(2),
        old,
        flags=re.S,
    )
    if count != 1:
        raise SystemExit(f"{path.name} lacks the {name} markers")
    path.write_text(new, encoding="utf-8")
    return path
