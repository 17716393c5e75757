"""Plain-text tables for the command line."""

from __future__ import annotations


def format_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    cells = [[_cell(row[key], fmt) for _, key, fmt in columns] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (h, _, _) in enumerate(columns)]
    header = [h for h, _, _ in columns]
    lines = [header, ["-" * w for w in widths], *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cell(value, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)
