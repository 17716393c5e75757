"""Argument types and file readers shared by the command-line tools: every malformed value or
file becomes a named error (exit status 2), never a traceback."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError


def folder(text: str) -> str:
    """An ``--out`` folder: any path but the empty string (which would mean the current one)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder name")
    return text


def read_text_file(path: str | Path, what: str) -> str:
    """The UTF-8 text of the file ``path`` given as ``what``, or a ConfigError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} {str(path)!r}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{what} {str(path)!r} is not UTF-8 text (byte {error.start}: {error.reason}); "
            "save it as UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(f"{what} {str(path)!r} cannot be read ({error.strerror})") from None


def read_json_object(path: str | Path, what: str) -> dict[str, Any]:
    """The JSON object in the file ``path``, or a ConfigError naming the file and the problem."""
    text = read_text_file(path, what)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{what} {str(path)!r} is not valid JSON ({error.msg}, line {error.lineno} column "
            f"{error.colno})"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {str(path)!r} holds a {type(data).__name__}: expected an object")
    return data
