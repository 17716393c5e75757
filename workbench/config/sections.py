"""The sections of a run configuration: problem, noise, environment (with random halting),
curriculum and optimiser (the agent: :mod:`workbench.config.agent`). Each is frozen and
validates itself, naming the bad field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.config.molecule import (
    CHEMICAL_ACCURACY,
    MAX_BOND_LENGTH,
    MoleculeSpec,
    check_fields,
)
from workbench.errors import ConfigError

MAX_SEED = 2**32 - 1
"""Seeds seed numpy, torch and Python's random alike; numpy's legacy seeding stops here."""


def positive_int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> None:
    """An integer count in ``[minimum, maximum]`` (no upper limit when ``maximum`` is None)."""
    bad = isinstance(value, bool) or not isinstance(value, int) or value < minimum
    if bad or (maximum is not None and value > maximum):
        allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ConfigError(f"{name}={value!r} is not allowed: expected an integer {allowed}")


def _number_in(name: str, value: Any, low: float, high: float, open_low: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > high or value < low or (open_low and value == low):
        bracket = "(" if open_low else "["
        raise ConfigError(
            f"{name}={value!r} is not allowed: expected a number in {bracket}{low}, {high}]"
        )


def flag(name: str, value: Any) -> None:
    """A yes/no field: only ``true`` or ``false`` (JSON), never a string, number or list."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name}={value!r} is not allowed: expected true or false")


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not allowed: expected one of {', '.join(allowed)}")


@dataclass(frozen=True)
class ProblemConfig:
    r"""Which Hamiltonian: a preset id (``workbench problems``) or a custom molecule.

    Attributes:
        preset: a problem preset id (``workbench problems``), e.g. ``h2-2q``, ``lih-4q``;
            ``None`` with ``molecule``. Exactly one of the two.
        bond_length: Å, in (0, 10]: re-builds a diatomic preset at this distance (``None``: the
            preset's own geometry).
        molecule: a custom :class:`~workbench.config.MoleculeSpec` (``None`` with ``preset``).
        bond_lengths: Å, at least two, distinct: makes the run a *curve* run — one agent over
            the preset at every one of these distances, each training episode at one of them
            drawn at random, the bond length read by the agent as the observation's
            next-to-last entry (:class:`workbench.env.curve.CurveEnv`); the run's own problem
            (folder facts, best circuits) is the preset at ``bond_length`` (or its own
            geometry), which must be one of them. ``None``: one bond length.
    """

    preset: str | None = "h2-2q"
    bond_length: float | None = None
    molecule: MoleculeSpec | None = None
    bond_lengths: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.molecule, Mapping):
            object.__setattr__(self, "molecule", MoleculeSpec.from_dict(self.molecule))
        if (self.preset is None) == (self.molecule is None):
            raise ConfigError("give exactly one of problem.preset and problem.molecule")
        if self.bond_length is not None:
            _number_in("problem.bond_length", self.bond_length, 0.0, MAX_BOND_LENGTH, open_low=True)
        if self.bond_lengths is not None:
            self._check_curve()

    def _check_curve(self) -> None:
        name, values = "problem.bond_lengths", self.bond_lengths
        if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
            raise ConfigError(f"{name}={values!r} is not allowed: expected a list of Å")
        values = tuple(values)
        for value in values:
            _number_in(name, value, 0.0, MAX_BOND_LENGTH, open_low=True)
        if len(values) < 2 or len(set(values)) != len(values):
            raise ConfigError(
                f"{name}={list(values)} is not allowed: expected at least two distinct distances"
            )
        if self.molecule is not None:
            raise ConfigError(f"{name} applies to diatomic presets only, not to a custom molecule")
        object.__setattr__(self, "bond_lengths", tuple(sorted(float(v) for v in values)))

    @property
    def label(self) -> str:
        if self.molecule is not None:
            return self.molecule.name or self.molecule.formula()
        if self.bond_lengths is not None:
            low, high = self.bond_lengths[0], self.bond_lengths[-1]
            return f"{self.preset}@{low:g}-{high:g}A×{len(self.bond_lengths)}"
        return self.preset if self.bond_length is None else f"{self.preset}@{self.bond_length:g}"


@dataclass(frozen=True)
class HaltingConfig:
    r"""Random halting budget :math:`T=\mathrm{clip}(NB(n,p),\text{low},\text{high})` (§3.3).

    Defaults are the noiseless code's; :data:`NOISY_HALTING` is the noisy code's mode-of-100.

    Attributes:
        n: negative-binomial number of successes, ≥ 1.
        p: negative-binomial success probability, in (0, 1].
        low: smallest step budget T, ≥ 0.
        high: largest step budget T, ≥ ``low`` (at most the step cap).
        mode_of: ``None`` draws T per episode; k draws k budgets once and keeps their mode
            (the noisy code's fixed budget).
    """

    n: int = 70
    p: float = 0.573
    low: int = 25
    high: int = 70
    mode_of: int | None = None

    def __post_init__(self) -> None:
        positive_int("random_halting.n", self.n)
        _number_in("random_halting.p", self.p, 0.0, 1.0, open_low=True)
        positive_int("random_halting.low", self.low, minimum=0)
        positive_int("random_halting.high", self.high, minimum=max(self.low, 1))
        if self.mode_of is not None:
            positive_int("random_halting.mode_of", self.mode_of)


NOISY_HALTING = HaltingConfig(n=40, p=0.6, low=0, high=40, mode_of=100)

TARGETS = ("lower_bound", "exact")
BASIS_STATES = ("zero", "hartree_fock")
"""Starts prepared by X gates alone (what the baselines' ansätze start from)."""
INITIAL_STATES = (*BASIS_STATES, "mps")
OBSERVED_ENERGIES = ("raw", "relative")
REWARDS = ("incremental_with_fixed_ends", "log_to_threshold")


@dataclass(frozen=True)
class EnvConfig:
    r"""The circuit-growth environment (§2–4): step cap L, error target, reward, halting, masks.

    Success and chemical accuracy are always reported against the exact :math:`E_0` as well.

    Attributes:
        max_steps: the step cap L (gates the agent may add), ≥ 1.
        target: ``lower_bound`` — errors measured from :math:`\text{shift}-\sum|c_i|` (the
            paper's ``fake_min_energy``) — or ``exact`` (from the exact :math:`E_0`).
        reward: ``incremental_with_fixed_ends`` (the paper: +5 on success, −5 at the step cap,
            the clipped relative improvement otherwise) or ``log_to_threshold``
            (:mod:`workbench.env.rewards`).
        random_halting: a :class:`HaltingConfig` (a random step budget per episode, §3.3);
            ``None``: always the step cap.
        mask_illegal: mask actions that repeat or cancel the previous gate (§3.2).
        rotosolve_new_angle: one exact Rotosolve step on a new gate's angle before the
            optimiser runs.
        test_every: a greedy test episode every that many training episodes (``None``: none).
        initial_state: ``zero`` (the paper's :math:`|0\dots0\rangle`), ``hartree_fock``
            (fixed X gates prepare the Hartree–Fock basis state before the agent's gates; a
            departure from the paper) or ``mps`` (a bond-dimension-2 matrix-product-state
            approximation of the ground state, found by DMRG and prepared by a staircase of
            two-qubit blocks, :mod:`workbench.sim.mps`; its angles are optimised with the
            agent's, so use it with ``optimizer.method = lbfgs``: COBYLA's first simplex moves
            every angle by 1 rad and a budget below the number of angles leaves the warm start
            worse; a departure, after TensorRL-QAS).
        optimize_preparation: with ``initial_state = "mps"``, the angle optimiser also moves the
            preparation's angles at every step (``true``: the warm start is refined; ``false``:
            they stay at the MPS's and only the agent's angles are optimised — much cheaper when
            the staircase has 100+ angles).
        observation_energy: the energy entry of the observation, ``raw`` (Ha, the paper) or
            ``relative`` (1 at the start energy, 0 at the target: the same scale for every
            molecule).
        zy_rotations: the actions also include a two-qubit Pauli rotation
            :math:`e^{-i\theta Z_c Y_t/2}` (CNOT·RY·CNOT, one angle) on every CNOT pair
            (:mod:`workbench.env.encoding`; qubit-ADAPT's minimal pool): a block the agent adds
            in one step, identity at θ = 0, where single gates pass through a lone CNOT that can
            cost hundreds of mHa (a departure).
        zy_start_angle: a new ZY rotation's angle before the angle optimiser runs, rad, in
            (0, π]: at a stationary point (the MPS start, any optimised circuit) the gradient of
            every ZY angle vanishes at 0. 0.4 rad and −0.4 rad reached the same energies on all 90
            H2O-10q pairs (within 2 µHa).
    """

    max_steps: int = 40
    target: str = "lower_bound"
    reward: str = "incremental_with_fixed_ends"
    random_halting: HaltingConfig | None = None
    mask_illegal: bool = True
    rotosolve_new_angle: bool = False
    test_every: int | None = None
    initial_state: str = "zero"
    observation_energy: str = "raw"
    optimize_preparation: bool = True
    zy_rotations: bool = False
    zy_start_angle: float = 0.4

    def __post_init__(self) -> None:
        positive_int("env.max_steps", self.max_steps)
        flag("env.zy_rotations", self.zy_rotations)
        _number_in("env.zy_start_angle", self.zy_start_angle, 0.0, math.pi, open_low=True)
        _choice("env.observation_energy", self.observation_energy, OBSERVED_ENERGIES)
        flag("env.mask_illegal", self.mask_illegal)
        flag("env.rotosolve_new_angle", self.rotosolve_new_angle)
        flag("env.optimize_preparation", self.optimize_preparation)
        _choice("env.initial_state", self.initial_state, INITIAL_STATES)
        _choice("env.target", self.target, TARGETS)
        _choice("env.reward", self.reward, REWARDS)
        if isinstance(self.random_halting, Mapping):
            check_fields(HaltingConfig, self.random_halting, "env.random_halting")
            object.__setattr__(self, "random_halting", HaltingConfig(**self.random_halting))
        elif not isinstance(self.random_halting, HaltingConfig | None):
            raise ConfigError(
                f"env.random_halting={self.random_halting!r} is not allowed: expected null or "
                "a mapping of its fields (n, p, low, high)"
            )
        if self.test_every is not None:
            positive_int("env.test_every", self.test_every)


CURRICULA = ("moving_threshold", "fixed")
THRESHOLD_RULES = ("exact_midpoint", "start_energy")


@dataclass(frozen=True)
class CurriculumConfig:
    r"""Moving threshold (paper cfg keys in brackets, §4.2) or a fixed schedule.

    Attributes:
        kind: ``moving_threshold`` or ``fixed``.
        initial_threshold: :math:`\xi_0` [``accept_err``], Ha from the target energy. ``None``:
            set by ``initial_threshold_rule``.
        initial_threshold_rule: ``"exact_midpoint"``:
            :math:`(E_0-E_{\min}) + \tfrac12|E_{|0\dots0\rangle}-E_0|`, half-way from the empty
            circuit to the ground state (0.98 / 2.41 / 2.77 Ha for H2-2q / LiH-4q / LiH-6q on the
            lower bound, close to the paper's 0.97 / 2.45 / 2.90; it needs the exact
            :math:`E_0`). ``"start_energy"``: :math:`|E_{\min} - E_{\text{start}}|`, success
            is any energy below the episode's initial state (no exact diagonalisation needed).
        greedy_shift_interval: G [``shift_threshold_time``], episodes.
        amortisation_radius: δ [``shift_threshold_ball``], Ha.
        successes_per_shrink: [``success_thresh``].
        shrink_steps: K [``succ_radius_shift``].
        shrink_switch: [``succes_switch``], Ha; ``None``: equal to the initial threshold, as in
            every paper cfg.
        thresholds, switch_episodes: the fixed schedule, ξ = ``thresholds[i]`` until episode
            ``switch_episodes[i]`` (measured from the target energy).
    """

    kind: str = "moving_threshold"
    initial_threshold: float | None = None
    initial_threshold_rule: str = "exact_midpoint"
    greedy_shift_interval: int = 500
    amortisation_radius: float = 5e-4
    successes_per_shrink: int = 25
    shrink_steps: int = 10
    shrink_switch: float | None = None
    thresholds: tuple[float, ...] = (CHEMICAL_ACCURACY,)
    switch_episodes: tuple[int, ...] = (10**9,)

    def __post_init__(self) -> None:
        _choice("curriculum.kind", self.kind, CURRICULA)
        _choice("curriculum.initial_threshold_rule", self.initial_threshold_rule, THRESHOLD_RULES)
        if self.initial_threshold is not None:
            _number_in("curriculum.initial_threshold", self.initial_threshold, 0, 1e6, True)
        positive_int("curriculum.greedy_shift_interval", self.greedy_shift_interval)
        _number_in("curriculum.amortisation_radius", self.amortisation_radius, 0.0, 1e6)
        positive_int("curriculum.successes_per_shrink", self.successes_per_shrink)
        positive_int("curriculum.shrink_steps", self.shrink_steps)
        if self.shrink_switch is not None:
            _number_in("curriculum.shrink_switch", self.shrink_switch, 0.0, 1e6, open_low=True)
        for name in ("thresholds", "switch_episodes"):
            if not isinstance(getattr(self, name), list | tuple):
                raise ConfigError(f"curriculum.{name}={getattr(self, name)!r}: expected a list")
        for t in self.thresholds:
            _number_in("curriculum.thresholds", t, 0.0, 1e6, open_low=True)
        for e in self.switch_episodes:
            positive_int("curriculum.switch_episodes", e)
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))
        object.__setattr__(self, "switch_episodes", tuple(self.switch_episodes))
        if not self.thresholds or len(self.thresholds) != len(self.switch_episodes):
            raise ConfigError(
                "curriculum.thresholds and curriculum.switch_episodes need the same, non-zero "
                f"length (got {len(self.thresholds)} and {len(self.switch_episodes)})"
            )


OPTIMIZERS = ("cobyla", "lbfgs", "spsa", "adam_spsa", "adam_spsa3", "rotosolve")
ITERATION_BUDGET = ("cobyla", "lbfgs", "rotosolve")
"""Methods whose budget is ``max_iterations``; the others spend ``maxfev`` evaluations."""


@dataclass(frozen=True)
class OptimizerConfig:
    """Angle optimiser run after every action (§6), warm-started from the previous angles.

    Attributes:
        method: ``cobyla`` (scipy), ``lbfgs`` (scipy L-BFGS-B on exact adjoint or
            parameter-shift gradients; exact expectations only, not with ``noise.shots``),
            ``spsa`` (plain), ``adam_spsa``, ``adam_spsa3`` (three stages with N/100, N/10,
            N shots, N = ``noise.shots``) or ``rotosolve`` (sweeps).
        max_iterations: COBYLA or L-BFGS-B iterations [``global_iters``] or Rotosolve sweeps.
        maxfev: evaluation budget of (Adam-)SPSA, one entry, or three for ``adam_spsa3``.
        a, alpha, c, gamma, lam, beta1, beta2: the SPSA schedule and Adam moments (defaults:
            the paper's H2-2q Mumbai tuning, §6.3).
        adam_from_first_iteration: Adam-SPSA uses the Adam step from the first iteration;
            ``False`` (the paper's code) takes a plain SPSA step first.
    """

    method: str = "cobyla"
    max_iterations: int = 100
    maxfev: tuple[int, ...] = (500,)
    a: float = 1.2104
    alpha: float = 0.9531
    c: float = 0.1039
    gamma: float = 0.0984
    lam: float = 0.9277
    beta1: float = 0.9414
    beta2: float = 0.9983
    adam_from_first_iteration: bool = False

    def __post_init__(self) -> None:
        _choice("optimizer.method", self.method, OPTIMIZERS)
        flag("optimizer.adam_from_first_iteration", self.adam_from_first_iteration)
        positive_int("optimizer.max_iterations (the optimiser budget)", self.max_iterations)
        maxfev = (self.maxfev,) if isinstance(self.maxfev, int) else tuple(self.maxfev)
        object.__setattr__(self, "maxfev", maxfev)
        stages = 3 if self.method == "adam_spsa3" else 1
        if len(maxfev) != stages:
            raise ConfigError(
                f"optimizer.maxfev={list(maxfev)!r}: method {self.method!r} needs {stages} "
                "evaluation budget(s)"
            )
        for budget in maxfev:
            positive_int("optimizer.maxfev (the optimiser budget)", budget, minimum=2)
        for name in ("a", "c"):
            _number_in(f"optimizer.{name}", getattr(self, name), 0.0, 1e3, open_low=True)
        for name in ("alpha", "gamma", "lam"):
            _number_in(f"optimizer.{name}", getattr(self, name), 0.0, 10.0)
        for name in ("beta1", "beta2"):
            _number_in(f"optimizer.{name}", getattr(self, name), 0.0, 1.0)

    def check_shots(self, shots: int | None) -> None:
        """Refuse L-BFGS-B with shots: it needs exact energies and gradients (the one home of
        the rule: run configs and baselines ask here)."""
        if self.method == "lbfgs" and shots:
            raise ConfigError(
                f"optimizer.method='lbfgs' needs exact energies and gradients, but "
                f"noise.shots={shots}: use adam_spsa or cobyla with shots"
            )

    @property
    def budget(self) -> int:
        """The optimiser budget as one number: iterations (COBYLA, L-BFGS-B) or sweeps
        (Rotosolve) for :data:`ITERATION_BUDGET` methods, else the total evaluations."""
        return self.max_iterations if self.method in ITERATION_BUDGET else sum(self.maxfev)

    @property
    def budget_text(self) -> str:
        """The budget as written in tables: ``100`` or ``1191/357/119`` for three stages."""
        if self.method in ITERATION_BUDGET:
            return str(self.max_iterations)
        return "/".join(map(str, self.maxfev))


def budget_overrides(method: str, budget: int) -> dict[str, Any]:
    """The dotted config fields that give ``method`` the budget ``budget`` — the one home of
    the rule: iterations for :data:`ITERATION_BUDGET` methods, evaluations for (Adam-)SPSA,
    split 10 : 3 : 1 over the three stages of ``adam_spsa3`` as in the paper."""
    if method in ITERATION_BUDGET:
        return {"optimizer.method": method, "optimizer.max_iterations": budget}
    if method == "adam_spsa3":
        stages = [max(2, round(budget * w / 14)) for w in (10, 3, 1)]
        return {"optimizer.method": method, "optimizer.maxfev": stages}
    return {"optimizer.method": method, "optimizer.maxfev": [max(2, budget)]}
