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

**Inside a search** (:class:`Mitigation`, from ``noise.readout_mitigation``, ``noise.zne_scales``
and ``noise.zne_fit``): every energy the search sees is
:math:`E_{\text{ZNE}} = \sum_k w_k E(\lambda_k)` with the weights :math:`w_k` of the linear or
Richardson fit (:func:`zne_weights`, fixed by the scales: :math:`\sum_k w_k = 1`, and for
Richardson :math:`\sum_k w_k \lambda_k^j = 0` for :math:`1 \le j < K`). With exact expectations
each :math:`E(\lambda_k)` is the folded circuit's exact energy (readout error removed when
readout is mitigated); with shots each folded circuit is sampled with the full ``shots`` per
measurement group — :math:`K` circuits, :math:`K \cdot G \cdot N` shots per energy (G groups),
as a device spends them — and the estimate's variance is :math:`\sum_k w_k^2\sigma_k^2`.
Gradients are exact: :math:`\partial_i E_{\text{ZNE}} = \sum_k w_k \sum_{j \to i} s_j
\partial_j E(\lambda_k)` over the folded angles :math:`j` copied from angle :math:`i` with sign
:math:`s_j = \pm 1`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.config.noise import check_zne
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.sim.circuit import Circuit
from workbench.sim.engine import (
    CompiledEnergy,
    _as_hamiltonian,
    _rng,
    energies,
    measured_distributions,
)
from workbench.sim.measurement import apply_per_wire, confusion_matrices, measurement_groups

FITS = ("linear", "richardson", "exponential")
_SELF_INVERSE = {"CNOT", "CZ", "X", "Y", "Z", "H"}


def invert_readout(
    probabilities: np.ndarray, noise: NoiseModel | None, least_squares: bool = False
) -> np.ndarray:
    """Outcome distributions ``(batch, 2**n)`` with each wire's confusion inverted."""
    if noise is None or not noise.has_readout_error:
        return probabilities
    n = int(np.log2(probabilities.shape[1]))
    inverses = []
    for q, confusion in enumerate(confusion_matrices(noise, n)):
        if abs(np.linalg.det(confusion)) < 1e-9:
            raise ConfigError(f"readout of qubit {q} is not invertible (p01 + p10 = 1)")
        inverses.append(np.linalg.inv(confusion))
    result = apply_per_wire(probabilities, inverses)
    return project_to_simplex(result) if least_squares else result


def project_to_simplex(rows: np.ndarray) -> np.ndarray:
    """The nearest (Euclidean) probability vector to each row (sort-based projection)."""
    ordered = -np.sort(-rows, axis=1)
    cumulative = np.cumsum(ordered, axis=1) - 1.0
    index = np.arange(1, rows.shape[1] + 1)
    last = (ordered - cumulative / index > 0).sum(axis=1) - 1
    theta = cumulative[np.arange(rows.shape[0]), last] / (last + 1)
    return np.maximum(rows - theta[:, None], 0.0)


@dataclass(frozen=True)
class Mitigation:
    """The error mitigation a search's objective applies (see the module doc): readout-error
    inversion and/or zero-noise extrapolation over the fold factors ``zne_scales`` (odd, at
    least two; empty: none) with ``zne_fit`` (``linear`` or ``richardson``). Built from a
    :class:`workbench.config.NoiseConfig` by :meth:`of`."""

    readout: bool = False
    zne_scales: tuple[int, ...] = ()
    zne_fit: str = "richardson"

    def __post_init__(self) -> None:
        object.__setattr__(self, "zne_scales", check_zne(self.zne_scales, self.zne_fit, ""))
        object.__setattr__(self, "readout", bool(self.readout))

    @classmethod
    def of(cls, config) -> Mitigation:
        """The mitigation a :class:`~workbench.config.NoiseConfig` asks for."""
        return cls(config.readout_mitigation, config.zne_scales, config.zne_fit)

    @property
    def circuits(self) -> int:
        """Circuits run per energy: one per fold factor (one without extrapolation)."""
        return len(self.zne_scales) or 1

    def weights(self) -> np.ndarray:
        """The extrapolation weights :math:`w_k` of :func:`zne_weights`."""
        return zne_weights(self.zne_scales, self.zne_fit)

    def exact_noise(self, noise: NoiseModel | None) -> NoiseModel | None:
        """The channels under which exact expectations are what the search sees (readout error
        removed when it is inverted: tensored inversion is exact without shots)."""
        return search_noise(noise, self.readout)


NO_MITIGATION = Mitigation()


def search_energies(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None,
    shots: int | None,
    rng,
    mitigation: Mitigation | None = None,
) -> np.ndarray:
    """The energies a search sees: plain :func:`~workbench.sim.energies`, readout-mitigated
    (exact: under :func:`search_noise`; sampled: each wire's confusion inverted and projected to
    a distribution) and/or extrapolated to zero noise from folded circuits (module doc)."""
    mitigation = mitigation or NO_MITIGATION
    if noise is None or not mitigation.zne_scales:
        return _mitigated_readout(circuit, params, hamiltonian, noise, shots, rng,
                                  mitigation.readout)  # fmt: skip
    params, generator = circuit.check_parameters(params), _rng(rng)
    total = np.zeros(params.shape[0])
    for weight, scale in zip(mitigation.weights(), mitigation.zne_scales, strict=True):
        folded, index, sign = folding(circuit, scale)
        total += weight * _mitigated_readout(folded, params[:, index] * sign, hamiltonian, noise,
                                             shots, generator, mitigation.readout)  # fmt: skip
    return total


def _mitigated_readout(circuit, params, hamiltonian, noise, shots, rng, readout: bool):
    if readout and noise is not None and shots:
        return readout_mitigated_energies(
            circuit, params, hamiltonian, noise, shots, rng, least_squares=True
        )
    return energies(circuit, params, hamiltonian, search_noise(noise, readout), shots, rng)


def search_noise(noise: NoiseModel | None, mitigate_readout: bool) -> NoiseModel | None:
    """The noise under which *exact* expectations are what a search sees: the model itself, or
    with readout mitigation the gate noise alone (tensored inversion removes readout error
    exactly)."""
    return noise.without_readout() if mitigate_readout and noise is not None else noise


def shots_per_energy(hamiltonian, shots: int | None, mitigation: Mitigation | None) -> int:
    """Shots one energy costs on a device: ``shots`` per measurement group per circuit run
    (one circuit per fold factor); 0 with exact expectations."""
    groups = len(measurement_groups(_as_hamiltonian(hamiltonian)))
    return (shots or 0) * groups * (mitigation or NO_MITIGATION).circuits


class ExtrapolatedEnergy:
    """The exact zero-noise-extrapolated energy of one circuit, compiled once: one
    :class:`~workbench.sim.CompiledEnergy` per folded circuit, combined with the extrapolation
    weights; the same interface (``circuit``, call, ``value_and_gradient``)."""

    def __init__(self, circuit: Circuit, hamiltonian, noise: NoiseModel, mitigation: Mitigation):
        self.circuit, self.weights = circuit, mitigation.weights()
        exact_noise = mitigation.exact_noise(noise)
        self.parts = []
        for scale in mitigation.zne_scales:
            folded, index, sign = folding(circuit, scale)
            self.parts.append((CompiledEnergy(folded, hamiltonian, exact_noise), index, sign))

    def __call__(self, theta: np.ndarray) -> float:
        """The extrapolated energy (Ha) at one parameter set (not re-validated)."""
        value = 0.0
        for weight, (energy, index, sign) in zip(self.weights, self.parts, strict=True):
            value += weight * energy(theta[index] * sign)
        return float(value)

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Extrapolated energy (Ha) and its gradient (Ha/rad), chained through the folds."""
        value, gradient = 0.0, np.zeros(theta.size)
        for weight, (energy, index, sign) in zip(self.weights, self.parts, strict=True):
            part, folded_gradient = energy.value_and_gradient(theta[index] * sign)
            value += weight * part
            gradient += weight * np.bincount(index, sign * folded_gradient, theta.size)
        return value, gradient


def compiled_search_energy(circuit: Circuit, hamiltonian, noise: NoiseModel | None,
                           mitigation: Mitigation | None = None):  # fmt: skip
    """The exact energy a search sees for ``circuit``, compiled once for point-by-point
    optimisers: a :class:`~workbench.sim.CompiledEnergy`, or an :class:`ExtrapolatedEnergy`."""
    mitigation = mitigation or NO_MITIGATION
    if noise is not None and mitigation.zne_scales:
        return ExtrapolatedEnergy(circuit, hamiltonian, noise, mitigation)
    return CompiledEnergy(circuit, hamiltonian, mitigation.exact_noise(noise))


def evaluated_record(circuit: Circuit, params, problem, noise: NoiseModel | None,
                     mitigation: Mitigation | None = None) -> dict:  # fmt: skip
    """The circuit record (:meth:`Circuit.record`) at ``params`` with its energies evaluated
    exactly: ``energy`` as the search sees it under the device ``noise`` and ``mitigation``
    (exact expectations, no shots), ``noiseless_energy`` without any noise; errors against
    ``problem.ground_energy``. The one re-evaluation every ``best.json`` record, pruned circuit
    and tracker uses."""
    batch = np.asarray(params, dtype=float)[None, :]
    exact = float(search_energies(circuit, batch, problem, noise, None, None, mitigation)[0])
    noiseless = exact if noise is None else float(energies(circuit, batch, problem)[0])
    return circuit.record(batch[0], exact, noiseless, problem.ground_energy)


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
    generator = _rng(rng)
    energy = np.full(distributions[0].shape[0], hamiltonian.shift)
    for group, read in zip(groups, distributions, strict=True):
        read = read / read.sum(axis=1, keepdims=True)
        if shots:
            read = generator.multinomial(shots, read) / shots
        energy += invert_readout(read, noise, least_squares) @ group.outcome_values
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
