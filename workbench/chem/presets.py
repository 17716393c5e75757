"""The paper's problems as named presets; diatomics accept a bond length for dissociation scans.

Each preset reproduces the Hamiltonian used in CRLQAS (ICLR 2024); their exact ground energies
match the paper's files to better than 1e-6 Ha (tested).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from workbench.config import MAX_BOND_LENGTH, MoleculeSpec
from workbench.errors import ConfigError

H2O_PAPER_GEOMETRY_BOHR = ((-0.021, -0.002, 0.0), (0.835, 0.452, 0.0), (1.477, -0.273, 0.0))
"""The paper's water coordinates (H, O, H). They read like Å but were used as bohr."""


@dataclass(frozen=True)
class Preset:
    """A named problem recipe.

    Attributes:
        id: short name used by the CLI, configs and notebooks.
        description: one line for tables and widgets.
        make: ``bond_length -> MoleculeSpec`` (the argument is ignored for non-diatomics).
        bond_length: default bond length in Å for diatomics, ``None`` otherwise.
    """

    id: str
    description: str
    make: Callable[[float | None], MoleculeSpec]
    bond_length: float | None = None

    @property
    def is_diatomic(self) -> bool:
        return self.bond_length is not None

    def spec(self, bond_length: float | None = None) -> MoleculeSpec:
        """The molecule at ``bond_length`` Å (default: the paper's geometry)."""
        if bond_length is None:
            return self.make(self.bond_length)
        if not self.is_diatomic:
            raise ConfigError(
                f"preset {self.id!r} is not a diatomic: bond_length={bond_length!r} is not "
                "allowed; give a full geometry as a custom molecule instead"
            )
        if isinstance(bond_length, bool) or not isinstance(bond_length, int | float):
            raise ConfigError(f"bond_length={bond_length!r} must be a number of Å")
        if not math.isfinite(bond_length) or not 0 < bond_length <= MAX_BOND_LENGTH:
            raise ConfigError(
                f"bond_length={bond_length!r} is not allowed: expected a distance in "
                f"(0, {MAX_BOND_LENGTH:g}] Å"
            )
        try:
            return self.make(float(bond_length))
        except ConfigError as error:
            raise ConfigError(f"bond_length={bond_length!r} Å for {self.id!r}: {error}") from None


def _diatomic(a: str, b: str, **recipe) -> Callable[[float | None], MoleculeSpec]:
    def make(bond_length: float | None) -> MoleculeSpec:
        geometry = ((0.0, 0.0, 0.0), (0.0, 0.0, float(bond_length)))
        return MoleculeSpec(symbols=(a, b), geometry=geometry, unit="angstrom", **recipe)

    return make


def _water(electrons: int, orbitals: int) -> Callable[[float | None], MoleculeSpec]:
    """The paper's water with ``electrons`` in ``orbitals`` (the highest occupied and lowest
    virtual ones, ``qml.qchem.active_space``), Jordan–Wigner: 2 × ``orbitals`` qubits."""

    def make(_: float | None) -> MoleculeSpec:
        return MoleculeSpec(
            symbols=("H", "O", "H"),
            geometry=H2O_PAPER_GEOMETRY_BOHR,
            unit="bohr",
            active_electrons=electrons,
            active_orbitals=orbitals,
            mapping="jordan_wigner",
            name=f"h2o-{2 * orbitals}q",
        )

    return make


_LIH_ACTIVE = {"core": (0,), "active": (1, 2, 5)}
"""Li 1s frozen; the degenerate π pair (MOs 3, 4) removed, as in the paper's Qiskit recipe."""

PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        Preset(
            "h2-2q",
            "H2, parity mapping + two-qubit reduction (paper's |00> convention)",
            _diatomic("H", "H", mapping="parity", tapering="two_qubit", basis_flips=(1,)),
            0.7414,
        ),
        Preset(
            "h2-3q",
            "H2, parity mapping, total-parity qubit tapered",
            _diatomic("H", "H", mapping="parity", tapering="parity"),
            0.7414,
        ),
        Preset("h2-4q", "H2, Jordan-Wigner", _diatomic("H", "H"), 0.7414),
        Preset(
            "h2-4q-qcas",
            "H2 at 0.70 A, Jordan-Wigner (the QCAS / IBM Ourense comparison)",
            _diatomic("H", "H"),
            0.70,
        ),
        Preset(
            "lih-4q",
            "LiH, active MOs {1,2,5}, parity + two-qubit reduction",
            _diatomic("Li", "H", mapping="parity", tapering="two_qubit", **_LIH_ACTIVE),
            3.4,
        ),
        Preset(
            "lih-6q",
            "LiH, active MOs {1,2,5}, Jordan-Wigner",
            _diatomic("Li", "H", **_LIH_ACTIVE),
            2.2,
        ),
        Preset("h2o-8q", "H2O (paper's coordinates in bohr), 4e/4o, Jordan-Wigner", _water(4, 4)),
        # Beyond the paper: the sizes of TensorRL-QAS (NeurIPS 2025) and a stretched N2
        Preset("lih-12q", "LiH, all 6 MOs, Jordan-Wigner", _diatomic("Li", "H"), 3.4),
        Preset("h2o-10q", "H2O (paper's coordinates), 6e/5o, Jordan-Wigner", _water(6, 5)),
        Preset("h2o-12q", "H2O (paper's coordinates), 8e/6o, Jordan-Wigner", _water(8, 6)),
        Preset(
            "n2-12q",
            "N2 stretched to 2.0 A (HF 0.7 Ha above E0), 6e/6o, Jordan-Wigner",
            _diatomic("N", "N", active_electrons=6, active_orbitals=6),
            2.0,
        ),
    )
}


def get_preset(preset_id: str) -> Preset:
    """Look up a preset by id, with a clear error listing the valid ids."""
    try:
        return PRESETS[preset_id]
    except KeyError:
        raise ConfigError(
            f"unknown problem preset {preset_id!r}: expected one of {', '.join(PRESETS)}"
        ) from None
