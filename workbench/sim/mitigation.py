r"""Error mitigation on any circuit: readout-error inversion and zero-noise extrapolation.

**Readout.** Each wire's confusion matrix :math:`C_q` (``[read, true]``, from the noise model)
maps true outcome probabilities to read ones, independently per wire, so the register's is
:math:`\bigotimes_q C_q` and its inverse is :math:`\bigotimes_q C_q^{-1}` (tensored mitigation,
applied wire by wire, never as a :math:`2^n\times 2^n` inverse). With exact expectations the
inversion removes readout error exactly; with shots the inverted frequencies can leave the
simplex, and ``least_squares`` projects them back onto the nearest valid distribution (Euclidean
projection, as Smolin–Gambetta–Smith).

**Zero-noise extrapolation.** Global unitary folding :math:`U \to U (U^\dagger U)^k` keeps the
ideal circuit and multiplies the gate noise by the odd factor :math:`\lambda = 2k+1`; energies at
``scales`` are extrapolated to :math:`\lambda = 0` by a straight line (least squares), Richardson
(the polynomial through all points) or an exponential :math:`a + b\,e^{-c\lambda}`. Folding needs
each gate's inverse in the gate set: RX/RY/RZ (negated angle), CNOT, CZ, X, Y, Z, H.

The energy a search sees under a :class:`~workbench.sim.objective.Mitigation` is built from
these pieces in :mod:`workbench.sim.objective`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.sim.circuit import Circuit
from workbench.sim.engine import _as_hamiltonian, _rng, energies, measured_distributions
from workbench.sim.measurement import apply_per_wire, confusion_matrices, measurement_groups
from workbench.sim.sampling import multinomial_counts

FITS = ("linear", "richardson", "exponential")
_SELF_INVERSE = {"CNOT", "CZ", "X", "Y", "Z", "H"}


def invert_readout(
    probabilities: np.ndarray, noise: NoiseModel | None, least_squares: bool = False
) -> np.ndarray:
    """Outcome distributions ``(batch, 2**n)`` with each wire's confusion inverted."""
    if noise is None or not noise.has_readout_error:
        return probabilities
    n = int(np.log2(probabilities.shape[1]))
    result = apply_per_wire(probabilities, _inverse_confusions(noise, n))
    return project_to_simplex(result) if least_squares else result


@functools.lru_cache(maxsize=32)
def _inverse_confusions(noise: NoiseModel, n: int) -> tuple[np.ndarray, ...]:
    """Each wire's inverted confusion matrix, wire 0 first: computed once per noise model and
    register, not per call (a sampled, readout-mitigated energy inverts every group of every
    fold factor, thousands of times per search step)."""
    inverses = []
    for q, confusion in enumerate(confusion_matrices(noise, n)):
        if abs(np.linalg.det(confusion)) < 1e-9:
            raise ConfigError(f"readout of qubit {q} is not invertible (p01 + p10 = 1)")
        inverses.append(np.linalg.inv(confusion))
    return tuple(inverses)


def project_to_simplex(rows: np.ndarray) -> np.ndarray:
    """The nearest (Euclidean) probability vector to each row (sort-based projection)."""
    ordered = -np.sort(-rows, axis=1)
    cumulative = np.cumsum(ordered, axis=1) - 1.0
    index = np.arange(1, rows.shape[1] + 1)
    last = (ordered - cumulative / index > 0).sum(axis=1) - 1
    theta = cumulative[np.arange(rows.shape[0]), last] / (last + 1)
    return np.maximum(rows - theta[:, None], 0.0)


def readout_mitigated_energies(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None,
    shots: int | None = None,
    rng=None,
    least_squares: bool = False,
) -> np.ndarray:
    """Energies (Ha) from read-out distributions (sampled with ``shots`` per group, or exact)
    after inverting the readout error; gate noise stays."""
    hamiltonian = _as_hamiltonian(hamiltonian)
    groups, distributions = measured_distributions(circuit, params, hamiltonian, noise)
    return inverted_energies(distributions, groups, hamiltonian.shift, noise, shots, _rng(rng),
                             least_squares)  # fmt: skip


def inverted_energies(distributions, groups, shift: float, noise: NoiseModel | None,
                      shots: int | None, rng: np.random.Generator, least_squares: bool,
                      weights=(1.0,)) -> np.ndarray:  # fmt: skip
    r"""Energies (Ha) from outcome distributions ``(G, B, 2**n)`` — or ``(C, G, B, 2**n)`` for C
    circuits combined as :math:`\sum_c w_c E_c` — after inverting each wire's readout
    confusion; with ``shots``, frequencies of ``shots`` outcomes per group and circuit, drawn
    parameter set by parameter set (:mod:`workbench.sim.sampling`: a batch draws what one call
    per set draws)."""
    read = np.asarray(distributions)
    read = read[None] if read.ndim == 3 else read
    read = read / read.sum(axis=3, keepdims=True)
    n_circuits, n_groups, n_sets, size = read.shape
    if shots:
        rows = read.transpose(2, 0, 1, 3).reshape(n_sets, n_circuits * n_groups, size)
        counts = multinomial_counts(rows, shots, rng).reshape(n_sets, n_circuits, n_groups, size)
        read = counts.transpose(1, 2, 0, 3) / shots
    energy = np.full(n_sets, shift)
    for weight, circuit_read in zip(np.asarray(weights, dtype=float), read, strict=True):
        for group, group_read in zip(groups, circuit_read, strict=True):
            inverted = invert_readout(group_read, noise, least_squares)
            energy += weight * (inverted @ group.outcome_values)
    return energy


def fold(circuit: Circuit, params: Sequence[float], scale: int) -> tuple[Circuit, np.ndarray]:
    """Global unitary folding: ``U (U† U)^k`` for the odd ``scale = 2k + 1``, and its angles."""
    values = circuit.check_parameters(np.asarray(params, dtype=float)[None, :])[0]
    folded, index, sign = folding(circuit, scale)
    return folded, values[index] * sign


@functools.lru_cache(maxsize=256)
def folding(circuit: Circuit, scale: int) -> tuple[Circuit, np.ndarray, np.ndarray]:
    """The folded circuit ``U (U† U)^k`` (``scale = 2k + 1``) and, for each of its angles, the
    index of the circuit's angle it copies and the sign (+1 in U, −1 in U†): folded angles are
    ``params[index] * sign``. Cached per circuit (circuits are immutable)."""
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 1 \
            or scale % 2 == 0:  # fmt: skip
        raise ConfigError(f"fold scale {scale!r}: expected an odd integer >= 1 (1, 3, 5, ...)")
    unsupported = {op.gate for op in circuit.operations} - _SELF_INVERSE - {"RX", "RY", "RZ"}
    if unsupported:
        raise ConfigError(f"cannot fold gates {sorted(unsupported)}: their inverse is not a gate")
    forward = list(zip(circuit.gate_list(), circuit.parameter_indices(), strict=True))
    backward = list(reversed(forward))
    gates, index, sign = [], [], []
    for block, direction in [(forward, 1.0)] + [(backward, -1.0), (forward, 1.0)] * (scale // 2):
        for gate, angle in block:
            gates.append(tuple(gate))
            if angle >= 0:
                index.append(angle)
                sign.append(direction)
    folded = Circuit.from_gates(circuit.n_qubits, gates)
    return folded, np.asarray(index, dtype=np.int64), np.asarray(sign)


def zne_weights(scales: Sequence[float], fit: str = "richardson") -> np.ndarray:
    r"""The weights :math:`w_k` with :math:`E(0) \approx \sum_k w_k E(\lambda_k)` for the linear
    (least-squares line) and Richardson (polynomial through all points) fits."""
    x = np.asarray(scales, dtype=float)
    if fit not in ("linear", "richardson"):
        raise ConfigError(f"fit={fit!r}: weights exist for 'linear' and 'richardson' only")
    if len(x) < 2 or len(set(x)) != len(x):
        raise ConfigError(f"scales={list(scales)}: give at least two different noise scales")
    if fit == "linear":
        return np.linalg.pinv(np.column_stack([np.ones_like(x), x]))[0]
    return np.array([np.prod([xj / (xj - xi) for j, xj in enumerate(x) if j != i])
                     for i, xi in enumerate(x)])  # fmt: skip


def extrapolate(scales: Sequence[float], values: Sequence[float], fit: str = "richardson") -> float:
    """The value at zero noise from values at noise ``scales`` (see the module doc)."""
    x, y = np.asarray(scales, dtype=float), np.asarray(values, dtype=float)
    if fit not in FITS:
        raise ConfigError(f"fit={fit!r}: allowed are {list(FITS)}")
    if len(x) < 2 or len(set(x)) != len(x):
        raise ConfigError(f"scales={list(scales)}: give at least two different noise scales")
    if fit != "exponential":
        return float(np.dot(zne_weights(x, fit), y))
    if len(x) < 3:
        raise ConfigError("the exponential fit a + b·exp(-c·λ) needs at least three scales")
    from scipy.optimize import OptimizeWarning, curve_fit

    def model(s, a, b, c):
        return a + b * np.exp(-c * s)

    guess = (y[-1], y[0] - y[-1], 0.5)
    try:
        with warnings.catch_warnings():  # three points, three parameters: no covariance
            warnings.simplefilter("ignore", OptimizeWarning)
            (a, b, _), _ = curve_fit(model, x, y, p0=guess, maxfev=20000)
    except RuntimeError:
        raise ConfigError("the exponential fit did not converge: try fit='richardson'") from None
    return float(a + b)


def zne_energy(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None,
    scales: Sequence[int] = (1, 3, 5),
    fit: str = "richardson",
    shots: int | None = None,
    rng=None,
    readout: bool = False,
) -> tuple[float, list[float]]:
    """The zero-noise extrapolated energy and the energies at each fold ``scale`` (readout
    error inverted first when ``readout``)."""
    generator, values = _rng(rng), []
    for scale in scales:
        folded, angles = fold(circuit, params, int(scale))
        if readout:
            value = readout_mitigated_energies(
                folded, angles, hamiltonian, noise, shots, generator, least_squares=bool(shots)
            )[0]
        else:
            value = energies(folded, angles, hamiltonian, noise, shots, generator)[0]
        values.append(float(value))
    return extrapolate(scales, values, fit), values


def mitigation_record(circuit: Circuit, params, problem, noise: NoiseModel, scales=(1, 3, 5),
                      fit: str = "richardson", readout: bool = True, shots: int | None = None,
                      rng=None) -> dict:  # fmt: skip
    """Raw, readout-mitigated, ZNE and ZNE+readout energies of one circuit under ``noise`` (Ha),
    their errors against the exact E0 of ``problem``, the noiseless error, and the shots spent
    (``None`` with exact expectations). Without ``readout`` the ZNE+readout column is the ZNE
    value itself (not folded and run again)."""
    rng = _rng(rng)
    e0, params = problem.ground_energy, np.asarray(params, dtype=float)
    raw = float(energies(circuit, params, problem, noise, shots, rng)[0])
    fixed = float(readout_mitigated_energies(circuit, params, problem, noise, shots, rng,
                                             least_squares=bool(shots))[0])  # fmt: skip
    zne, _ = zne_energy(circuit, params, problem, noise, scales, fit, shots, rng)
    both = zne_energy(circuit, params, problem, noise, scales, fit, shots, rng, True)[0] \
        if readout else zne  # fmt: skip
    clean = float(energies(circuit, params, problem)[0])
    energy = {"raw": raw, "readout": fixed, "zne": zne, "zne+readout": both}
    groups = len(measurement_groups(_as_hamiltonian(problem)))
    folds = 2 if readout else 1  # ZNE runs, plus ZNE with readout inversion
    return {
        "n_gates": circuit.n_gates,
        "n_cnots": circuit.n_two_qubit,
        "noiseless_error": abs(clean - e0),
        **{f"{k}_energy": v for k, v in energy.items()},
        **{f"{k}_error": abs(v - e0) for k, v in energy.items()},
        "shots_spent": None if not shots else shots * groups * (2 + folds * len(scales)),
    }
