"""The matrix-product-state warm start per problem: its energy against E0 and Hartree–Fock, and
the size of the circuit that prepares it.

Run by hand: ``.venv/bin/python -m bench.mps [--problems ...] [--doc]``. For each problem: the
bond-dimension-2 MPS found by one-site DMRG (:func:`workbench.sim.mps.ground_state_mps`), its
error against the exact E0 next to the Hartree–Fock state's, the compiled staircase's gates,
CNOTs and angles, the difference between the circuit's energy (the workbench simulator) and the
MPS's, and the seconds it took. ``--doc`` replaces the ``mps-table`` block (docs/search.md).
"""

from __future__ import annotations

import argparse
import time

from bench.readme import replace_block
from workbench.chem import PRESETS, get_problem
from workbench.rendering import markdown_table
from workbench.sim import energies
from workbench.sim.mps import MAX_CIRCUIT_BOND, ground_state_mps


def row(problem_id: str) -> dict:
    problem = get_problem(problem_id)
    started = time.perf_counter()
    state = ground_state_mps(problem.hamiltonian, MAX_CIRCUIT_BOND)
    circuit, angles = state.circuit()
    seconds = time.perf_counter() - started
    difference = abs(energies(circuit, angles, problem)[0] - state.energy)
    hartree_fock = problem.hartree_fock_energy - problem.ground_energy
    shape = f"{circuit.n_gates} / {circuit.n_two_qubit} / {angles.size}"
    return {
        "problem": problem_id,
        "qubits": problem.n_qubits,
        "Hartree-Fock error [mHa]": f"{1e3 * hartree_fock:.2f}",
        "MPS (χ=2) error [mHa]": f"{1e3 * (state.energy - problem.ground_energy):.3f}",
        "circuit gates / CNOTs / angles": shape,
        "|E(circuit) − E(MPS)| [Ha]": f"{difference:.0e}",
        "seconds": f"{seconds:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=[p for p in PRESETS if p != "h2-2q"])
    parser.add_argument("--doc", action="store_true")
    args = parser.parse_args()
    rows = []
    for problem_id in args.problems:
        rows.append(row(problem_id))
        print(rows[-1], flush=True)
    if args.doc:
        replace_block("mps-table", markdown_table(rows))


if __name__ == "__main__":
    main()
