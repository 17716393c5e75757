"""The matrix-product-state warm start per problem: its energy against E0 and Hartree–Fock, and
the size of the circuit that prepares it.

Run by hand: ``.venv/bin/python -m bench.mps [--problems ...] [--layer] [--blocks K]
[--bond CHI] [--doc [--block NAME]]``. For each problem: the bond-dimension-2 MPS found by
one-site DMRG (:func:`workbench.sim.mps.ground_state_mps`), its error against the exact E0 next
to the Hartree–Fock state's, the compiled staircase's gates, CNOTs and angles, the difference
between the circuit's energy (the workbench simulator) and the MPS's, and the seconds it took.
``--doc`` replaces the ``mps-table`` block of docs/search.md (``--block``: another one).

``--layer`` adds what one more layer of gates gives beyond χ = 2 (a cheap stand-in for a χ = 4
start, whose two-qubit bonds would need three-qubit blocks): after the staircase, blocks
``CNOT(i,j)·RY(j)·RZ(j)·CNOT(i,j)·RY(i)·RY(j)·RZ(i)·RZ(j)`` on every neighbouring pair, down the
chain and back up (the identity at zero angles), all angles — the staircase's included —
optimised by L-BFGS-B on exact adjoint gradients from the MPS angles and seeded random angles for
the layer (at exactly zero the DMRG optimum is a stationary point), best and worst of
:data:`LAYER_STARTS` starts.

``--blocks K`` grows the staircase greedily instead, one block
``CNOT(c,t)·RY(t)·CNOT(c,t)`` :math:`= e^{-i\theta Z_c Y_t/2}` at a time (K times): every ordered
pair is tried, all angles re-optimised by L-BFGS-B with the new angle started at ±0.4 rad, and the
best pair kept. (Started at 0 no block moves: at the χ = 2 optimum every such block's gradient
vanishes.) What an agent with such blocks among its actions could reach in K steps.

``--bond CHI`` asks what a larger bond would give (the circuit compiler takes χ ≤ 2): the error
of :func:`~workbench.sim.mps.ground_state_mps` at χ = CHI (one-site DMRG from its two starts), and
of the same DMRG started from the exact ground state cut to χ = CHI by SVDs
(:func:`~workbench.sim.mps.truncated_mps`, a diagnostic: it needs the state) — where the second is
far lower, one-site DMRG is stuck in a local minimum, not limited by the bond.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy.optimize import minimize

from bench.readme import replace_block
from workbench.chem import PRESETS, get_problem
from workbench.env.encoding import zy_rotation
from workbench.rendering import markdown_table
from workbench.sim import Circuit, CompiledEnergy, energies
from workbench.sim.mps import MAX_CIRCUIT_BOND, ground_state_mps, refined_mps, truncated_mps

LAYER_BLOCK = ("CNOT", "RY", "RZ", "CNOT", "RY", "RY", "RZ", "RZ")
LAYER_STARTS = 4
"""Random starts of the layer's angles (seeds 0–3, normal with σ = 0.3 rad)."""


def layered(circuit: Circuit, angles: np.ndarray, problem) -> tuple[list[float], Circuit, float]:
    """The staircase plus one layer (module doc), optimised from :data:`LAYER_STARTS` starts:
    the errors (Ha) reached, the circuit, the seconds per start."""
    n, started = circuit.n_qubits, time.perf_counter()
    pairs = [(i, i + 1) for i in range(n - 1)] + [(i + 1, i) for i in reversed(range(n - 1))]
    gates = [tuple(g) for g in circuit.gate_list()]
    for i, j in pairs:
        wires = [(i, j), (j,), (j,), (i, j), (i,), (j,), (i,), (j,)]
        gates += [(name, *w) for name, w in zip(LAYER_BLOCK, wires, strict=True)]
    deeper = Circuit.from_gates(n, gates)
    objective, errors = CompiledEnergy(deeper, problem), []
    for seed in range(LAYER_STARTS):
        extra = np.random.default_rng(seed).normal(0.0, 0.3, deeper.n_params - angles.size)
        found = minimize(objective.value_and_gradient, np.r_[angles, extra], jac=True,
                         method="L-BFGS-B", options={"maxiter": 5000})  # fmt: skip
        errors.append(found.fun - problem.ground_energy)
    return errors, deeper, (time.perf_counter() - started) / LAYER_STARTS


BLOCK_START = 0.4
"""The new block angle's two starts, ±0.4 rad (module doc)."""


def greedy_blocks(circuit: Circuit, angles: np.ndarray, problem, count: int) -> list[tuple]:
    """``count`` blocks appended greedily (module doc): after each, the error (Ha), the CNOTs
    and the pair ``(c, t)``."""
    n, gates, x, found = circuit.n_qubits, [tuple(g) for g in circuit.gate_list()], angles, []
    for _ in range(count):
        best = None
        for c, t in itertools.permutations(range(n), 2):
            block = [(gate, *wires) for gate, wires in zy_rotation(c, t)]
            trial = Circuit.from_gates(n, [*gates, *block])
            objective = CompiledEnergy(trial, problem)
            for start in (BLOCK_START, -BLOCK_START):
                fit = minimize(objective.value_and_gradient, np.r_[x, start], jac=True,
                               method="L-BFGS-B", options={"maxiter": 500})  # fmt: skip
                if best is None or fit.fun < best[0]:
                    best = (fit.fun, trial, fit.x, (c, t))
        energy, grown, x, pair = best
        gates = [tuple(g) for g in grown.gate_list()]
        found.append((energy - problem.ground_energy, grown.n_two_qubit, pair))
    return found


def larger_bond(problem, bond: int) -> tuple[float, float]:
    """The errors (Ha) at bond ``bond``: one-site DMRG from its own starts, and from the exact
    ground state's SVD truncation (module doc)."""
    from scipy.sparse.linalg import eigsh

    hamiltonian = problem.hamiltonian
    own = ground_state_mps(hamiltonian, bond).energy
    _, vectors = eigsh(hamiltonian.sparse_matrix().real.tocsr(), k=1, which="SA")
    cut = refined_mps(hamiltonian, truncated_mps(vectors[:, 0], bond)).energy
    return own - problem.ground_energy, cut - problem.ground_energy


def row(problem_id: str, layer: bool = False, blocks: int = 0, bond: int = 0) -> dict:
    problem = get_problem(problem_id)
    started = time.perf_counter()
    state = ground_state_mps(problem.hamiltonian, MAX_CIRCUIT_BOND)
    circuit, angles = state.circuit()
    seconds = time.perf_counter() - started
    difference = abs(energies(circuit, angles, problem)[0] - state.energy)
    hartree_fock = problem.hartree_fock_energy - problem.ground_energy
    shape = f"{circuit.n_gates} / {circuit.n_two_qubit} / {angles.size}"
    return (
        {
            "problem": problem_id,
            "qubits": problem.n_qubits,
            "Hartree-Fock error [mHa]": f"{1e3 * hartree_fock:.2f}",
            "MPS (χ=2) error [mHa]": f"{1e3 * (state.energy - problem.ground_energy):.3f}",
            "circuit gates / CNOTs / angles": shape,
            "|E(circuit) − E(MPS)| [Ha]": f"{difference:.0e}",
            "seconds": f"{seconds:.1f}",
        }
        | (_layer_columns(circuit, angles, problem) if layer else {})
        | (_block_columns(circuit, angles, problem, blocks) if blocks else {})
        | (_bond_columns(problem, bond) if bond else {})
    )


def _bond_columns(problem, bond: int) -> dict:
    own, cut = larger_bond(problem, bond)
    return {
        f"χ={bond} error [mHa]: DMRG / from the exact state's cut": f"{1e3 * own:.3f} / "
        f"{1e3 * cut:.3f}"
    }


def _layer_columns(circuit: Circuit, angles: np.ndarray, problem) -> dict:
    errors, deeper, seconds = layered(circuit, angles, problem)
    return {
        "+ one layer: error [mHa], best / worst start": f"{1e3 * min(errors):.3f} / "
        f"{1e3 * max(errors):.3f}",
        "+ one layer: CNOTs / angles": f"{deeper.n_two_qubit} / {deeper.n_params}",
        "+ one layer: s / start": f"{seconds:.1f}",
    }


def _block_columns(circuit: Circuit, angles: np.ndarray, problem, count: int) -> dict:
    found = greedy_blocks(circuit, angles, problem, count)
    return {
        f"+ 1…{count} greedy ZY blocks: error [mHa]": " / ".join(
            f"{1e3 * error:.3f}" for error, _, _ in found
        ),
        "+ blocks: CNOTs, pairs": f"{found[-1][1]}, "
        + " ".join(f"({c},{t})" for _, _, (c, t) in found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=[p for p in PRESETS if p != "h2-2q"])
    parser.add_argument("--layer", action="store_true", help="also the staircase + one layer")
    parser.add_argument("--blocks", type=int, default=0, help="also K greedy ZY blocks")
    parser.add_argument("--bond", type=int, default=0, help="also the errors at bond CHI")
    parser.add_argument("--doc", action="store_true")
    parser.add_argument("--block", default="mps-table", help="the docs block --doc replaces")
    args = parser.parse_args()
    rows = []
    for problem_id in args.problems:
        rows.append(row(problem_id, args.layer, args.blocks, args.bond))
        print(rows[-1], flush=True)
    if args.doc:
        replace_block(args.block, markdown_table(rows))


if __name__ == "__main__":
    main()
