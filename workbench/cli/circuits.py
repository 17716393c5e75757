"""``workbench evaluate|mitigate|propose``: any circuit (OpenQASM 2 or 3) on any problem under
any noise, error mitigation of a run's best circuits, and the circuits a curve run's policy
proposes at bond lengths it was not trained on.

A circuit found elsewhere — Qiskit, PennyLane, another search, a paper — gets the same
evaluation as the agent's circuits: the energy with the chosen noise (exact expectation, or a
shot-noise estimate with ``--shots``), the noiseless energy, both errors against the exact E0,
and the circuit's size.
"""

from __future__ import annotations

import argparse
import json

from workbench.cli.arguments import read_text_file
from workbench.errors import ConfigError
from workbench.results import gates_text


def evaluate_circuit(text: str, problem_id: str, bond_length=None, profile=None, scale=1.0,
                     shots=None, seed=0) -> dict:  # fmt: skip
    """The evaluation record of a QASM circuit (energies in Ha, errors against the exact E0)."""
    import numpy as np

    from workbench.chem import get_problem
    from workbench.config import NoiseConfig
    from workbench.devices import resolve_noise
    from workbench.sim import energies, evaluated_record
    from workbench.sim.qasm import parse_qasm

    if scale != 1.0 and not profile:
        raise ConfigError(f"--scale {scale!r} scales a noise profile: give one with --noise")
    circuit, params = parse_qasm(text)
    problem = get_problem(problem_id, bond_length)
    if circuit.n_qubits != problem.n_qubits:
        raise ConfigError(
            f"the circuit has {circuit.n_qubits} qubits; problem {problem.id} has "
            f"{problem.n_qubits}"
        )
    config = NoiseConfig(profile, scale, shots=shots)  # validates shots and the scale
    noise = resolve_noise(config, problem.n_qubits) if profile else None
    record = evaluated_record(circuit, params, problem, noise)  # exact energies
    if config.shots:  # the noisy energy as a device would measure it
        rng = np.random.default_rng(seed)
        sampled = float(energies(circuit, params[None, :], problem, noise, config.shots, rng)[0])
        record |= {"energy": sampled, "error": abs(sampled - problem.ground_energy)}
    record.pop("qasm")
    return {"problem": problem.id, "noise": config.label, "ground_energy": problem.ground_energy,
            **record}  # fmt: skip


def _cmd_evaluate(args: argparse.Namespace) -> int:
    record = evaluate_circuit(
        read_text_file(args.circuit, "circuit (an OpenQASM 2 or 3 file)"),
        args.problem,
        args.bond_length,
        args.noise,
        args.scale,
        args.shots,
        args.seed,
    )
    if args.json:
        print(json.dumps(record, indent=1))
        return 0
    print(
        f"{record['problem']} · {record['noise']}: E = {record['energy']:.8f} Ha "
        f"(error {record['error']:.2e} Ha), noiseless {record['noiseless_energy']:.8f} Ha "
        f"(error {record['noiseless_error']:.2e} Ha); {record['n_gates']} gates, "
        f"{record['n_cnots']} CNOTs, depth {record['depth']}, {record['n_params']} parameters"
    )
    return 0


def _cmd_mitigate(args: argparse.Namespace) -> int:
    from workbench.cli.table import format_table

    try:
        scales = [int(s) for s in args.zne_scales.split(",")]
    except ValueError:
        raise ConfigError(
            f"--zne-scales {args.zne_scales!r}: expected odd integers such as 1,3,5"
        ) from None
    from workbench.results import load_run

    result = load_run(args.folder)
    rows = result.mitigated(scales, args.fit, args.readout, args.shots, args.seed)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    from workbench.rendering import mitigation_table

    table = mitigation_table(rows)
    print(format_table(table, [(heading, heading, "") for heading in table[0]]))
    if args.shots:
        print(f"shots spent per circuit: {rows[0]['shots_spent']}")
    return 0


def _cmd_propose(args: argparse.Namespace) -> int:
    from workbench.propose import CurvePolicy

    policy = CurvePolicy(args.folder)
    proposals = [policy.propose(r) for r in args.bond_length]
    if args.json:
        data = [p.to_dict() for p in proposals]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=1))
        return 0
    for p in proposals:
        c = p.circuit
        verdict = "within" if p.within_chemical_accuracy else "outside"
        print(
            f"R = {p.bond_length:g} Å: E = {c.energy:.8f} Ha, error {c.error * 1e3:.3f} mHa "
            f"({verdict} chemical accuracy; Hartree-Fock "
            f"{(p.hartree_fock_energy - p.ground_energy) * 1e3:.3f} mHa); {c.n_gates} gates, "
            f"{c.n_cnots} CNOTs, depth {c.depth} (rollout step {c.step} of {p.rollout_steps}, "
            f"{p.seconds:.1f} s)\n  {gates_text(c.gates)}"
        )
    return 0


def add_commands(sub) -> None:
    """Register ``evaluate``, ``mitigate`` and ``propose``."""
    propose = sub.add_parser(
        "propose",
        help="the circuit a trained curve run's policy proposes at any bond length (no training)",
    )
    propose.add_argument("folder", help="a curve run folder (problem.bond_lengths)")
    propose.add_argument(
        "--bond-length", type=float, nargs="+", required=True, help="Å (one or more)"
    )
    propose.add_argument("--json", action="store_true", help="print the proposal(s) as JSON")
    propose.set_defaults(handler=_cmd_propose)
    mitigate = sub.add_parser(
        "mitigate", help="readout-error mitigation and zero-noise extrapolation of a run's circuits"
    )
    mitigate.add_argument("folder", help="a run folder with noise")
    mitigate.add_argument("--zne-scales", default="1,3,5", help="odd fold factors (default 1,3,5)")
    mitigate.add_argument("--fit", default="richardson", help="linear | richardson | exponential")
    mitigate.add_argument(
        "--no-readout", dest="readout", action="store_false", help="ZNE without readout inversion"
    )
    mitigate.add_argument("--shots", type=int, help="shots per group (default exact expectations)")
    mitigate.add_argument("--seed", type=int, default=0, help="seed of the shot noise")
    mitigate.add_argument("--json", action="store_true", help="print the rows as JSON")
    mitigate.set_defaults(handler=_cmd_mitigate)
    evaluate = sub.add_parser(
        "evaluate", help="energy of an OpenQASM 2/3 circuit on a problem, with or without noise"
    )
    evaluate.add_argument("circuit", help="a .qasm file (the workbench's gate set)")
    evaluate.add_argument("--problem", required=True, help="problem preset id (`problems`)")
    evaluate.add_argument("--bond-length", type=float, help="Å, for diatomic presets")
    evaluate.add_argument("--noise", help="device profile (`devices`); default noiseless")
    evaluate.add_argument("--scale", type=float, default=1.0, help="multiplies the error rates")
    evaluate.add_argument("--shots", type=int, help="shots per measurement group (default exact)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the shot noise")
    evaluate.add_argument("--json", action="store_true", help="print the record as JSON")
    evaluate.set_defaults(handler=_cmd_evaluate)
