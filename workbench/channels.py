r"""Noise channels as Kraus operators (their local PTMs: :func:`workbench.paulis.ptm_from_kraus`).

Channel parametrisations (all checked against PennyLane's channels in the tests):

* ``depolarizing(p, k)``: :math:`\rho \mapsto (1-p)\rho + \frac{p}{4^k-1}\sum_{P\neq I} P\rho P`,
  :math:`p` the total Pauli error probability (PennyLane's ``DepolarizingChannel`` for
  :math:`k=1`). Qiskit's parameter is :math:`\lambda = \frac{4^k}{4^k-1}p`
  (:math:`4p/3` for one qubit, :math:`16p/15` for two).
* ``thermal_relaxation(t1, t2, gate_time)``: zero-temperature relaxation for a time
  :math:`t`, :math:`\gamma = 1-e^{-t/T_1}`: the PTM sends Z → (1−γ)Z + γI and X, Y →
  :math:`e^{-t/T_2}` X, Y. Needs :math:`T_2 \le 2T_1`. Times in µs (T1, T2) and ns (gate times).
* ``amplitude_damping(gamma)``, ``phase_damping(gamma)``: PennyLane's Kraus operators.

Which channel follows which gate, and readout error: :class:`workbench.noise.NoiseModel`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from workbench.errors import ConfigError
from workbench.paulis import PAULI_MATRICES

NS_PER_US = 1000.0


def check_probability(name: str, value: float) -> float:
    """``value`` as a float in [0, 1], or a ConfigError naming ``name``."""
    value = float(value)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ConfigError(f"{name}={value!r} is not a probability: expected a number in [0, 1]")
    return value


def depolarizing_kraus(p: float, n_qubits: int = 1) -> list[np.ndarray]:
    """Kraus operators of the ``n_qubits`` depolarizing channel with total error ``p``."""
    p = check_probability("depolarizing p", p)
    words = list(itertools.product("IXYZ", repeat=n_qubits))
    kraus = []
    for word in words:
        matrix = np.array([[1.0]], dtype=complex)
        for letter in word:
            matrix = np.kron(matrix, PAULI_MATRICES[letter])
        weight = 1 - p if set(word) == {"I"} else p / (len(words) - 1)
        kraus.append(math.sqrt(weight) * matrix)
    return kraus


def amplitude_damping_kraus(gamma: float) -> list[np.ndarray]:
    gamma = check_probability("amplitude damping gamma", gamma)
    return [
        np.array([[1, 0], [0, math.sqrt(1 - gamma)]]),
        np.array([[0, math.sqrt(gamma)], [0, 0]]),
    ]


def phase_damping_kraus(gamma: float) -> list[np.ndarray]:
    gamma = check_probability("phase damping gamma", gamma)
    return [
        np.array([[1, 0], [0, math.sqrt(1 - gamma)]]),
        np.array([[0, 0], [0, math.sqrt(gamma)]]),
    ]


def check_relaxation_times(t1: float, t2: float, where: str = "") -> None:
    """T1, T2 positive (µs) and physical: :math:`T_2 \\le 2T_1`."""
    for name, value in (("t1", t1), ("t2", t2)):
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"{name}={value!r}{where} must be a positive time in µs")
    if t2 > 2 * t1 * (1 + 1e-12):
        raise ConfigError(f"t2={t2} µs > 2*t1={2 * t1} µs{where}: T2 can be at most 2*T1")


def thermal_relaxation_kraus(t1: float, t2: float, gate_time: float) -> list[np.ndarray]:
    r"""Amplitude damping :math:`\gamma=1-e^{-t/T_1}` followed by the phase damping that makes
    the coherences decay as :math:`e^{-t/T_2}` (``t1, t2`` in µs, ``gate_time`` in ns)."""
    check_relaxation_times(t1, t2)
    if not (math.isfinite(gate_time) and gate_time >= 0):
        raise ConfigError(f"gate_time={gate_time!r} must be a non-negative time in ns")
    t = gate_time / NS_PER_US
    gamma = 1 - math.exp(-t / t1)
    dephasing = 1 - min(1.0, math.exp(-2 * t / t2 + t / t1))
    return [b @ a for a in amplitude_damping_kraus(gamma) for b in phase_damping_kraus(dephasing)]
