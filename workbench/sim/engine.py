r"""Energies of (noisy) circuits: the simulator's public entry points.

``energies(circuit, params_batch, hamiltonian, noise, shots, rng)`` evaluates many parameter sets
in one call: without channels it uses the compiled state-vector path (:mod:`workbench.sim.adjoint`,
numpy for gates outside RX/RY/RZ/CNOT/X), otherwise the PTM program (compiled once per circuit
and noise model, cached) on the numba kernel or the numpy fallback. The energy is read from the
Pauli components, :math:`E = s + \sum_k c_k r_{P_k}`, never from a dense H or ρ.

``energy_and_gradient`` gives exact derivatives for gradient-based angle optimisers: the adjoint
method without channels, the parameter-shift rule through the PTM engine with them — every
angle enters a fused noisy gate as :math:`R_0 + \cos\theta R_1 + \sin\theta R_2`, so
:math:`\partial_k E = \tfrac12[E(\theta+\tfrac\pi2 e_k) - E(\theta-\tfrac\pi2 e_k)]`
holds exactly under noise too (all 2P shifted circuits in one batched call).
"""

from __future__ import annotations

import functools

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.paulis import PauliHamiltonian, word_index
from workbench.sim import adjoint
from workbench.sim.circuit import Circuit
from workbench.sim.kernels import compiled_expectation, expectation, propagate
from workbench.sim.measurement import (
    SHOT_NOISE,
    apply_readout,
    measurement_groups,
    pauli_vector_distributions,
    readout_observable,
    shot_noise_energies,
    statevector_distribution,
)
from workbench.sim.program import compile_program
from workbench.sim.statevector import propagate_statevector, statevector_expectation


@functools.lru_cache(maxsize=128)
def _observable(hamiltonian: PauliHamiltonian, noise: NoiseModel | None):
    observable = readout_observable(hamiltonian, noise)
    indices = np.array([word_index(w) for w in observable.words], dtype=np.int64)
    return observable, indices


def _as_hamiltonian(hamiltonian) -> PauliHamiltonian:
    hamiltonian = getattr(hamiltonian, "hamiltonian", hamiltonian)  # accept a chem.Problem
    if not isinstance(hamiltonian, PauliHamiltonian):
        raise ConfigError(f"expected a PauliHamiltonian or a Problem, got {type(hamiltonian)}")
    return hamiltonian


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def _check_shots(shots, shot_noise: str) -> int | None:
    if shots is None or shots == 0:
        return None
    if isinstance(shots, bool) or not isinstance(shots, int | np.integer) or shots < 0:
        raise ConfigError(f"shots={shots!r}: expected None (exact) or a positive integer")
    if shot_noise not in SHOT_NOISE:
        raise ConfigError(f"shot_noise={shot_noise!r}: expected one of {', '.join(SHOT_NOISE)}")
    return int(shots)


def _checked(circuit: Circuit, hamiltonian, noise: NoiseModel | None) -> PauliHamiltonian:
    """The Hamiltonian, after checking that it, the circuit and the noise model agree in size."""
    hamiltonian = _as_hamiltonian(hamiltonian)
    if hamiltonian.n_qubits != circuit.n_qubits:
        raise ConfigError(
            f"the Hamiltonian acts on {hamiltonian.n_qubits} qubits, the circuit on "
            f"{circuit.n_qubits}: they must match"
        )
    if noise is not None:
        noise.check_size(circuit.n_qubits)
    return hamiltonian


def energies(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None = None,
    shots: int | None = None,
    rng=None,
    *,
    shot_noise: str = "sample",
    backend: str | None = None,
) -> np.ndarray:
    """Energies (Ha) of ``circuit`` for each parameter set in ``params`` (``(batch, n_params)``).

    Args:
        circuit: the circuit, from :math:`|0\\dots0\\rangle`.
        params: one set ``(n_params,)`` or many ``(batch, n_params)``, radians.
        hamiltonian: a :class:`PauliHamiltonian` or a :class:`workbench.chem.Problem`.
        noise: channels after gates and readout error; ``None`` is noiseless.
        shots: ``None`` (or 0) for the exact expectation; else shots per measurement group.
        rng: seed or ``numpy.random.Generator`` for the shot noise.
        shot_noise: ``"sample"`` (multinomial outcomes) or ``"gaussian"`` (exact variance).
        backend: ``"numba"`` (default when installed) or ``"numpy"`` for noisy circuits.

    Raises:
        ConfigError: size mismatch, bad parameters, shots, backend or noise model.
    """
    hamiltonian = _checked(circuit, hamiltonian, noise)
    params = circuit.check_parameters(params)
    shots = _check_shots(shots, shot_noise)
    noiseless = noise is None or noise.is_noiseless
    if shots is None:
        observable, indices = _observable(hamiltonian, noise)
        if noiseless:
            if adjoint.supported(circuit):
                return adjoint.energies(circuit, params, observable)
            return statevector_expectation(propagate_statevector(circuit, params), observable)
        program = compile_program(circuit, noise)
        return expectation(
            program, params, indices, observable.coefficients, observable.shift, backend
        )
    groups, distributions = measured_distributions(circuit, params, hamiltonian, noise, backend)
    return shot_noise_energies(
        distributions, groups, hamiltonian.shift, shots, _rng(rng), shot_noise
    )


def measured_distributions(
    circuit: Circuit, params, hamiltonian, noise: NoiseModel | None, backend: str | None = None
) -> tuple[tuple, np.ndarray]:
    """The measurement groups of ``hamiltonian`` and their outcome distributions
    ``(groups, batch, 2**n)``, each read out in its group's basis — readout error included (what
    shots sample)."""
    hamiltonian = _as_hamiltonian(hamiltonian)
    params = circuit.check_parameters(params)
    groups = measurement_groups(hamiltonian)
    if noise is None or noise.is_noiseless:
        states = propagate_statevector(circuit, params)
        distributions = np.stack([statevector_distribution(states, g.basis) for g in groups])
        return groups, apply_readout(distributions, noise)
    vectors = propagate(compile_program(circuit, noise), params, backend)
    return groups, read_out(vectors, groups, noise)


def read_out(vectors: np.ndarray, groups, noise: NoiseModel | None) -> np.ndarray:
    """Outcome distributions ``(groups, batch, 2**n)`` of Pauli vectors ``(batch, 4**n)``
    measured in each group's basis, readout error included."""
    return apply_readout(pauli_vector_distributions(vectors, _bases(groups)), noise)


@functools.lru_cache(maxsize=64)
def _bases(groups: tuple) -> tuple[str, ...]:
    return tuple(group.basis for group in groups)


def energy(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None = None,
    shots: int | None = None,
    rng=None,
    **options,
) -> float:
    """The energy of one parameter set (see :func:`energies`)."""
    values = energies(
        circuit,
        np.atleast_1d(np.asarray(params, dtype=float)),
        hamiltonian,
        noise,
        shots,
        rng,
        **options,
    )
    if values.shape[0] != 1:
        raise ConfigError("energy() takes one parameter set; use energies() for a batch")
    return float(values[0])


class CompiledEnergy:
    """The exact energy of one circuit under one Hamiltonian and noise model, checked and
    compiled once, for optimisers that call it point by point.

    :func:`energies` validates its arguments and dispatches on every call (tens of µs); this
    object does that work at construction — sizes, the noise model, the readout observable, the
    compiled gate list (noiseless) or fused PTM program (noisy), the kernel's argument arrays —
    so a call is the kernel and a dot product. Same kernels, same floating-point results as
    :func:`energies` and :func:`energy_and_gradient` (tested bit for bit). Exact expectations
    only: shot noise stays with :func:`energies`.

    Example:
        >>> objective = CompiledEnergy(circuit, problem, noise)  # doctest: +SKIP
        >>> objective(theta), objective.value_and_gradient(theta)  # doctest: +SKIP
    """

    def __init__(self, circuit: Circuit, hamiltonian, noise: NoiseModel | None = None,
                 backend: str | None = None) -> None:  # fmt: skip
        hamiltonian = _checked(circuit, hamiltonian, noise)  # energies()'s checks, once
        self.circuit, self.hamiltonian, self.noise = circuit, hamiltonian, noise
        observable, indices = _observable(hamiltonian, noise)
        noiseless = noise is None or noise.is_noiseless
        if noiseless and adjoint.supported(circuit):
            self._kernel = adjoint.CompiledCircuit(circuit, observable)
        elif noiseless:
            self._kernel = None  # gates outside the compiled set: the generic path
        else:
            self._kernel = compiled_expectation(
                compile_program(circuit, noise), indices, observable.coefficients,
                observable.shift, backend,
            )  # fmt: skip

    def __call__(self, theta: np.ndarray) -> float:
        """The energy (Ha) at one parameter set ``(n_params,)`` (not re-validated)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        if self._kernel is None:
            return float(energies(self.circuit, theta[None, :], self.hamiltonian, self.noise)[0])
        return self._kernel.energy(theta)

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy (Ha) and gradient (Ha/rad): the adjoint method noiseless, the parameter-shift
        rule under noise (as :func:`energy_and_gradient`)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        if isinstance(self._kernel, adjoint.CompiledCircuit):
            return self._kernel.energy_and_gradient(theta)
        return energy_and_gradient(self.circuit, theta, self.hamiltonian, self.noise)


def energy_and_gradient(
    circuit: Circuit, params, hamiltonian, noise: NoiseModel | None = None
) -> tuple[float, np.ndarray]:
    """Exact energy (Ha) and gradient (Ha/rad) at one parameter set ``(n_params,)``.

    Noiseless: the adjoint method (compiled). With channels: the parameter-shift rule, all
    :math:`2P` shifted circuits in one batched PTM call. Exact expectations only (no shots).
    """
    hamiltonian = _as_hamiltonian(hamiltonian)
    x = circuit.check_parameters(params)
    if x.shape[0] != 1:
        raise ConfigError("energy_and_gradient() takes one parameter set")
    x = x[0]
    if (noise is None or noise.is_noiseless) and adjoint.supported(circuit):
        return adjoint.energy_and_gradient(circuit, x, _observable(hamiltonian, noise)[0])
    values = energies(circuit, parameter_shift_batch(x, np.arange(x.size)), hamiltonian, noise)
    return parameter_shift_gradient(values)


def parameter_shift_batch(params: np.ndarray, indices) -> np.ndarray:
    r"""The parameter sets of the parameter-shift rule at ``params`` for the angles ``indices``:
    :math:`\theta`, then :math:`\theta + \frac\pi2 e_k` and :math:`\theta - \frac\pi2 e_k`
    for each :math:`k` in ``indices`` (one batch, one simulator call)."""
    indices = np.asarray(indices, dtype=np.int64)
    shifts = np.zeros((indices.size, params.size))
    shifts[np.arange(indices.size), indices] = np.pi / 2
    return np.concatenate([params[None, :], params + shifts, params - shifts])


def parameter_shift_gradient(values: np.ndarray) -> tuple[float, np.ndarray]:
    r"""The energy and :math:`\partial_k E = \frac12[E(\theta+\frac\pi2 e_k) -
    E(\theta-\frac\pi2 e_k)]` from the energies of a :func:`parameter_shift_batch`."""
    count = (len(values) - 1) // 2
    return float(values[0]), (values[1 : 1 + count] - values[1 + count :]) / 2
