"""Molecule configuration: element data, units and the validated :class:`MoleculeSpec`.

Every user-facing knob lives in a frozen dataclass here. Each validates itself on construction and
raises :class:`~workbench.errors.ConfigError` naming the bad value and what is allowed, so bad
input is rejected before any work starts. ``to_dict``/``from_dict`` give a plain-JSON form that
is hashed for caches and written into run folders.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.config.hashing import json_sha256
from workbench.errors import ConfigError

MAX_BOND_LENGTH = 20.0
"""Å: the longest bond of a preset scan and the largest distance between two atoms of a
molecule (beyond it the atoms are separate problems, and the SCF stops being meaningful)."""
BOHR_PER_ANGSTROM = 1.0 / 0.529177210903
"""CODATA 2018 conversion factor (1 Å = 1.8897 bohr), the same one PennyLane uses."""

CHEMICAL_ACCURACY = 1.6e-3
"""Chemical accuracy in hartree, the success criterion used throughout the paper."""
CHEMICAL_ACCURACY_LABEL = f"{CHEMICAL_ACCURACY * 1e3:g} mHa"
"""How tables, figures and messages name :data:`CHEMICAL_ACCURACY` ("1.6 mHa")."""

ATOMIC_NUMBERS: dict[str, int] = {
    symbol: z
    for z, symbol in enumerate(
        (
            "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn "
            "Ga Ge As Se Br Kr"
        ).split(),
        start=1,
    )
}
"""Element symbols of the first four periods and their nuclear charges."""

MAPPINGS = ("jordan_wigner", "parity", "bravyi_kitaev")
MAPPING_ALIASES = {"jw": "jordan_wigner", "bk": "bravyi_kitaev"}
TAPERINGS = ("none", "parity", "two_qubit", "z2")
UNITS = ("angstrom", "bohr")
MIN_ATOM_DISTANCE_BOHR = 0.1


def _fail(name: str, value: Any, allowed: str) -> ConfigError:
    return ConfigError(f"{name}={value!r} is not allowed: {allowed}")


def _int_tuple(name: str, value: Any) -> tuple[int, ...]:
    try:
        items = tuple(value)
    except TypeError:
        raise _fail(name, value, "expected a list of orbital indices") from None
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise _fail(name, value, "orbital indices must be non-negative integers")
    if len(set(items)) != len(items):
        raise _fail(name, value, "orbital indices must not repeat")
    return tuple(sorted(items))


def check_fields(cls, data: Mapping[str, Any], what: str) -> None:
    """Refuse keys that are not fields of dataclass ``cls``, naming them and the allowed ones."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown {what} field(s) {unknown}: allowed are {sorted(known)}")


def _geometry(value: Any, n_atoms: int) -> tuple[tuple[float, float, float], ...]:
    try:
        rows = tuple(tuple(float(x) for x in row) for row in value)
    except (TypeError, ValueError):
        raise _fail("geometry", value, "expected one [x, y, z] triple per atom") from None
    if len(rows) != n_atoms or any(len(row) != 3 for row in rows):
        raise _fail("geometry", value, f"expected {n_atoms} [x, y, z] triples, one per symbol")
    if not all(math.isfinite(x) for row in rows for x in row):
        raise _fail("geometry", value, "coordinates must be finite numbers")
    return rows


@dataclass(frozen=True)
class MoleculeSpec:
    r"""A molecule and the recipe that turns it into a qubit Hamiltonian.

    The electronic-structure problem is solved by PennyLane's built-in (differentiable)
    Hartree–Fock in the given Gaussian basis; no network access is needed. The fermionic
    Hamiltonian of the active space is mapped to qubits and optionally tapered.

    Conventions: spin-orbitals are interleaved (α, β of each spatial orbital) as in PennyLane,
    except for ``tapering="two_qubit"``, which orders all α then all β spin-orbitals as Qiskit
    does, so that the α-number parity and the total-number parity each sit on one qubit of the
    parity mapping. Wire 0 is the leftmost letter of every Pauli word and the most significant
    bit of a basis state.

    Attributes:
        symbols: element symbols, e.g. ``("Li", "H")``.
        geometry: one ``(x, y, z)`` per atom, in ``unit``.
        unit: ``"angstrom"`` or ``"bohr"`` (the paper's H2O coordinates are in bohr).
        charge: net charge in units of e.
        multiplicity: spin multiplicity :math:`2S+1`.
        basis: Gaussian basis set available offline in PennyLane: ``sto-3g``, ``6-31g``,
            ``6-311g`` or ``cc-pvdz``.
        active_electrons: electrons in the active space (``None``: all).
        active_orbitals: spatial orbitals in the active space (``None``: all). The core is the
            lowest orbitals, as in ``qml.qchem.active_space``.
        core: explicit list of doubly occupied (frozen) spatial orbitals; use with ``active``.
        active: explicit list of active spatial orbitals (e.g. LiH's ``(1, 2, 5)``).
        mapping: ``jordan_wigner`` (alias ``jw``), ``parity`` or ``bravyi_kitaev`` (``bk``).
        tapering: ``none``; ``parity`` drops the total-number-parity qubit of the parity mapping
            (one qubit fewer); ``two_qubit`` drops the α-parity and total-parity qubits of the
            parity mapping (Qiskit's two-qubit reduction); ``z2`` tapers every
            :math:`\mathbb{Z}_2` symmetry PennyLane finds, in the Hartree–Fock sector.
        basis_flips: qubits whose computational basis is relabelled,
            :math:`H \to X_q H X_q`. The spectrum is unchanged; only the meaning of
            :math:`|0\dots0\rangle` moves. Used to reproduce Hamiltonian files generated with
            other conventions.
        name: a free-form label (not part of the cache key).
    """

    symbols: tuple[str, ...]
    geometry: tuple[tuple[float, float, float], ...]
    unit: str = "angstrom"
    charge: int = 0
    multiplicity: int = 1
    basis: str = "sto-3g"
    active_electrons: int | None = None
    active_orbitals: int | None = None
    core: tuple[int, ...] | None = None
    active: tuple[int, ...] | None = None
    mapping: str = "jordan_wigner"
    tapering: str = "none"
    basis_flips: tuple[int, ...] = ()
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        symbols = self.symbols
        if isinstance(symbols, str) or not isinstance(symbols, Sequence) or not symbols:
            raise _fail("symbols", symbols, "expected a non-empty list of element symbols")
        for symbol in symbols:
            if symbol not in ATOMIC_NUMBERS:
                raise ConfigError(
                    f"unknown element {symbol!r}: expected a symbol such as H, He, Li, ... Kr "
                    "(case-sensitive)"
                )
        object.__setattr__(self, "symbols", tuple(symbols))
        object.__setattr__(self, "geometry", _geometry(self.geometry, len(symbols)))
        unit = str(self.unit).lower()
        if unit not in UNITS:
            raise _fail("unit", self.unit, f"expected one of {', '.join(UNITS)}")
        object.__setattr__(self, "unit", unit)
        mapping = MAPPING_ALIASES.get(str(self.mapping).lower(), str(self.mapping).lower())
        if mapping not in MAPPINGS:
            raise ConfigError(
                f"unknown mapping {self.mapping!r}: expected one of {', '.join(MAPPINGS)} "
                "(aliases jw, bk)"
            )
        object.__setattr__(self, "mapping", mapping)
        self._check_tapering()
        self._check_atoms_apart()
        self._check_electrons()
        self._check_active_space()
        flips = _int_tuple("basis_flips", self.basis_flips)
        object.__setattr__(self, "basis_flips", flips)

    def _check_tapering(self) -> None:
        if self.tapering not in TAPERINGS:
            raise _fail("tapering", self.tapering, f"expected one of {', '.join(TAPERINGS)}")
        if self.tapering in ("parity", "two_qubit") and self.mapping != "parity":
            raise ConfigError(
                f"tapering={self.tapering!r} needs mapping='parity' (got {self.mapping!r}); "
                "use tapering='z2' for other mappings"
            )

    def _check_atoms_apart(self) -> None:
        scale = BOHR_PER_ANGSTROM if self.unit == "angstrom" else 1.0
        for i, a in enumerate(self.geometry):
            for j in range(i):
                distance = math.dist(a, self.geometry[j]) * scale
                if distance < MIN_ATOM_DISTANCE_BOHR:
                    raise ConfigError(
                        f"atoms {j} ({self.symbols[j]}) and {i} ({self.symbols[i]}) are "
                        f"{distance:.3g} bohr apart: atoms must be at least "
                        f"{MIN_ATOM_DISTANCE_BOHR} bohr apart"
                    )
                if distance > MAX_BOND_LENGTH * BOHR_PER_ANGSTROM:
                    raise ConfigError(
                        f"atoms {j} ({self.symbols[j]}) and {i} ({self.symbols[i]}) are "
                        f"{distance / BOHR_PER_ANGSTROM:.3g} Å apart: at most "
                        f"{MAX_BOND_LENGTH:g} Å is allowed (farther atoms are separate molecules)"
                    )

    @property
    def n_electrons(self) -> int:
        """Total number of electrons, :math:`\\sum_A Z_A - q`."""
        return sum(ATOMIC_NUMBERS[s] for s in self.symbols) - self.charge

    def _check_electrons(self) -> None:
        for name in ("charge", "multiplicity"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise _fail(name, value, "expected an integer")
        if self.multiplicity < 1:
            raise _fail("multiplicity", self.multiplicity, "expected 2S+1 >= 1")
        n = self.n_electrons
        unpaired = self.multiplicity - 1
        if n < 1 or unpaired > n or (n - unpaired) % 2:
            raise ConfigError(
                f"charge={self.charge} and multiplicity={self.multiplicity} are inconsistent: "
                f"the molecule has {n} electrons, which needs multiplicity - 1 <= {n} with the "
                "same parity as the electron count"
            )

    def _check_active_space(self) -> None:
        explicit = self.core is not None or self.active is not None
        counted = self.active_electrons is not None or self.active_orbitals is not None
        if explicit and counted:
            raise ConfigError(
                "give either core/active orbital lists or active_electrons/active_orbitals, "
                "not both"
            )
        if explicit:
            if self.active is None:
                raise ConfigError("core was given without active: list the active orbitals too")
            core = _int_tuple("core", self.core or ())
            active = _int_tuple("active", self.active)
            if set(core) & set(active):
                raise _fail("active", active, f"active orbitals overlap the core {core}")
            if not active:
                raise _fail("active", active, "expected at least one active orbital")
            object.__setattr__(self, "core", core)
            object.__setattr__(self, "active", active)
            electrons, orbitals = self.n_electrons - 2 * len(core), len(active)
        else:
            electrons = self._count("active_electrons", self.n_electrons)
            orbitals = self._count("active_orbitals", None)
            if orbitals is None:
                return
        unpaired = self.multiplicity - 1
        fits = unpaired <= electrons and electrons + unpaired <= 2 * orbitals
        if not fits or (electrons - unpaired) % 2:
            raise ConfigError(
                f"an active space of {electrons} electrons in {orbitals} orbitals cannot hold "
                f"multiplicity {self.multiplicity}: need multiplicity-1 <= electrons <= "
                "2*orbitals with matching parity"
            )

    def _count(self, name: str, upper: int | None) -> int | None:
        value = getattr(self, name)
        if value is None:
            return upper
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _fail(name, value, "expected a positive integer")
        if upper is not None and (value > upper or (upper - value) % 2):
            raise _fail(
                name,
                value,
                f"the molecule has {upper} electrons; the core must hold an even number of them",
            )
        return value

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (lists instead of tuples)."""
        data = dataclasses.asdict(self)
        data["geometry"] = [list(row) for row in self.geometry]
        for key in ("symbols", "core", "active", "basis_flips"):
            if data[key] is not None:
                data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MoleculeSpec:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        check_fields(cls, data, "molecule")
        return cls(**dict(data))

    def key(self) -> str:
        """SHA-256 of the canonical JSON of every field that changes the Hamiltonian."""
        data = self.to_dict()
        data.pop("name")
        return json_sha256(data)

    def formula(self) -> str:
        """Hill-order formula (C, H, then alphabetical; without C all alphabetical): ``HLi``."""
        counts: dict[str, int] = {}
        for s in self.symbols:
            counts[s] = counts.get(s, 0) + 1
        order = sorted(counts, key=lambda s: (s != "C", s != "H" or "C" not in counts, s))
        return "".join(s + (str(counts[s]) if counts[s] > 1 else "") for s in order)
