"""Device profiles: the Mumbai/Ourense derivation, the Qiskit fake-backend importer, the CLI."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from workbench.channels import depolarizing_kraus
from workbench.cli import main
from workbench.devices import (
    average_infidelity,
    depolarizing_for_infidelity,
    load_profile,
    profile_from_backend,
)
from workbench.noise import NoiseModel
from workbench.paulis import ptm_from_kraus


def test_average_infidelity_of_depolarizing_is_d_over_d_plus_one_times_p():
    for k, d in ((1, 2), (2, 4)):
        p = 0.03
        assert average_infidelity(ptm_from_kraus(depolarizing_kraus(p, k))) == pytest.approx(
            d / (d + 1) * p
        )


def test_depolarizing_for_infidelity_inverts_the_composition():
    relaxation = NoiseModel(t1=80.0, t2=60.0, gate_time_2q=400.0).channel_ptm((0, 1))
    p = depolarizing_for_infidelity(relaxation, 0.02)
    combined = ptm_from_kraus(depolarizing_kraus(p, 2)) @ relaxation
    assert average_infidelity(combined) == pytest.approx(0.02, abs=1e-12)
    assert depolarizing_for_infidelity(relaxation, 1e-6) == 0.0  # relaxation alone is worse


@pytest.mark.parametrize(
    ("profile", "cnot_infidelity", "readout"),
    [
        ("ibm-mumbai-median", 0.0141, 0.0225),
        ("ibm-mumbai-max", 0.0332, 0.0869),
        ("ibm-mumbai-10max", 0.289, 0.0869),
    ],
)
def test_mumbai_profiles_reproduce_the_spec(profile, cnot_infidelity, readout):
    model = load_profile(profile)
    assert average_infidelity(model.channel_ptm((0, 1))) == pytest.approx(cnot_infidelity)
    assert model.readout(0) == (readout, readout)
    assert model.t2 / model.t1 == pytest.approx(1.367, abs=1e-3)


def test_ourense_cnot_errors_per_pair():
    model = load_profile("ibm-ourense")
    for pair, error in (((0, 1), 0.0202), ((2, 1), 0.0182), ((1, 3), 0.0228)):
        assert average_infidelity(model.channel_ptm(pair)) == pytest.approx(error)


def test_fake_backend_import_reproduces_reported_gate_errors():
    fake_provider = pytest.importorskip("qiskit_ibm_runtime.fake_provider")
    backend = fake_provider.FakeManilaV2()
    model = profile_from_backend(backend)
    target = backend.target
    assert model.n_qubits == 5
    for q in range(5):
        assert model.t1[q] == pytest.approx(target.qubit_properties[q].t1 * 1e6)
        reported = target["sx"][(q,)].error
        achieved = average_infidelity(model.channel_ptm((q,)))
        assert achieved == pytest.approx(reported, abs=1e-12) or (
            model.depolarizing_1q[q] == 0.0 and achieved > reported
        )
    for a, b, _ in model.depolarizing_2q_pairs:
        reported = target["cx"][(a, b)].error
        achieved = average_infidelity(model.channel_ptm((a, b)))
        assert achieved == pytest.approx(reported, abs=1e-12) or achieved > reported
    assert set(model.coupling_map) == {tuple(p) for p in target["cx"]}


def test_device_import_cli_writes_a_loadable_profile(tmp_path, monkeypatch, capsys):
    pytest.importorskip("qiskit_ibm_runtime")
    shutil.copytree("data/devices", tmp_path / "devices")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    assert main(["device-import", "FakeManilaV2", "--name", "manila"]) == 0
    assert "manila.json" in capsys.readouterr().out
    model = load_profile("manila", scale=2.0)
    assert model.n_qubits == 5 and model.coupling_map is not None
    assert main(["devices", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert "manila" in names and "ibm-ourense" in names


def test_devices_table(capsys):
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "ibm-mumbai-median" in out and "6 directed pairs" in out


def test_unknown_fake_backend_is_a_clear_error(capsys):
    pytest.importorskip("qiskit_ibm_runtime")
    assert main(["device-import", "FakeNowhereV2"]) == 2
    assert "unknown fake backend 'FakeNowhereV2'" in capsys.readouterr().err


def test_scaled_profile_noise_is_monotone_in_energy():
    from workbench.chem import get_problem
    from workbench.sim import Circuit, energies, energy

    circuit = Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1)])
    problem = get_problem("h2-2q")
    thetas = np.linspace(-np.pi, np.pi, 721)[:, None]
    best = thetas[np.argmin(energies(circuit, thetas, problem))]  # the noiseless optimum
    values = [
        energy(circuit, best, problem, load_profile("ibm-mumbai-median", scale=s))
        for s in (0.0, 1.0, 2.0, 4.0)
    ]
    assert np.all(np.diff(values) > 0)


def test_a_scale_of_one_from_a_log_slider_keeps_the_profiles_name():
    """Regression (classroom issue): 10**0 on a log slider is 1.0000000000000002, and errors
    named the profile 'ibm-ourensex1'."""
    from workbench.devices import load_profile

    model = load_profile("ibm-ourense", 1.0 + 2**-52)
    assert model.name == "ibm-ourense"
    assert load_profile("ibm-ourense", 2.0).name == "ibm-ourensex2"
