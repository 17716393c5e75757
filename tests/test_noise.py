"""Noise channels: PennyLane's Kraus maps, CPTP, unitality, relaxation to |0>, profiles, scaling."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest

from workbench.channels import (
    amplitude_damping_kraus,
    depolarizing_kraus,
    phase_damping_kraus,
    thermal_relaxation_kraus,
)
from workbench.devices import available_profiles, load_profile
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.paulis import pauli_basis, ptm_from_kraus

CHANNELS = {
    "depolarizing": (depolarizing_kraus(0.07), qml.DepolarizingChannel(0.07, wires=0)),
    "amplitude_damping": (amplitude_damping_kraus(0.2), qml.AmplitudeDamping(0.2, wires=0)),
    "phase_damping": (phase_damping_kraus(0.3), qml.PhaseDamping(0.3, wires=0)),
    "thermal_relaxation": (
        thermal_relaxation_kraus(50.0, 70.0, 400.0),
        qml.ThermalRelaxationError(0.0, 50.0, 70.0, 0.4, wires=0),
    ),
}


@pytest.mark.parametrize("name", list(CHANNELS))
def test_channel_ptm_matches_pennylanes_channel(name):
    ours, theirs = CHANNELS[name]
    np.testing.assert_allclose(
        ptm_from_kraus(ours), ptm_from_kraus(theirs.kraus_matrices()), atol=1e-12
    )


@pytest.mark.parametrize(
    "kraus",
    [
        depolarizing_kraus(0.3),
        depolarizing_kraus(0.2, 2),
        amplitude_damping_kraus(0.4),
        phase_damping_kraus(0.5),
        thermal_relaxation_kraus(30.0, 45.0, 1000.0),
    ],
    ids=["dep1", "dep2", "amp", "phase", "thermal"],
)
def test_channels_are_cptp(kraus):
    d = kraus[0].shape[0]
    np.testing.assert_allclose(sum(k.conj().T @ k for k in kraus), np.eye(d), atol=1e-12)
    # Choi matrix J = Σ_k vec(K_k) vec(K_k)^† is positive semidefinite.
    vectors = np.array([k.reshape(-1) for k in kraus])
    assert np.linalg.eigvalsh(vectors.T @ vectors.conj()).min() > -1e-12
    ptm = ptm_from_kraus(kraus)
    assert ptm[0, 0] == pytest.approx(1.0) and np.allclose(ptm[0, 1:], 0.0)  # trace preserved


def test_two_qubit_depolarizing_matches_the_definition():
    p = 0.12
    basis = pauli_basis(2)
    rho = np.diag([0.5, 0.2, 0.2, 0.1]).astype(complex)
    expected = (1 - p) * rho + p / 15 * sum(b @ rho @ b for b in basis[1:])
    actual = sum(k @ rho @ k.conj().T for k in depolarizing_kraus(p, 2))
    np.testing.assert_allclose(actual, expected, atol=1e-14)
    ptm = ptm_from_kraus(depolarizing_kraus(p, 2))
    np.testing.assert_allclose(ptm[:, 0], np.eye(16)[0], atol=1e-14)  # unital
    np.testing.assert_allclose(np.diag(ptm)[1:], 1 - 16 * p / 15, atol=1e-14)  # Qiskit λ=16p/15


def test_thermal_relaxation_relaxes_to_ground_state():
    ptm = ptm_from_kraus(thermal_relaxation_kraus(20.0, 30.0, 5000.0))
    state = np.array([1.0, 0.3, -0.2, -1.0])  # |1><1| plus coherences
    for _ in range(200):
        state = ptm @ state
    np.testing.assert_allclose(state, [1, 0, 0, 1], atol=1e-9)  # |0><0|: r_I = r_Z = 1


@pytest.mark.parametrize(
    "name",
    ["ibm-mumbai-median", "ibm-mumbai-max", "ibm-mumbai-10max", "ibm-ourense", "depolarizing-1e-3"],
)
def test_profiles_load(name):
    assert name in available_profiles()
    model = load_profile(name)
    assert model.name == name


def test_ourense_profile_has_its_coupling_map_and_per_qubit_values():
    model = load_profile("ibm-ourense")
    assert model.n_qubits == 4
    assert set(model.coupling_map) == {(0, 1), (1, 0), (1, 2), (2, 1), (1, 3), (3, 1)}
    assert model.readout(3) == (0.0396, 0.0396)


def test_scaling_multiplies_errors_and_shortens_relaxation_times():
    base = load_profile("ibm-mumbai-max")
    doubled = load_profile("ibm-mumbai-max", scale=2.0)
    assert doubled.depolarizing_2q == pytest.approx(2 * base.depolarizing_2q)
    assert doubled.readout_p01 == pytest.approx(2 * base.readout_p01)
    assert doubled.t1 == pytest.approx(base.t1 / 2)
    assert load_profile("ibm-mumbai-max", scale=0.0).is_noiseless


def test_profile_overrides():
    model = load_profile("ibm-mumbai-median", readout_p01=0.0, readout_p10=0.0)
    assert not model.has_readout_error and model.t1 is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"depolarizing_1q": 1.5}, r"depolarizing_1q=1.5 is not a probability"),
        ({"readout_p01": -0.1}, "readout_p01=-0.1 is not a probability"),
        ({"t1": 10.0, "t2": 30.0}, r"T2 can be at most 2\*T1"),
        ({"t1": 10.0}, "give both t1 and t2"),
        ({"t1": -1.0, "t2": 1.0}, "t1=-1.0"),
        ({"n_qubits": 2, "readout_p01": (0.1, 0.2, 0.3)}, "3 values; the device has 2"),
        ({"two_qubit_depolarizing": "weird"}, "expected 'joint' or 'independent'"),
    ],
)
def test_bad_noise_parameters(fields, message):
    with pytest.raises(ConfigError, match=message):
        NoiseModel(**fields)


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown device profile 'ibm-nowhere': expected one of"):
        load_profile("ibm-nowhere")
