r"""Angle optimisers behind one interface (spec §6): SPSA, Adam-SPSA, three-stage Adam-SPSA,
COBYLA, L-BFGS-B on exact gradients, Rotosolve sweeps, and a Rotosolve step for one angle.
:func:`build_optimizer` makes one from a :class:`workbench.config.OptimizerConfig`.

Every optimiser minimises a *batched* objective ``f(params, shots=None) -> energies`` with
``params`` of shape ``(batch, n_params)``; ``shots`` is the budget for that call (three-stage
Adam-SPSA changes it per stage). Optimisers with ``uses_gradient = True`` (L-BFGS-B) also take
``value_and_gradient(x) -> (E, ∇E)`` at one point (adjoint or parameter-shift, see
:func:`workbench.sim.energy_and_gradient`). SPSA variants evaluate the new iterate and the
next ± pair in one call, :math:`1 + 3K` evaluations for K iterations as in the paper.

Adam-SPSA (spec §6.1), :math:`a_k = a/(k+1)^\alpha`, :math:`c_k = c/(k+1)^\gamma`,
Rademacher :math:`\Delta_k`,
:math:`g_k = \frac{f(\theta+c_k\Delta_k)-f(\theta-c_k\Delta_k)}{2c_k}\Delta_k` (element-wise
:math:`1/\Delta = \Delta`); on the first iteration the step is :math:`g_0`, afterwards Adam with a
decaying first-moment coefficient :math:`\beta_{1,k} = \beta_1/(k+1)^\lambda`:
:math:`m \leftarrow \beta_{1,k}m + (1-\beta_{1,k})g`, :math:`v \leftarrow \beta_2 v+(1-\beta_2)g^2`,
step :math:`\hat m/(\sqrt{\hat v}+\epsilon)` with :math:`\hat m = m/(1-\beta_{1,k}^{k+1})`,
:math:`\hat v = v/(1-\beta_2^{k+1})`. The best iterate seen is returned. The moment estimates and
schedules run on across the stages of the three-stage variant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.optimize import minimize as scipy_minimize

from workbench.config import OptimizerConfig
from workbench.errors import ConfigError

Objective = Callable[..., np.ndarray]


@dataclass(frozen=True)
class OptimizeResult:
    """Best parameters, their objective value, and the number of objective evaluations."""

    x: np.ndarray
    fun: float
    n_evaluations: int


@dataclass(frozen=True)
class AdamSPSA:
    """Adam-SPSA hyperparameters (see :class:`workbench.config.OptimizerConfig` for their
    meaning and defaults; :func:`build_optimizer` makes one from a config).

    ``stages`` is a list of ``(max_evaluations, shots)``; one stage is plain Adam-SPSA, three
    stages with shots N/100, N/10, N is the paper's three-stage variant.
    """

    a: float
    alpha: float
    c: float
    gamma: float
    lam: float
    beta1: float
    beta2: float
    epsilon: float = 1e-8
    stages: tuple[tuple[int, int | None], ...] = ((500, None),)
    adam_from_first_iteration: bool = False
    plain: bool = False

    def __post_init__(self) -> None:
        if not self.stages or any(maxfev < 2 for maxfev, _ in self.stages):
            raise ConfigError(f"stages={self.stages!r}: every stage needs max_evaluations >= 2")

    def minimize(self, objective: Objective, x0, rng: np.random.Generator) -> OptimizeResult:
        return adam_spsa(objective, x0, self, rng, plain=self.plain)


@dataclass(frozen=True)
class COBYLA:
    """scipy's COBYLA with ``max_iterations`` (the paper's ``global_iters``)."""

    max_iterations: int = 100

    def __post_init__(self) -> None:
        if self.max_iterations < 1:
            raise ConfigError(f"max_iterations={self.max_iterations}: the budget must be >= 1")

    def minimize(self, objective: Objective, x0, rng: np.random.Generator) -> OptimizeResult:
        return cobyla(objective, x0, self.max_iterations)


@dataclass(frozen=True)
class LBFGS:
    """scipy's L-BFGS-B on exact energies and gradients, warm-started; at most ``max_iterations``
    iterations, stopping when every gradient component is below ``gtol`` (Ha/rad). One objective
    evaluation returns the energy and the whole gradient, so ``n_evaluations`` counts both."""

    max_iterations: int = 100
    gtol: float = 1e-6
    uses_gradient: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.max_iterations < 1:
            raise ConfigError(f"max_iterations={self.max_iterations}: the budget must be >= 1")

    def minimize(
        self, objective: Objective, x0, rng: np.random.Generator, value_and_gradient=None
    ) -> OptimizeResult:
        x0 = np.array(x0, dtype=float)
        if x0.size == 0:
            return OptimizeResult(x0, float(objective(x0[None, :])[0]), 1)
        if value_and_gradient is None:
            raise ConfigError("L-BFGS-B needs value_and_gradient (exact energies and gradients)")
        result = scipy_minimize(
            value_and_gradient,
            x0,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": int(self.max_iterations), "gtol": self.gtol},
        )
        return OptimizeResult(np.asarray(result.x), float(result.fun), int(result.nfev))


@dataclass(frozen=True)
class Rotosolve:
    """``sweeps`` passes of exact single-angle minimisation over every angle in order (the
    predecessor's Rotosolve mode); 3 evaluations per angle and sweep, plus one at the end."""

    sweeps: int = 25

    def __post_init__(self) -> None:
        if self.sweeps < 1:
            raise ConfigError(f"sweeps={self.sweeps}: the budget must be >= 1")

    def minimize(self, objective: Objective, x0, rng: np.random.Generator) -> OptimizeResult:
        x, evaluations = np.array(x0, dtype=float), 0
        if x.size == 0:
            return OptimizeResult(x, float(objective(x[None, :])[0]), 1)
        for _ in range(self.sweeps):
            for index in range(x.size):
                x = _rotosolve_step(objective, x, index)
                evaluations += 3
        return OptimizeResult(x, float(objective(x[None, :])[0]), evaluations + 1)


def build_optimizer(config: OptimizerConfig, shots: int | None = None):
    """The optimiser a run config asks for; ``shots`` is N for the three-stage schedule."""
    spsa = {k: getattr(config, k) for k in ("a", "alpha", "c", "gamma", "lam", "beta1", "beta2")}
    spsa["adam_from_first_iteration"] = config.adam_from_first_iteration
    if config.method == "cobyla":
        return COBYLA(config.max_iterations)
    if config.method == "rotosolve":
        return Rotosolve(config.max_iterations)
    if config.method == "lbfgs":
        return LBFGS(config.max_iterations)
    if config.method == "adam_spsa3":
        if shots is None:
            raise ConfigError("three-stage Adam-SPSA needs a shot budget N (noise.shots)")
        stages = tuple(zip(config.maxfev, three_stage_shots(shots), strict=True))
        return AdamSPSA(**spsa, stages=stages)
    return AdamSPSA(**spsa, stages=((config.maxfev[0], shots),), plain=config.method == "spsa")


def adam_spsa(
    objective: Objective, x0, settings: AdamSPSA, rng: np.random.Generator, plain: bool = False
) -> OptimizeResult:
    """Minimise with (Adam-)SPSA; ``plain=True`` takes the raw gradient step (plain SPSA)."""
    theta = np.array(x0, dtype=float)
    if theta.size == 0:
        return OptimizeResult(theta, float(objective(theta[None, :])[0]), 1)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    schedule = [shots for maxfev, shots in settings.stages for _ in range(math.ceil(maxfev / 2))]
    delta = _rademacher(rng, theta.size)
    c_k = settings.c
    values = objective(
        np.array([theta, theta + c_k * delta, theta - c_k * delta]), shots=schedule[0]
    )
    best_x, best_f, evaluations = theta.copy(), float(values[0]), 3
    for k, shots in enumerate(schedule):
        gradient = (values[1] - values[2]) / (2 * c_k) * delta
        if plain or (k == 0 and not settings.adam_from_first_iteration):
            step = gradient
        else:
            beta1 = settings.beta1 / (k + 1) ** settings.lam
            m = beta1 * m + (1 - beta1) * gradient
            v = settings.beta2 * v + (1 - settings.beta2) * gradient**2
            m_hat = m / (1 - beta1 ** (k + 1))
            v_hat = v / (1 - settings.beta2 ** (k + 1))
            step = m_hat / (np.sqrt(v_hat) + settings.epsilon)
        theta = theta - settings.a / (k + 1) ** settings.alpha * step
        if k + 1 == len(schedule):  # last iterate: no further ± pair needed
            values = objective(theta[None, :], shots=shots)
            evaluations += 1
        else:
            delta = _rademacher(rng, theta.size)
            c_k = settings.c / (k + 2) ** settings.gamma
            values = objective(
                np.array([theta, theta + c_k * delta, theta - c_k * delta]), shots=schedule[k + 1]
            )
            evaluations += 3
        if values[0] < best_f:
            best_x, best_f = theta.copy(), float(values[0])
    return OptimizeResult(best_x, best_f, evaluations)


_SIGNS = np.array([-1.0, 1.0])


def _rademacher(rng: np.random.Generator, size: int) -> np.ndarray:
    """±1 with equal probability: ``rng.choice([-1.0, 1.0], size)``'s draws (the same integers
    from the same stream, tested) without its per-call argument checks (~5 µs an iteration)."""
    return _SIGNS[rng.integers(0, 2, size=size)]


def cobyla(objective: Objective, x0, max_iterations: int = 100) -> OptimizeResult:
    """scipy's COBYLA, warm-started at ``x0`` (one evaluation per call)."""
    x0 = np.array(x0, dtype=float)
    if x0.size == 0:
        return OptimizeResult(x0, float(objective(x0[None, :])[0]), 1)
    result = scipy_minimize(
        lambda x: float(objective(x[None, :])[0]),
        x0,
        method="COBYLA",
        options={"maxiter": int(max_iterations)},
    )
    return OptimizeResult(np.asarray(result.x), float(result.fun), int(result.nfev))


def rotosolve_angle(objective: Objective, x, index: int) -> OptimizeResult:
    r"""Exact minimiser of one angle: with :math:`E(\theta) = A\sin(\theta+\phi) + C`,
    :math:`\theta^* = -\pi/2 - \mathrm{atan2}(2E(0)-E(\pi/2)-E(-\pi/2),\,E(\pi/2)-E(-\pi/2))`
    (relative to the current value), from three evaluations in one batched call."""
    x = _rotosolve_step(objective, np.array(x, dtype=float), index)
    return OptimizeResult(x, float(objective(x[None, :])[0]), 4)


def _rotosolve_step(objective: Objective, x: np.ndarray, index: int) -> np.ndarray:
    x = x.copy()
    trial = np.repeat(x[None, :], 3, axis=0)
    trial[:, index] += np.array([0.0, np.pi / 2, -np.pi / 2])
    e0, plus, minus = objective(trial)
    x[index] += -np.pi / 2 - math.atan2(2 * e0 - plus - minus, plus - minus)
    x[index] = (x[index] + np.pi) % (2 * np.pi) - np.pi
    return x


def three_stage_shots(total_shots: int) -> tuple[int, int, int]:
    """The paper's shot budgets N/100, N/10, N for the three Adam-SPSA stages."""
    return (max(1, total_shots // 100), max(1, total_shots // 10), total_shots)
