r"""Angle optimisers behind one interface (spec §6): SPSA, Adam-SPSA, three-stage Adam-SPSA,
COBYLA and a Rotosolve step for one angle.

Every optimiser minimises a *batched* objective ``f(params, shots=None) -> energies`` with
``params`` of shape ``(batch, n_params)``; ``shots`` is the budget for that call (three-stage
Adam-SPSA changes it per stage). SPSA variants evaluate the new iterate and the next ± pair in
one call, :math:`1 + 3K` evaluations for K iterations as in the paper.

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

import numpy as np
from scipy.optimize import minimize as scipy_minimize

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
    """Adam-SPSA hyperparameters (defaults: the paper's H2-2q Mumbai tuning, spec §6.3).

    ``stages`` is a list of ``(max_evaluations, shots)``; one stage is plain Adam-SPSA, three
    stages with shots N/100, N/10, N is the paper's three-stage variant.
    """

    a: float = 1.2104
    alpha: float = 0.9531
    c: float = 0.1039
    gamma: float = 0.0984
    lam: float = 0.9277
    beta1: float = 0.9414
    beta2: float = 0.9983
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
    delta = rng.choice([-1.0, 1.0], size=theta.size)
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
            delta = rng.choice([-1.0, 1.0], size=theta.size)
            c_k = settings.c / (k + 2) ** settings.gamma
            values = objective(
                np.array([theta, theta + c_k * delta, theta - c_k * delta]), shots=schedule[k + 1]
            )
            evaluations += 3
        if values[0] < best_f:
            best_x, best_f = theta.copy(), float(values[0])
    return OptimizeResult(best_x, best_f, evaluations)


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
    x = np.array(x, dtype=float)
    trial = np.repeat(x[None, :], 3, axis=0)
    trial[:, index] += np.array([0.0, np.pi / 2, -np.pi / 2])
    e0, plus, minus = objective(trial)
    x[index] += -np.pi / 2 - math.atan2(2 * e0 - plus - minus, plus - minus)
    x[index] = (x[index] + np.pi) % (2 * np.pi) - np.pi
    return OptimizeResult(x, float(objective(x[None, :])[0]), 4)


def three_stage_shots(total_shots: int) -> tuple[int, int, int]:
    """The paper's shot budgets N/100, N/10, N for the three Adam-SPSA stages."""
    return (max(1, total_shots // 100), max(1, total_shots // 10), total_shots)
