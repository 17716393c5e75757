r"""Energies of (noisy) circuits: the simulator's public entry points.

``energies(circuit, params_batch, hamiltonian, noise, shots, rng)`` evaluates many parameter sets
in one call: without channels it uses the state-vector path, otherwise the PTM program (compiled
once per circuit and noise model, cached) on the numba kernel or the numpy fallback. The energy
is read from the Pauli components, :math:`E = s + \sum_k c_k r_{P_k}`, never from a dense H or ρ.
"""

from __future__ import annotations

import functools

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.paulis import PauliHamiltonian, word_index
from workbench.sim.circuit import Circuit
from workbench.sim.kernels import expectation, propagate
from workbench.sim.measurement import (
    SHOT_NOISE,
    apply_readout,
    measurement_groups,
    pauli_vector_distribution,
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
    hamiltonian = _as_hamiltonian(hamiltonian)
    if hamiltonian.n_qubits != circuit.n_qubits:
        raise ConfigError(
            f"the Hamiltonian acts on {hamiltonian.n_qubits} qubits, the circuit on "
            f"{circuit.n_qubits}: they must match"
        )
    params = circuit.check_parameters(params)
    shots = _check_shots(shots, shot_noise)
    if noise is not None:
        noise.check_size(circuit.n_qubits)
    noiseless = noise is None or noise.is_noiseless
    if noiseless:
        states = propagate_statevector(circuit, params)
    if shots is None:
        observable, indices = _observable(hamiltonian, noise)
        if noiseless:
            return statevector_expectation(states, observable)
        program = compile_program(circuit, noise)
        return expectation(
            program, params, indices, observable.coefficients, observable.shift, backend
        )
    if not noiseless:
        vectors = propagate(compile_program(circuit, noise), params, backend)
    groups = measurement_groups(hamiltonian)
    distributions = [
        apply_readout(
            statevector_distribution(states, g.basis)
            if noiseless
            else pauli_vector_distribution(vectors, g.basis),
            noise,
        )
        for g in groups
    ]
    return shot_noise_energies(
        distributions, groups, hamiltonian.shift, shots, _rng(rng), shot_noise
    )


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
