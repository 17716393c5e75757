"""The circuit-growing environment: gymnasium API, solving H2 by hand, caps, halting, masks."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.config import OptimizerConfig
from workbench.devices import load_profile
from workbench.env.curriculum import FixedSchedule, MovingThreshold
from workbench.env.halting import RandomHalting
from workbench.env.vqe import CircuitGrowthEnv
from workbench.env.wrappers import CurriculumFeedback
from workbench.errors import ConfigError
from workbench.optim import COBYLA, build_optimizer

H2 = get_problem("h2-2q")


def chemical_accuracy_env(**options):
    curriculum = FixedSchedule(H2.ground_energy, (1.6e-3,), (10**9,))
    return CircuitGrowthEnv(H2, target="exact", curriculum=curriculum, seed=0, **options)


def test_spaces_and_reset():
    env = chemical_accuracy_env()
    observation, info = env.reset(seed=1)
    assert env.observation_space.contains(observation)
    assert observation.shape == (401,) and observation[-1] == pytest.approx(0.45925, abs=1e-5)
    assert env.action_space.n == 8 and info["action_mask"].all()
    assert info["n_gates"] == 0 and info["energy"] == pytest.approx(H2.zero_state_energy)


def test_the_two_gate_solution_succeeds():
    env = chemical_accuracy_env()
    env.reset()
    table = env.table
    _, reward, terminated, truncated, info = env.step(table.index("RY", 0))
    assert (terminated, truncated) == (False, False)
    assert -1.0 <= reward <= 1.0
    _, reward, terminated, truncated, info = env.step(table.index("CNOT", 0, 1))
    assert terminated and not truncated and reward == 5.0
    assert info["error_to_ground"] < 1.6e-3
    assert (info["n_gates"], info["n_cnots"], info["depth"], info["n_params"]) == (2, 1, 2, 1)


def test_step_cap_gives_minus_five():
    env = chemical_accuracy_env(max_steps=2)
    env.reset()
    env.step(env.table.index("RX", 1))
    _, reward, terminated, truncated, _ = env.step(env.table.index("RZ", 1))
    assert truncated and not terminated and reward == -5.0


def test_random_halting_cuts_without_penalty():
    """A halted episode gets the ordinary clipped improvement (hand-computed from the two steps'
    energies), never the step cap's −5."""
    env = chemical_accuracy_env(random_halting=RandomHalting(n=5, p=0.5, low=2, high=2))
    env.reset()
    _, _, _, truncated_first, first = env.step(env.table.index("RX", 1))
    _, reward, terminated, truncated, second = env.step(env.table.index("RZ", 1))
    assert not truncated_first and truncated and not terminated
    previous, energy, e0 = first["energy"], second["energy"], H2.ground_energy
    expected = max(-1.0, min(1.0, (previous - energy) / abs(previous - e0)))
    assert reward == pytest.approx(expected, abs=1e-12) and reward > -5.0
    # the same two actions without halting reach the cap later: no truncation at step 2
    plain = chemical_accuracy_env(max_steps=3)
    plain.reset()
    plain.step(plain.table.index("RX", 1))
    assert not plain.step(plain.table.index("RZ", 1))[3]


def test_illegal_actions_are_refused_and_masked():
    env = chemical_accuracy_env()
    env.reset()
    action = env.table.index("RX", 1)
    _, _, _, _, info = env.step(action)
    assert not info["action_mask"][action]
    with pytest.raises(ConfigError, match="is illegal now"):
        env.step(action)
    with pytest.raises(ConfigError, match=r"outside 0\.\.7"):
        env.step(8)
    free = chemical_accuracy_env(mask_illegal=False)
    free.reset()
    free.step(action)
    free.step(action)  # allowed when masking is off


def test_greedy_test_episodes_leave_the_curriculum_alone():
    curriculum = MovingThreshold(H2.lower_bound, 0.97, 500, 5e-4, 25, 10, 0.97)
    env = CurriculumFeedback(CircuitGrowthEnv(H2, curriculum=curriculum, seed=0))
    env.unwrapped.training = False
    env.reset()
    env.step(env.unwrapped.table.index("RY", 0))
    assert curriculum.lowest_energy == pytest.approx(H2.lower_bound + 0.97)
    env.unwrapped.training = True
    env.step(env.unwrapped.table.index("CNOT", 0, 1))
    assert curriculum.lowest_energy < H2.lower_bound + 0.97
    assert curriculum.episodes == 1  # success against the lower bound with ξ = 0.97


def test_noisy_environment_with_a_coupling_map_and_shots():
    problem = get_problem("h2-4q-qcas")
    env = CircuitGrowthEnv(
        problem,
        load_profile("ibm-ourense"),
        optimizer=build_optimizer(OptimizerConfig(method="adam_spsa", maxfev=(20,))),
        shots=200,
        seed=3,
    )
    env.reset()
    assert env.action_space.n == 18
    _, _, _, _, info = env.step(env.table.index("RY", 0))
    assert info["noiseless_error"] is not None and info["n_params"] == 1
    with pytest.raises(ConfigError, match="describes 4 qubits"):
        CircuitGrowthEnv(get_problem("lih-6q"), load_profile("ibm-ourense"))


def test_optimiser_is_skipped_without_angles():
    calls = []

    class Recorder(COBYLA):
        def minimize(self, objective, x0, rng):
            calls.append(len(x0))
            return super().minimize(objective, x0, rng)

    env = chemical_accuracy_env(optimizer=Recorder(20))
    env.reset()
    env.step(env.table.index("CNOT", 0, 1))
    env.step(env.table.index("RY", 0))
    assert calls == [1]


def test_halting_distributions_match_the_spec():
    rng = np.random.default_rng(0)
    noiseless = RandomHalting(70, 0.573, 25, 70)
    samples = [noiseless.sample(rng) for _ in range(4000)]
    assert np.mean(samples) == pytest.approx(52.0, abs=0.6)
    noisy = RandomHalting(40, 0.6, 0, 40, mode_of=100)
    modes = [noisy.sample(rng) for _ in range(300)]
    assert np.mean(modes) == pytest.approx(26, abs=1.0)
    with pytest.raises(ConfigError, match="0 < p <= 1"):
        RandomHalting(10, 1.5, 0, 10)


def test_noiseless_error_is_evaluated_without_noise():
    """Regression (classroom issue, bug 2): the live panel's "noiseless error" was the noisy
    one. It must be the same circuit and angles with no channel, no readout error, no shots."""
    from workbench.sim import energies

    noise = load_profile("ibm-mumbai-max")
    env = CircuitGrowthEnv(H2, noise, optimizer=COBYLA(max_iterations=30), seed=0)
    env.reset()
    env.step(env.table.index("RY", 0))
    _, _, _, _, info = env.step(env.table.index("CNOT", 0, 1))
    exact = energies(env.circuit, env.params[None, :], H2)[0]
    assert info["noiseless_error"] == pytest.approx(abs(H2.ground_energy - exact), abs=1e-12)
    noisy = energies(env.circuit, env.params[None, :], H2, noise)[0]
    assert info["error_to_ground"] == pytest.approx(abs(H2.ground_energy - noisy), abs=1e-12)
    assert info["error_to_ground"] - info["noiseless_error"] > 1e-3  # Mumbai max is felt


def test_asap_moments_by_hand_and_one_depth_for_steps_and_records():
    from workbench.sim import Circuit

    circuit = Circuit.from_gates(3, [("RY", 0), ("RY", 1), ("CNOT", 0, 1), ("RZ", 0), ("RY", 2)])
    assert circuit.moments() == [0, 0, 1, 2, 0] and circuit.depth == 3
    assert Circuit(2).depth == 0
    env = CircuitGrowthEnv(get_problem("h2-4q"), initial_state="hartree_fock")
    env.reset(seed=0)
    for gate in (("RY", 0), ("CNOT", 0, 1), ("RX", 2)):
        _, _, _, _, info = env.step(env.table.index(gate[0], *gate[1:]))
    # the step's gate list is the record format, and its depth counts the preparation too
    assert info["gates"][-3:] == [("RY", 0), ("CNOT", 0, 1), ("RX", 2)]
    assert info["depth"] == Circuit.from_gates(4, info["gates"]).depth == 3


def test_a_zy_action_is_the_pauli_rotation_exp_minus_i_theta_zy_over_two():
    """CNOT·RY·CNOT (the workbench's gates, its own density-matrix reference) against
    PennyLane's PauliRot(θ, "ZY") after the same random single-qubit layer."""
    import pennylane as qml

    from workbench.env.encoding import ActionTable
    from workbench.sim import Circuit
    from workbench.sim.reference import density_matrix

    table, rng = ActionTable.build(3, zy_rotations=True), np.random.default_rng(4)
    prep = [("RY", q) for q in range(3)] + [("RX", q) for q in range(3)]
    for c, t in ((0, 2), (2, 1)):
        gates = [(g, *w) for g, w in table.gates(table.index("ZY", c, t))]
        circuit = Circuit.from_gates(3, prep + gates)
        angles = rng.uniform(-np.pi, np.pi, 7)

        @qml.qnode(qml.device("default.mixed", wires=3))
        def pauli_rotation(angles=angles, c=c, t=t):
            for (gate, q), angle in zip(prep, angles, strict=False):
                getattr(qml, gate)(angle, wires=q)
            qml.PauliRot(angles[-1], "ZY", wires=[c, t])
            return qml.density_matrix(wires=range(3))

        assert np.allclose(density_matrix(circuit, angles), pauli_rotation(), atol=1e-12)


def test_a_zy_step_appends_three_gates_and_starts_its_angle_away_from_zero():
    """From the LiH-6q MPS (12.33 mHa) one ZY rotation on (4, 2) reaches 6.33 mHa (bench.mps
    --blocks); started at (almost) 0 it stays at the MPS's stationary point."""
    lih = get_problem("lih-6q")
    lbfgs = build_optimizer(OptimizerConfig(method="lbfgs", max_iterations=200), None)
    errors = []
    for start in (0.4, 1e-9):
        env = CircuitGrowthEnv(
            lih, target="exact", seed=0, initial_state="mps", zy_rotations=True,
            zy_start_angle=start, optimizer=lbfgs,
        )  # fmt: skip
        observation, _ = env.reset()
        assert observation.shape == (40 * 6 * 15 + 1,) and env.action_space.n == 6 * 13
        _, _, _, _, info = env.step(env.table.index("ZY", 4, 2))
        assert info["gates"][-3:] == [("CNOT", 4, 2), ("RY", 2), ("CNOT", 4, 2)]
        assert info["n_params"] == env.preparation_params.size + 1
        assert not info["action_mask"][env.table.index("ZY", 4, 2)]
        errors.append(info["error_to_ground"])
    start_error = env.start_energy - lih.ground_energy
    assert start_error == pytest.approx(12.33e-3, abs=0.01e-3)
    assert errors[0] == pytest.approx(6.33e-3, abs=0.05e-3)
    assert errors[1] == pytest.approx(start_error, abs=1e-8)
