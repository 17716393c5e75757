"""Molecular problem library: presets of the paper, any molecule, exact energies, and a cache.

Example:
    >>> from workbench.chem import get_problem
    >>> problem = get_problem("h2-2q")
    >>> round(problem.ground_energy, 6)
    -1.13727
"""

from __future__ import annotations

from workbench.chem.build import Problem, build_problem, problem_key
from workbench.chem.cache import (
    curve_bond_length,
    get_problem,
    problem_from_dict,
    problem_to_dict,
    rebuild_presets,
    resolve_curve,
    resolve_problem,
)
from workbench.chem.presets import PRESETS, Preset, get_preset
from workbench.config import MoleculeSpec

__all__ = [
    "PRESETS",
    "MoleculeSpec",
    "Preset",
    "Problem",
    "build_problem",
    "curve_bond_length",
    "get_preset",
    "get_problem",
    "problem_from_dict",
    "problem_key",
    "problem_to_dict",
    "rebuild_presets",
    "resolve_curve",
    "resolve_problem",
]
