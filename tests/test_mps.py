"""The matrix-product-state warm start: DMRG against exact diagonalisation where the bond
dimension is full, the variational bounds, the compiled staircase against the MPS it came from
(energy and state to 1e-8), and the environment that starts from it."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.config import BaselineConfig, EnvConfig
from workbench.env.vqe import CircuitGrowthEnv
from workbench.errors import ConfigError
from workbench.optim import LBFGS
from workbench.sim import energies
from workbench.sim.mps import ground_state_mps
from workbench.sim.statevector import propagate_statevector


def test_a_full_bond_dimension_finds_the_exact_ground_energy():
    problem = get_problem("lih-4q")  # bonds 1, 2, 4, 2, 1: every state is an MPS of χ = 4
    assert ground_state_mps(problem.hamiltonian, 4).energy == pytest.approx(
        problem.ground_energy, abs=1e-9
    )
    h2 = get_problem("h2-4q")  # its ground state has Schmidt rank <= 2 across every cut
    assert ground_state_mps(h2.hamiltonian, 2).energy == pytest.approx(h2.ground_energy, abs=1e-9)


@pytest.mark.parametrize("problem_id", ["lih-6q", "h2o-8q"])
def test_the_mps_is_variational_and_beats_the_best_basis_state(problem_id):
    problem = get_problem(problem_id)
    product = ground_state_mps(problem.hamiltonian, 1).energy
    state = ground_state_mps(problem.hamiltonian, 2)
    assert problem.ground_energy - 1e-10 <= state.energy <= product + 1e-10
    assert product <= problem.hartree_fock_energy + 1e-10
    matrix = problem.hamiltonian.sparse_matrix().real
    vector = state.vector()
    assert vector @ vector == pytest.approx(1.0, abs=1e-12)
    assert vector @ (matrix @ vector) == pytest.approx(state.energy, abs=1e-10)


# n2-12q has a block close to a product, which PennyLane alone decomposed 0.5 Ha off
@pytest.mark.parametrize("problem_id", ["h2-4q", "lih-6q", "h2o-8q", "n2-12q"])
def test_the_staircase_prepares_the_mps_it_came_from(problem_id):
    problem = get_problem(problem_id)
    state = ground_state_mps(problem.hamiltonian, 2)
    circuit, angles = state.circuit()
    assert {op.gate for op in circuit.operations} <= {"RX", "RY", "RZ", "CNOT"}
    assert circuit.n_two_qubit <= 4 * (problem.n_qubits - 1)  # 3 a block, 4 where inaccurate
    assert energies(circuit, angles, problem)[0] == pytest.approx(state.energy, abs=1e-8)
    prepared = propagate_statevector(circuit, angles[None, :])[0]
    assert abs(np.vdot(prepared, state.vector())) == pytest.approx(1.0, abs=1e-8)


def test_the_environment_starts_from_the_mps():
    problem = get_problem("h2o-8q")
    env = CircuitGrowthEnv(problem, initial_state="mps", max_steps=3, seed=0, optimizer=LBFGS(200))
    state = ground_state_mps(problem.hamiltonian, 2)
    circuit, angles = state.circuit()
    assert env.start_energy == pytest.approx(state.energy, abs=1e-8)
    _, info = env.reset()
    assert info["gates"] == [tuple(g) for g in circuit.gate_list()]
    assert info["n_params"] == angles.size and info["energy"] == env.start_energy
    rotation = next(i for i, (gate, _) in enumerate(env.table.actions) if gate != "CNOT")
    _, _, _, _, info = env.step(rotation)  # a new angle at 0 is the identity: no worse
    assert info["energy"] <= env.start_energy + 1e-9  # the optimiser starts from the MPS angles
    assert info["n_gates"] == circuit.n_gates + 1


def test_the_mps_start_is_a_setting_the_baselines_do_not_take():
    assert EnvConfig(initial_state="mps").initial_state == "mps"
    with pytest.raises(ConfigError, match=r"initial_state='mps'.*zero, hartree_fock"):
        BaselineConfig(initial_state="mps")
    with pytest.raises(ConfigError, match="bond_dimension"):
        ground_state_mps(get_problem("h2-2q").hamiltonian, 0)


def test_a_frozen_preparation_keeps_the_mps_angles():
    """``optimize_preparation=False``: the optimiser sees only the agent's angles (and their
    gradient), the preparation's stay at the MPS's; ``True``: it sees all of them."""
    from workbench.optim import OptimizeResult

    class Recording:  # hands back x0 shifted by 0.1, having recorded what it was given
        uses_gradient = True

        def __init__(self):
            self.sizes = []

        def minimize(self, objective, x0, rng, value_and_gradient):
            value, gradient = value_and_gradient(x0)
            assert gradient.shape == x0.shape and objective(x0[None, :])[0] == pytest.approx(value)
            self.sizes.append(x0.size)
            return OptimizeResult(x0 + 0.1, value, 1)

    problem = get_problem("lih-6q")
    rotation = None
    for frozen in (True, False):
        optimizer = Recording()
        env = CircuitGrowthEnv(problem, initial_state="mps", max_steps=3, seed=0,
                               optimizer=optimizer, optimize_preparation=not frozen)  # fmt: skip
        env.reset()
        start = env.params.copy()
        rotation = rotation or next(
            i for i, (gate, _) in enumerate(env.table.actions) if gate != "CNOT"
        )
        _, _, _, _, info = env.step(rotation)
        assert optimizer.sizes == ([1] if frozen else [start.size + 1])
        assert np.allclose(info["params"][: start.size], start + (0.0 if frozen else 0.1))
        assert info["params"][-1] == pytest.approx(0.1)


def test_the_benchmarks_extra_layer_starts_as_the_identity():
    """bench.mps --layer: the layer is the identity at zero angles (the staircase's energy
    unchanged), adds 2·2(n−1) CNOTs, and what L-BFGS-B reaches from each start is variational
    (which start leaves the χ = 2 optimum is not asserted: it can depend on the CPU's rounding)."""
    from bench import mps as bench_mps

    problem = get_problem("lih-6q")
    circuit, angles = ground_state_mps(problem.hamiltonian, 2).circuit()
    errors, deeper, _ = bench_mps.layered(circuit, angles, problem)
    padded = np.r_[angles, np.zeros(deeper.n_params - angles.size)]
    assert energies(deeper, padded, problem)[0] == pytest.approx(
        energies(circuit, angles, problem)[0], abs=1e-12
    )
    assert deeper.n_two_qubit == circuit.n_two_qubit + 4 * (problem.n_qubits - 1)
    assert len(errors) == bench_mps.LAYER_STARTS and min(errors) > -1e-9


def test_the_benchmarks_greedy_block_is_a_zy_rotation_and_each_adds_two_cnots():
    """bench.mps --blocks: CNOT(c,t)·RY(θ, t)·CNOT(c,t) = exp(−iθ Z_c Y_t / 2) (checked on the
    state vector of two wires from a generic entangled state), and the greedy growth appends one
    such block per step, its energies variational."""
    from scipy.linalg import expm

    from bench import mps as bench_mps
    from workbench.sim import Circuit

    theta, rng = 0.7, np.random.default_rng(0)
    prepare = Circuit.from_gates(2, [("RY", 0), ("RX", 1), ("CNOT", 0, 1), ("RZ", 0), ("RY", 1)])
    angles = rng.uniform(-np.pi, np.pi, prepare.n_params)
    block = Circuit.from_gates(2, [*prepare.gate_list(), ("CNOT", 0, 1), ("RY", 1), ("CNOT", 0, 1)])
    before = propagate_statevector(prepare, angles[None])[0]
    after = propagate_statevector(block, np.r_[angles, theta][None])[0]
    zy = np.kron(np.diag([1.0, -1.0]), np.array([[0, -1j], [1j, 0]]))  # wire 0 first
    np.testing.assert_allclose(after, expm(-0.5j * theta * zy) @ before, atol=1e-12)

    problem = get_problem("lih-4q")
    circuit, mps_angles = ground_state_mps(problem.hamiltonian, 2).circuit()
    found = bench_mps.greedy_blocks(circuit, mps_angles, problem, 2)
    assert [cnots for _, cnots, _ in found] == [circuit.n_two_qubit + 2, circuit.n_two_qubit + 4]
    assert all(error > -1e-9 and c != t for error, _, (c, t) in found)


def test_a_truncated_state_at_full_bond_is_the_state_and_dmrg_only_lowers_a_cut_one():
    """truncated_mps keeps every singular value at full bond (the vector back to 1e-12); at
    χ = 2 the cut state's energy is variational and one-site DMRG from it does not raise it."""
    from scipy.sparse.linalg import eigsh

    from bench import mps as bench_mps
    from workbench.sim.mps import MatrixProductState, refined_mps, truncated_mps

    problem = get_problem("lih-6q")
    matrix = problem.hamiltonian.sparse_matrix().real.tocsr()
    _, vectors = eigsh(matrix, k=1, which="SA")
    exact = vectors[:, 0]
    full = MatrixProductState(tuple(truncated_mps(exact, 8)), 0.0).vector()
    np.testing.assert_allclose(full, exact, atol=1e-12)
    cut = MatrixProductState(tuple(truncated_mps(exact, 2)), 0.0).vector()
    cut_energy = cut @ (matrix @ cut) / (cut @ cut)
    refined = refined_mps(problem.hamiltonian, truncated_mps(exact, 2))
    assert problem.ground_energy - 1e-9 < refined.energy <= cut_energy + 1e-12
    own, from_cut = bench_mps.larger_bond(problem, 2)
    assert own == pytest.approx(ground_state_mps(problem.hamiltonian, 2).energy
                                - problem.ground_energy)  # fmt: skip
    assert from_cut == pytest.approx(refined.energy - problem.ground_energy)
