"""``workbench problems|problem|devices|device-import``: the problem library and noise models."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.table import format_table
from workbench.config import MoleculeSpec
from workbench.errors import WorkbenchError


def _parse_geometry(text: str) -> list[list[float]]:
    """``"0 0 0; 0 0 0.74"`` → ``[[0, 0, 0], [0, 0, 0.74]]`` (atoms separated by ``;``)."""
    try:
        return [[float(x) for x in atom.replace(",", " ").split()] for atom in text.split(";")]
    except ValueError:
        raise WorkbenchError(
            f"--geometry {text!r}: expected 'x y z; x y z; ...' with numbers"
        ) from None


PROBLEM_COLUMNS = [
    ("id", "id", ""),
    ("qubits", "qubits", "d"),
    ("terms", "terms", "d"),
    ("E0 [Ha]", "ground_energy", ".8f"),
    ("HF [Ha]", "hartree_fock_energy", ".8f"),
    ("lower bound [Ha]", "lower_bound", ".8f"),
    ("E(|0..0>) [Ha]", "zero_state_energy", ".6f"),
    ("description", "description", ""),
]


def _cmd_problems(args: argparse.Namespace) -> int:
    from workbench.chem import PRESETS, get_problem, rebuild_presets

    if args.rebuild:
        for path in rebuild_presets():
            print(f"wrote {path}", file=sys.stderr)
    rows = []
    for preset in PRESETS.values():
        row = get_problem(preset.id).summary()
        row["description"] = preset.description
        row["bond_length"] = preset.bond_length
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows, PROBLEM_COLUMNS))
    return 0


def _custom_spec(args: argparse.Namespace) -> MoleculeSpec:
    if args.geometry is None:
        raise WorkbenchError("--symbols needs --geometry 'x y z; x y z; ...'")
    given = {name: getattr(args, name) for name in MOLECULE_FLAGS}
    return MoleculeSpec(
        symbols=tuple(args.symbols),
        geometry=_parse_geometry(args.geometry),
        **{name: value for name, value in given.items() if value is not None},
    )


MOLECULE_FLAGS = ("unit", "charge", "multiplicity", "basis", "active_electrons",
                  "active_orbitals", "mapping", "tapering")  # fmt: skip
"""The custom-molecule options; their defaults are MoleculeSpec's (one home), so an option is
None here exactly when the user did not give it."""


def _cmd_problem(args: argparse.Namespace) -> int:
    from workbench.chem import get_problem, problem_to_dict

    if (args.preset is None) == (args.symbols is None):
        raise WorkbenchError("give a preset id or --symbols/--geometry for a custom molecule")
    if args.preset is not None:
        given = [n for n in ("geometry", *MOLECULE_FLAGS) if getattr(args, n) is not None]
        if given:
            ignored = [f"--{n.replace('_', '-')}" for n in given]
            raise WorkbenchError(
                f"{', '.join(ignored)} describe a custom molecule; preset {args.preset!r} fixes "
                "them: drop them, or give --symbols and --geometry instead of a preset"
            )
        problem = get_problem(args.preset, bond_length=args.bond_length)
    else:
        if args.bond_length is not None:
            raise WorkbenchError("--bond-length applies to presets; edit --geometry instead")
        problem = get_problem(_custom_spec(args))
    if args.json:
        payload = problem_to_dict(problem)
        payload.pop("checksum")
        print(json.dumps(payload, indent=2))
        return 0
    summary = problem.summary()
    width = max(map(len, summary))
    for key, value in summary.items():
        print(
            f"{key.ljust(width)}  {value:.10f}"
            if isinstance(value, float)
            else f"{key.ljust(width)}  {value}"
        )
    print(f"{'hartree_fock_state'.ljust(width)}  |{''.join(map(str, problem.hartree_fock_state))}>")
    if args.terms:
        print(f"\nH = {problem.hamiltonian.shift:+.10f} I")
        for word, coefficient in problem.hamiltonian.terms():
            print(f"    {coefficient:+.10f} {word}")
    return 0


DEVICE_COLUMNS = [
    ("profile", "name", ""),
    ("qubits", "qubits", ""),
    ("p1 (max)", "p1", ".2e"),
    ("p2 (max)", "p2", ".2e"),
    ("T1 [us]", "t1", ""),
    ("readout (max)", "readout", ".3g"),
    ("coupling", "coupling", ""),
]


def _cmd_devices(args: argparse.Namespace) -> int:
    import numpy as np

    from workbench.devices import available_profiles, load_profile

    rows = []
    for name in available_profiles():
        try:
            model = load_profile(name)
        except WorkbenchError as error:  # one damaged file must not hide the others
            print(f"workbench: skipping {name}: {error}", file=sys.stderr)
            continue
        p2 = max([model.depolarizing_2q] + [p for _, _, p in model.depolarizing_2q_pairs])
        rows.append(
            {
                "name": name,
                "qubits": "any" if model.n_qubits is None else str(model.n_qubits),
                "p1": float(np.max(model.depolarizing_1q)),
                "p2": p2,
                "t1": "-" if model.t1 is None else f"{float(np.min(model.t1)):.1f}",
                "readout": float(np.max([model.readout_p01, model.readout_p10])),
                "coupling": "all-to-all"
                if model.coupling_map is None
                else f"{len(model.coupling_map)} directed pairs",
                "noise": model.to_dict(),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows, DEVICE_COLUMNS))
    return 0


def _cmd_device_import(args: argparse.Namespace) -> int:
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError:
        raise WorkbenchError(
            "importing a device needs the optional extra: pip install 'qas-workbench[devices]'"
        ) from None
    from workbench.devices import profile_from_backend, save_profile

    backend_class = getattr(fake_provider, args.backend, None)
    if backend_class is None:
        known = sorted(n for n in dir(fake_provider) if n.startswith("Fake") and n.endswith("V2"))
        raise WorkbenchError(
            f"unknown fake backend {args.backend!r}: expected one of {', '.join(known[:8])}, ..."
        )
    backend = backend_class()
    model = profile_from_backend(backend, args.name)
    path = save_profile(
        model,
        f"{backend.name}: per-qubit calibration imported from Qiskit's fake provider",
        f"qiskit_ibm_runtime.fake_provider.{args.backend}",
        {"backend": backend.name},
    )
    print(f"wrote {path}")
    return 0


def add_commands(sub) -> None:
    """Register ``problems``, ``problem``, ``devices`` and ``device-import``."""

    problems = sub.add_parser("problems", help="table of the molecular problem presets")
    problems.add_argument("--json", action="store_true", help="print JSON instead of a table")
    problems.add_argument(
        "--rebuild", action="store_true", help="rebuild the shipped preset files in data/problems"
    )
    problems.set_defaults(handler=_cmd_problems)

    problem = sub.add_parser(
        "problem",
        help="build one problem: a preset (optionally at another bond length) or any "
        "molecule given by --symbols/--geometry",
    )
    problem.add_argument("preset", nargs="?", help="preset id, e.g. h2-4q (see `problems`)")
    problem.add_argument("--bond-length", type=float, help="bond length in Å (diatomic presets)")
    problem.add_argument("--json", action="store_true", help="full problem with terms as JSON")
    problem.add_argument("--terms", action="store_true", help="also print the Pauli terms")
    custom = problem.add_argument_group("custom molecule")
    custom.add_argument("--symbols", nargs="+", help="element symbols, e.g. --symbols Li H")
    custom.add_argument("--geometry", help="coordinates 'x y z; x y z', one triple per atom")
    custom.add_argument("--unit", help="angstrom (default) or bohr")
    custom.add_argument("--charge", type=int, help="total charge (default 0)")
    custom.add_argument("--multiplicity", type=int, help="2S+1 (default 1)")
    custom.add_argument("--basis", help="basis set (default sto-3g)")
    custom.add_argument("--active-electrons", type=int)
    custom.add_argument("--active-orbitals", type=int)
    custom.add_argument(
        "--mapping", help="jordan_wigner (jw, default), parity, bravyi_kitaev (bk)"
    )
    custom.add_argument("--tapering", help="none (default)|parity|two_qubit|z2")
    problem.set_defaults(handler=_cmd_problem)

    devices = sub.add_parser("devices", help="table of the device noise profiles")
    devices.add_argument("--json", action="store_true", help="print JSON instead of a table")
    devices.set_defaults(handler=_cmd_devices)

    device_import = sub.add_parser(
        "device-import", help="turn a Qiskit fake backend's calibration into a device profile"
    )
    device_import.add_argument(
        "backend", help="class name in qiskit_ibm_runtime.fake_provider, e.g. FakeManilaV2"
    )
    device_import.add_argument("--name", help="profile name (default: qiskit-<backend name>)")
    device_import.set_defaults(handler=_cmd_device_import)
