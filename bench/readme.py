"""Benchmarks write their tables into README.md between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers, so the published numbers are always the measured ones."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def replace_block(name: str, text: str, path: Path = README) -> None:
    """Replace what lies between the ``name`` markers in ``path`` (README.md) by ``text``."""
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
