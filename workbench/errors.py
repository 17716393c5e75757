"""Exceptions for bad input: one family, so the CLI and widgets can report them cleanly."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class ConfigError(WorkbenchError, ValueError):
    """An input value is invalid; the message names the value and what is allowed."""


class ProblemError(WorkbenchError, ValueError):
    """A molecular problem cannot be built as specified (chemistry-level inconsistency)."""


class WorkbenchWarning(UserWarning):
    """Accepted, but probably not what was meant (the CLI prints it as one line)."""
