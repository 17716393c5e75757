r"""The energy a search sees: raw, readout-mitigated and/or zero-noise extrapolated, exact or
sampled with shots — one definition for the environment, the baselines and every re-evaluation.

**Mitigation inside a search** (:class:`Mitigation`, from ``noise.readout_mitigation``,
``noise.zne_scales`` and ``noise.zne_fit``): every energy the search sees is
:math:`E_{\text{ZNE}} = \sum_k w_k E(\lambda_k)` with the weights :math:`w_k` of the linear or
Richardson fit (:func:`~workbench.sim.mitigation.zne_weights`, fixed by the scales:
:math:`\sum_k w_k = 1`, and for Richardson :math:`\sum_k w_k \lambda_k^j = 0` for
:math:`1 \le j < K`), :math:`E(\lambda_k)` the energy of the circuit folded
:math:`U (U^\dagger U)^{(\lambda_k - 1)/2}` (:func:`~workbench.sim.mitigation.folding`). With
exact expectations each :math:`E(\lambda_k)` is the folded circuit's exact energy (readout error
removed when readout is mitigated); with shots each folded circuit is sampled with the full
``shots`` per measurement group — :math:`K` circuits, :math:`K \cdot G \cdot N` shots per energy
(G groups), as a device spends them — and the estimate's variance is
:math:`\sum_k w_k^2\sigma_k^2`. Gradients are exact: :math:`\partial_i E_{\text{ZNE}} =
\sum_k w_k \sum_{j \to i} s_j \partial_j E(\lambda_k)` over the folded angles :math:`j` copied
from angle :math:`i` with sign :math:`s_j = \pm 1`.

**Shots.** Sampled energies are drawn parameter set by parameter set, then fold factor, then
measurement group (:mod:`workbench.sim.sampling`): a batch of parameter sets — SPSA's iterate and
± pair, the parameter-shift rule's shifts — draws from the random generator exactly what one
call per set draws, so batching an optimiser never changes a seeded run.

**Compiled once per circuit.** An optimiser calls the energy of one circuit thousands of times:
:func:`compiled_search_energy` (exact) and :class:`SampledEnergy` (shots) check the arguments,
fold the circuit and compile its noisy programs once, then each call is kernels and draws (the
same functions and floats as :func:`search_energies`, which builds one for each call).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.config.noise import check_zne
from workbench.noise import NoiseModel
from workbench.sim.circuit import Circuit
from workbench.sim.engine import (
    CompiledEnergy,
    _as_hamiltonian,
    _check_shots,
    _checked,
    _rng,
    energies,
    measured_distributions,
    read_out,
)
from workbench.sim.kernels import propagate
from workbench.sim.measurement import measurement_groups, shot_noise_energies
from workbench.sim.mitigation import folding, inverted_energies, zne_weights
from workbench.sim.program import compile_program


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
    shots = _check_shots(shots, "sample")
    if shots:
        sampled = SampledEnergy(circuit, hamiltonian, noise, mitigation)
        return sampled(circuit.check_parameters(params), shots, _rng(rng))
    exact_noise = mitigation.exact_noise(noise)
    if noise is None or not mitigation.zne_scales:
        return energies(circuit, params, hamiltonian, exact_noise)
    params = circuit.check_parameters(params)
    total = np.zeros(params.shape[0])
    for weight, scale in zip(mitigation.weights(), mitigation.zne_scales, strict=True):
        folded, index, sign = folding(circuit, scale)
        total += weight * energies(folded, params[:, index] * sign, hamiltonian, exact_noise)
    return total


class SampledEnergy:
    """The sampled energies a search sees for one circuit (module doc), checked, folded and
    compiled once; a call takes parameter sets ``(B, n_params)``, the shots per group and
    circuit (a positive integer; neither is re-validated: :func:`search_energies` checks them)
    and the random generator, and returns B energies (Ha)."""

    def __init__(self, circuit: Circuit, hamiltonian, noise: NoiseModel | None,
                 mitigation: Mitigation | None = None, backend: str | None = None):  # fmt: skip
        hamiltonian = _checked(circuit, hamiltonian, noise)
        self.circuit, self.hamiltonian, self.noise = circuit, hamiltonian, noise
        self.mitigation, self.backend = mitigation or NO_MITIGATION, backend
        self.groups = measurement_groups(hamiltonian)
        scales = self.mitigation.zne_scales if noise is not None else ()
        self.weights = self.mitigation.weights() if scales else np.ones(1)
        self.parts = [folding(circuit, scale) for scale in scales] or [(circuit, None, None)]
        self.programs = None  # noiseless registers are sampled from state vectors
        if noise is not None and not noise.is_noiseless:
            self.programs = [compile_program(folded, noise) for folded, _, _ in self.parts]

    def __call__(self, params: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
        distributions = np.stack([self._read(k, params) for k in range(len(self.parts))])
        shift = self.hamiltonian.shift
        if self.mitigation.readout and self.noise is not None:
            return inverted_energies(distributions, self.groups, shift, self.noise, shots, rng,
                                     True, self.weights)  # fmt: skip
        return shot_noise_energies(distributions, self.groups, shift, shots, rng, "sample",
                                   self.weights)  # fmt: skip

    def _read(self, k: int, params: np.ndarray) -> np.ndarray:
        """Outcome distributions ``(G, B, 2**n)`` of the k-th (folded) circuit."""
        folded, index, sign = self.parts[k]
        angles = params if index is None else params[:, index] * sign
        if self.programs is None:
            return measured_distributions(folded, angles, self.hamiltonian, self.noise)[1]
        vectors = propagate(self.programs[k], angles, self.backend)
        return read_out(vectors, self.groups, self.noise)


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


