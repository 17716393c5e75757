"""Frozen, validated configuration objects: the single home of defaults.

:mod:`workbench.config.molecule` describes molecules (:class:`MoleculeSpec`);
:mod:`workbench.config.run` describes a CRLQAS search (:class:`RunConfig` and its sections);
:mod:`workbench.config.presets` names the paper's configurations and the demos.
"""

from workbench.config.agent import AGENT_KINDS, AgentConfig, paper_gamma
from workbench.config.baselines import ADAPT_POOLS, BASELINE_METHODS, BaselineConfig
from workbench.config.hashing import json_sha256
from workbench.config.molecule import (
    ATOMIC_NUMBERS,
    BOHR_PER_ANGSTROM,
    CHEMICAL_ACCURACY,
    CHEMICAL_ACCURACY_LABEL,
    MAX_BOND_LENGTH,
    MoleculeSpec,
    check_fields,
)
from workbench.config.noise import NoiseConfig
from workbench.config.presets import DEFAULT_RUN_PRESET, get_run_preset, run_presets
from workbench.config.run import RunConfig, parse_override, parse_value
from workbench.config.sections import (
    INITIAL_STATES,
    ITERATION_BUDGET,
    NOISY_HALTING,
    OPTIMIZERS,
    CurriculumConfig,
    EnvConfig,
    HaltingConfig,
    OptimizerConfig,
    ProblemConfig,
    budget_overrides,
)

__all__ = [
    "ADAPT_POOLS",
    "AGENT_KINDS",
    "ATOMIC_NUMBERS",
    "BASELINE_METHODS",
    "BOHR_PER_ANGSTROM",
    "CHEMICAL_ACCURACY",
    "CHEMICAL_ACCURACY_LABEL",
    "DEFAULT_RUN_PRESET",
    "INITIAL_STATES",
    "ITERATION_BUDGET",
    "MAX_BOND_LENGTH",
    "NOISY_HALTING",
    "OPTIMIZERS",
    "AgentConfig",
    "BaselineConfig",
    "CurriculumConfig",
    "EnvConfig",
    "HaltingConfig",
    "MoleculeSpec",
    "NoiseConfig",
    "OptimizerConfig",
    "ProblemConfig",
    "RunConfig",
    "budget_overrides",
    "check_fields",
    "get_run_preset",
    "json_sha256",
    "paper_gamma",
    "parse_override",
    "parse_value",
    "run_presets",
]
