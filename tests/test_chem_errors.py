"""Bad input gets a clear error naming the bad value and what is allowed."""

from __future__ import annotations

import pytest

from workbench.chem import MoleculeSpec, build_problem, get_preset, get_problem
from workbench.errors import ConfigError, ProblemError

H2 = {"symbols": ("H", "H"), "geometry": ((0, 0, 0), (0, 0, 0.74))}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"symbols": ("H", "Xx")}, "unknown element 'Xx'"),
        ({"symbols": ("h", "H")}, "unknown element 'h'"),
        ({"geometry": ((0, 0, 0), (0, 0, 1e-3))}, "atoms 0 .H. and 1 .H. are .* apart"),
        ({"geometry": ((0, 0, 0),)}, "expected 2 .x, y, z. triples"),
        ({"geometry": ((0, 0, 0), (0, 0, float("inf")))}, "finite"),
        ({"charge": 1}, "charge=1 and multiplicity=1 are inconsistent: the molecule has 1"),
        ({"multiplicity": 2}, "multiplicity=2 are inconsistent"),
        ({"multiplicity": 0}, r"multiplicity=0 is not allowed"),
        ({"charge": 2}, "has 0 electrons"),
        ({"mapping": "qubit_magic"}, "unknown mapping 'qubit_magic': expected one of"),
        ({"tapering": "lots"}, "tapering='lots' is not allowed"),
        ({"tapering": "two_qubit"}, "needs mapping='parity'"),
        ({"unit": "furlong"}, "unit='furlong' is not allowed"),
        ({"active_electrons": 3}, "active_electrons=3 is not allowed"),
        ({"active_electrons": 2, "active_orbitals": 0}, "active_orbitals=0"),
        ({"core": (0,), "active": (0, 1)}, "overlap the core"),
        ({"core": (0,)}, "without active"),
        ({"active": (1, -1)}, "non-negative"),
        ({"active": (1,), "active_orbitals": 1}, "not both"),
    ],
)
def test_invalid_specification(fields, message):
    with pytest.raises(ConfigError, match=message):
        MoleculeSpec(**(H2 | fields))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"active_orbitals": 3}, "active_orbitals=3 is larger than the molecule: H2 in sto-3g"),
        ({"active": (0, 4)}, r"orbitals \[4\] do not exist: H2 in sto-3g has 2"),
        ({"symbols": ("Na", "H")}, "element 'Na' has no built-in 'sto-3g' basis"),
        ({"basis": "def2-tzvp"}, "no built-in 'def2-tzvp' basis"),
    ],
)
def test_unbuildable_problem(fields, message):
    with pytest.raises(ProblemError, match=message):
        build_problem(MoleculeSpec(**(H2 | fields)))


def test_open_shell_is_refused_clearly():
    spec = MoleculeSpec(("H", "H", "H"), ((0, 0, 0), (0, 0, 0.9), (0, 0.8, 0.4)), multiplicity=2)
    with pytest.raises(ProblemError, match="closed-shell molecules only"):
        build_problem(spec)


@pytest.mark.parametrize("bond_length", [-1.0, 0.0, float("nan")])
def test_bond_length_must_be_positive(bond_length):
    with pytest.raises(ConfigError, match=r"expected a distance in \(0, 20\] Å"):
        get_preset("h2-4q").spec(bond_length)


def test_bond_length_only_for_diatomics():
    with pytest.raises(ConfigError, match="'h2o-8q' is not a diatomic"):
        get_problem("h2o-8q", bond_length=1.0)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="unknown problem preset 'h3-9q': expected one of h2-2q"):
        get_problem("h3-9q")


def test_unknown_field_in_dict_is_named():
    with pytest.raises(ConfigError, match=r"unknown molecule field\(s\) \['bond'\]"):
        MoleculeSpec.from_dict(H2 | {"bond": 1})
