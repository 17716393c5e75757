"""Shared fixtures: tolerances and an isolated data folder for cache tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture
def tol() -> float:
    """Tolerance for floating-point comparisons of energies in hartree."""
    return 1e-10


@pytest.fixture
def isolated_data(tmp_path, monkeypatch) -> Path:
    """A private copy of ``data/`` so cache tests never touch the repository."""
    data = tmp_path / "data"
    shutil.copytree(REPOSITORY / "data", data, ignore=shutil.ignore_patterns("cache"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(data))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "user-cache"))
    return data
