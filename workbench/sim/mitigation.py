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
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.sim.circuit import Circuit
from workbench.sim.engine import _as_hamiltonian, _rng, energies, measured_distributions
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


def search_energies(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None,
    shots: int | None,
    rng,
    mitigate_readout: bool = False,
) -> np.ndarray:
    """The energies a search sees: plain :func:`~workbench.sim.energies`, or with
    ``mitigate_readout`` the readout-mitigated ones — exact expectations under
    :func:`search_noise`, or sampled outcomes with each wire's confusion inverted and projected
    to a distribution (least squares)."""
    if mitigate_readout and noise is not None and shots:
        return readout_mitigated_energies(
            circuit, params, hamiltonian, noise, shots, rng, least_squares=True
        )
    return energies(circuit, params, hamiltonian, search_noise(noise, mitigate_readout), shots, rng)


def search_noise(noise: NoiseModel | None, mitigate_readout: bool) -> NoiseModel | None:
    """The noise under which *exact* expectations are what a search sees: the model itself, or
    with readout mitigation the gate noise alone (tensored inversion removes readout error
    exactly)."""
    return noise.without_readout() if mitigate_readout and noise is not None else noise


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
    """Global unitary folding: ``U (U† U)^k`` for the odd ``scale = 2k + 1``."""
    if scale < 1 or scale % 2 == 0:
        raise ConfigError(f"fold scale {scale!r}: expected an odd integer >= 1 (1, 3, 5, ...)")
    unsupported = {op.gate for op in circuit.operations} - _SELF_INVERSE - {"RX", "RY", "RZ"}
    if unsupported:
        raise ConfigError(f"cannot fold gates {sorted(unsupported)}: their inverse is not a gate")
    values = circuit.check_parameters(np.asarray(params, dtype=float)[None, :])[0]
    forward = list(zip(circuit.gate_list(), circuit.parameter_indices(), strict=True))
    backward = list(reversed(forward))
    gates, angles = [], []
    for block, sign in [(forward, 1.0)] + [(backward, -1.0), (forward, 1.0)] * (scale // 2):
        for gate, index in block:
            gates.append(tuple(gate))
            if index >= 0:
                angles.append(sign * values[index])
    return Circuit.from_gates(circuit.n_qubits, gates), np.asarray(angles)


def extrapolate(scales: Sequence[float], values: Sequence[float], fit: str = "richardson") -> float:
    """The value at zero noise from values at noise ``scales`` (see the module doc)."""
    x, y = np.asarray(scales, dtype=float), np.asarray(values, dtype=float)
    if fit not in FITS:
        raise ConfigError(f"fit={fit!r}: allowed are {list(FITS)}")
    if len(x) < 2 or len(set(x)) != len(x):
        raise ConfigError(f"scales={list(scales)}: give at least two different noise scales")
    if fit == "linear":
        return float(np.polyval(np.polyfit(x, y, 1), 0.0))
    if fit == "richardson":
        weights = [np.prod([xj / (xj - xi) for j, xj in enumerate(x) if j != i]) for i, xi in
                   enumerate(x)]  # fmt: skip
        return float(np.dot(weights, y))
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
