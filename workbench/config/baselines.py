"""Settings of the baseline methods (:mod:`workbench.baselines`): the single home of their
defaults, validated on construction like every config section."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.config.sections import (
    BASIS_STATES,
    MAX_SEED,
    OptimizerConfig,
    _choice,
    _number_in,
    flag,
    positive_int,
)
from workbench.errors import ConfigError

BASELINE_METHODS = ("hea", "uccsd", "adapt", "random")
"""Hardware-efficient ansatz (depth sweep), UCCSD, ADAPT-VQE (each pool), random search."""
ADAPT_POOLS = ("fermionic", "qubit")


@dataclass(frozen=True)
class BaselineConfig:
    r"""What the baselines run and how hard they try.

    Attributes:
        methods: a subset of :data:`BASELINE_METHODS`, in the order they are run.
        optimizer: the angle optimiser of every method (``None``: L-BFGS-B with 1000 iterations
            on exact energies and gradients, Adam-SPSA with the run defaults when ``shots``
            are set).
        hea_layers: entangling layers tried by the hardware-efficient ansatz (one row each).
        hea_starts: optimisations per layer count, the best kept: the first from angles near 0
            (:math:`\mathcal N(0, 0.1^2)`), the others from uniform angles in :math:`[-\pi, \pi)`.
        adapt_pools: ADAPT-VQE operator pools (one row each): ``fermionic`` excitations, or
            ``qubit`` (their single Pauli words).
        adapt_max_operators: ADAPT stops after this many operators ...
        adapt_gradient_tolerance: ... or when the norm of the pool gradients is below this (Ha)
            ...
        adapt_stop_error: ... or, when set, as soon as the energy is within this error (Ha) of
            the exact E0 — a benchmark's rule, never a search's: it gives ADAPT's smallest
            circuit at a given accuracy (e.g. chemical accuracy, 1.6e-3) to compare with the
            agent's.
        random_budget: energy evaluations random search may spend (a run's own count, when
            compared with the agent).
        random_max_gates: the step cap L of a random episode.
        random_zy_rotations: random search's actions include the ZY rotations, as an agent's
            with ``env.zy_rotations`` (set from the run when compared with one).
        initial_state: the basis state HEA and random search start from (UCCSD and ADAPT-VQE
            start from the Hartree–Fock state by definition).
        seed: seeds initial HEA angles, SPSA directions, random actions and shot noise.
    """

    methods: tuple[str, ...] = BASELINE_METHODS
    optimizer: OptimizerConfig | None = None
    hea_layers: tuple[int, ...] = (1, 2, 3)
    hea_starts: int = 1
    adapt_pools: tuple[str, ...] = ADAPT_POOLS
    adapt_max_operators: int = 30
    adapt_gradient_tolerance: float = 1e-3
    adapt_stop_error: float | None = None
    random_budget: int = 20000
    random_max_gates: int = 20
    random_zy_rotations: bool = False
    initial_state: str = "hartree_fock"
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("methods", "hea_layers", "adapt_pools"):
            value = getattr(self, name)
            value = (value,) if isinstance(value, str | int) else tuple(value)
            if not value:
                raise ConfigError(f"{name}=(): give at least one")
            repeated = sorted({v for v in value if value.count(v) > 1}, key=str)
            if repeated:
                raise ConfigError(f"{name}={list(value)!r} names {repeated} twice: give each once")
            object.__setattr__(self, name, value)
        for method in self.methods:
            _choice("methods", method, BASELINE_METHODS)
        for pool in self.adapt_pools:
            _choice("adapt_pools", pool, ADAPT_POOLS)
        for layers in self.hea_layers:
            positive_int("hea_layers", layers)
        positive_int("hea_starts", self.hea_starts)
        positive_int("adapt_max_operators", self.adapt_max_operators)
        _number_in("adapt_gradient_tolerance", self.adapt_gradient_tolerance, 0.0, 10.0)
        if self.adapt_stop_error is not None:
            _number_in("adapt_stop_error", self.adapt_stop_error, 0.0, 10.0, open_low=True)
        positive_int("random_budget", self.random_budget)
        positive_int("random_max_gates", self.random_max_gates)
        flag("random_zy_rotations", self.random_zy_rotations)
        _choice("initial_state", self.initial_state, BASIS_STATES)
        positive_int("seed", self.seed, minimum=0, maximum=MAX_SEED)
        if self.optimizer is not None and not isinstance(self.optimizer, OptimizerConfig):
            raise ConfigError(f"optimizer={self.optimizer!r}: expected an OptimizerConfig")

    def optimizer_for(self, shots: int | None) -> OptimizerConfig:
        """The optimiser to use: the configured one, else the default for exact or shot-noisy
        energies (L-BFGS-B needs exact gradients)."""
        if self.optimizer is not None:
            self.optimizer.check_shots(shots)
            return self.optimizer
        if shots:
            return OptimizerConfig(method="adam_spsa")
        return OptimizerConfig(method="lbfgs", max_iterations=1000)
