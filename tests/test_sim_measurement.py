"""Shot noise statistics, readout in the measured basis, physics bounds, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.devices import load_profile
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.paulis import PauliHamiltonian
from workbench.sim import (
    Circuit,
    energies,
    energy,
    measurement_groups,
    readout_energy_floor,
    readout_observable,
)

H2 = get_problem("h2-2q")
ANSATZ = Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1), ("RX", 1)])
NOISE = NoiseModel(depolarizing_1q=2e-3, depolarizing_2q=2e-2, readout_p01=0.03, readout_p10=0.06)


def group_variance(problem, params, noise, shots):
    """Σ_g Var(X_g)/N from the exact noisy distributions (recomputed from the definition)."""
    from workbench.sim.engine import compile_program, propagate
    from workbench.sim.measurement import apply_readout, pauli_vector_distribution

    vectors = propagate(compile_program(ANSATZ, noise), np.atleast_2d(params))
    total = 0.0
    for group in measurement_groups(problem.hamiltonian):
        p = apply_readout(pauli_vector_distribution(vectors, group.basis), noise)[0]
        values = np.array(
            [
                sum(
                    c
                    * (-1)
                    ** sum(
                        int(b)
                        for b, letter in zip(np.binary_repr(m, 2), w, strict=True)
                        if letter != "I"
                    )
                    for w, c in zip(group.words, group.coefficients, strict=True)
                )
                for m in range(4)
            ]
        )
        total += (p @ values**2 - (p @ values) ** 2) / shots
    return total


@pytest.mark.parametrize("method", ["sample", "gaussian"])
def test_shot_mean_and_variance(method):
    params = np.array([0.3, -0.4])
    exact = energy(ANSATZ, params, H2, NOISE)
    shots, repeats = 500, 4000
    samples = energies(
        ANSATZ, np.tile(params, (repeats, 1)), H2, NOISE, shots=shots, rng=7, shot_noise=method
    )
    predicted = group_variance(H2, params, NOISE, shots)
    assert abs(samples.mean() - exact) < 4 * np.sqrt(predicted / repeats)
    assert samples.var() == pytest.approx(predicted, rel=0.1)


def test_shots_are_reproducible_with_a_seed():
    a = energies(ANSATZ, np.zeros((3, 2)), H2, NOISE, shots=100, rng=3)
    b = energies(ANSATZ, np.zeros((3, 2)), H2, NOISE, shots=100, rng=3)
    np.testing.assert_array_equal(a, b)


def test_noiseless_shots_average_to_the_exact_energy():
    params = np.array([1.1, 0.2])
    samples = energies(ANSATZ, np.tile(params, (3000, 1)), H2, shots=200, rng=0)
    assert samples.mean() == pytest.approx(energy(ANSATZ, params, H2), abs=4 * samples.std() / 50)


def test_readout_damps_x_terms_too():
    """The original code's bit-flip readout left X terms untouched; here XX is measured."""
    xx = PauliHamiltonian.from_terms([("XX", 1.0)], 2)
    plus = Circuit.from_gates(2, [("H", 0), ("H", 1)])
    readout = NoiseModel(readout_p01=0.1, readout_p10=0.1)
    assert energy(plus, [], xx) == pytest.approx(1.0)
    assert energy(plus, [], xx, readout) == pytest.approx(0.8**2)


def test_asymmetric_readout_observable():
    z = PauliHamiltonian.from_terms([("Z", 1.0)], 1)
    observable = readout_observable(z, NoiseModel(readout_p01=0.1, readout_p10=0.3))
    assert observable.terms() == [("Z", pytest.approx(0.6))]
    assert observable.shift == pytest.approx(0.2)


def test_readout_energy_floor_by_hand_and_as_a_bound():
    z = PauliHamiltonian.from_terms([("Z", 1.0)], 1)
    # 0.6 Z + 0.2 has eigenvalues 0.8 and -0.4
    assert readout_energy_floor(z, NoiseModel(readout_p01=0.1, readout_p10=0.3)) == (
        pytest.approx(-0.4)
    )
    assert readout_energy_floor(H2.hamiltonian, None) == pytest.approx(H2.ground_energy)
    # independent: the dense readout observable Σ c ⊗_q (a_q P_q + b_q I), a = 1-p01-p10
    a, b = 1 - 0.03 - 0.06, 0.06 - 0.03
    letters = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Z": np.diag([1.0, -1.0])}
    letters["Y"] = np.array([[0, -1j], [1j, 0]])
    dense = H2.hamiltonian.shift * np.eye(4, dtype=complex)
    for word, c in H2.hamiltonian.terms():
        factors = [letters["I"] if w == "I" else a * letters[w] + b * letters["I"] for w in word]
        dense += c * np.kron(*factors)
    floor = readout_energy_floor(H2.hamiltonian, NOISE)
    assert floor == pytest.approx(np.linalg.eigvalsh(dense)[0], abs=1e-12)
    assert floor > H2.ground_energy + 0.01  # readout alone costs more than chemical accuracy
    params = np.random.default_rng(3).uniform(-np.pi, np.pi, (300, ANSATZ.n_params))
    assert energies(ANSATZ, params, H2, NOISE).min() >= floor - 1e-12


@pytest.mark.parametrize("preset", ["h2-2q", "h2-3q", "lih-4q", "lih-6q"])
def test_noiseless_energies_never_go_below_the_ground_energy(preset):
    problem = get_problem(preset)
    rng = np.random.default_rng(1)
    n = problem.n_qubits
    gates = [("RY", q) for q in range(n)] + [("CNOT", q, q + 1) for q in range(n - 1)]
    circuit = Circuit.from_gates(n, gates * 3)
    values = energies(circuit, rng.uniform(-np.pi, np.pi, (200, circuit.n_params)), problem)
    assert values.min() >= problem.ground_energy - 1e-10


def test_noise_raises_the_optimum():
    thetas = np.linspace(-np.pi, np.pi, 721)[:, None]
    circuit = Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1)])
    clean = energies(circuit, thetas, H2).min()
    noisy = energies(circuit, thetas, H2, load_profile("ibm-mumbai-max")).min()
    assert clean == pytest.approx(H2.ground_energy, abs=1e-5)
    assert noisy > clean + 1e-3


def test_groups_cover_every_term_once_and_commute_qubitwise():
    hamiltonian = get_problem("lih-4q").hamiltonian
    groups = measurement_groups(hamiltonian)
    words = [w for g in groups for w in g.words]
    assert sorted(words) == sorted(hamiltonian.words)
    for group in groups:
        for word in group.words:
            assert all(a in ("I", b) for a, b in zip(word, group.basis, strict=True))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Circuit.from_gates(2, [("RX", 2)]), r"wire\(s\) \[2\] outside 0..1"),
        (lambda: Circuit.from_gates(2, [("CNOT", 1, 1)]), "wires must be distinct"),
        (lambda: Circuit.from_gates(2, [("U3", 0)]), "unknown gate 'U3'"),
        (lambda: energy(ANSATZ, [np.nan, 0.0], H2), "non-finite"),
        (lambda: energy(ANSATZ, [0.0], H2), r"needs 2 per set"),
        (
            lambda: energy(Circuit.from_gates(3, [("RX", 0)]), [0.1], H2),
            "acts on 2 qubits, the circuit on 3",
        ),
        (lambda: energy(ANSATZ, [0.0, 0.0], H2, shots=-5), "shots=-5"),
        (lambda: energy(ANSATZ, [0.0, 0.0], H2, shots=10, shot_noise="poisson"), "shot_noise"),
        (lambda: energy(ANSATZ, [0.0, 0.0], H2, NOISE, backend="gpu"), "backend='gpu'"),
        (
            lambda: energy(
                Circuit.from_gates(4, [("CNOT", 0, 2)]),
                [],
                get_problem("h2-4q"),
                load_profile("ibm-ourense"),
            ),
            r"not on the coupling map of 'ibm-ourense'",
        ),
        (
            lambda: energy(
                Circuit.from_gates(6, [("RX", 0)]),
                [0.0],
                get_problem("lih-6q"),
                load_profile("ibm-ourense"),
            ),
            "describes 4 qubits; the circuit has 6",
        ),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_dense_and_axis_by_axis_transforms_agree(monkeypatch):
    """The cached dense Walsh–Hadamard/confusion matrices equal the per-wire loops they replace."""
    from workbench.sim import measurement
    from workbench.sim.engine import compile_program, propagate

    circuit = Circuit.from_gates(3, [("RY", 0), ("CNOT", 0, 1), ("RX", 2), ("CNOT", 1, 2)])
    noise = NoiseModel(depolarizing_1q=1e-2, readout_p01=(0.01, 0.02, 0.03), readout_p10=0.05)
    vectors = propagate(compile_program(circuit, noise), np.array([[0.3, -1.1], [2.0, 0.4]]))
    dense = [
        measurement.apply_readout(measurement.pauli_vector_distribution(vectors, b), noise)
        for b in ("ZZZ", "XYZ", "YXX")
    ]
    monkeypatch.setattr(measurement, "DENSE_MAX_QUBITS", 0)
    looped = [
        measurement.apply_readout(measurement.pauli_vector_distribution(vectors, b), noise)
        for b in ("ZZZ", "XYZ", "YXX")
    ]
    np.testing.assert_allclose(dense, looped, atol=1e-14)
    np.testing.assert_allclose(np.sum(dense, axis=2), 1.0, atol=1e-12)


def test_a_batch_draws_what_one_multinomial_per_set_and_group_draws():
    """Parameter set by parameter set, group by group: the batch consumes the generator as one
    NumPy multinomial per set and group over the merged value classes would."""
    from workbench.sim.measurement import shot_noise_energies

    groups = measurement_groups(H2.hamiltonian)
    rng = np.random.default_rng(0)
    distributions = [rng.dirichlet(np.ones(4), size=3) for _ in groups]
    stacked = shot_noise_energies(
        distributions, groups, 0.5, 1000, np.random.default_rng(7), "sample"
    )
    width = max(len(np.unique(g.outcome_values)) for g in groups)
    one_by_one, reference = np.full(3, 0.5), np.random.default_rng(7)
    for b in range(3):
        for p, group in zip(distributions, groups, strict=True):
            values, classes = np.unique(group.outcome_values, return_inverse=True)
            merged = np.bincount(classes, p[b] / p[b].sum(), minlength=width)
            counts = reference.multinomial(1000, merged)
            one_by_one[b] += counts[: len(values)] @ values / 1000
    np.testing.assert_allclose(stacked, one_by_one, atol=1e-12)


def test_merging_equal_outcome_values_keeps_the_estimators_distribution():
    """Mean and variance of the sampled energy match the exact expectation and Var(X_g)/N."""
    from workbench.sim.measurement import shot_noise_energies

    groups = measurement_groups(get_problem("lih-4q").hamiltonian)
    group = max(groups, key=lambda g: len(np.unique(g.outcome_values)))
    p = np.random.default_rng(1).dirichlet(np.ones(16))
    draws = shot_noise_energies([np.tile(p, (20000, 1))], (group,), 0.0, 50,
                                np.random.default_rng(2), "sample")  # fmt: skip
    mean = p @ group.outcome_values
    variance = (p @ group.outcome_values**2 - mean**2) / 50
    assert abs(draws.mean() - mean) < 4 * np.sqrt(variance / draws.size)
    assert draws.var() == pytest.approx(variance, rel=0.05)


def test_a_value_class_holding_all_the_mass_is_sampled():
    """A class whose parts sum to 1 + 1 ulp after normalising (seen in a LiH-4q episode) is
    still drawn: the sampler refuses any probability above 1."""
    from workbench.sim.measurement import shot_noise_energies

    (group,) = measurement_groups(PauliHamiltonian.from_terms({"ZII": 1.0}, 3))
    parts = [0.7214883401940817, 0.5253543224757259, 0.31024187555895566]  # found by search
    p = np.array([parts + [0.0] * 5])  # outcomes 000, 001, 010: Z on wire 0 reads +1
    energy = shot_noise_energies([p], (group,), 0.0, 100, np.random.default_rng(0), "sample")
    assert energy == pytest.approx([1.0])
