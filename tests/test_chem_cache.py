"""Problem cache: round trip, corrupt and stale entries are rebuilt, never trusted."""

from __future__ import annotations

import json

import pytest

from workbench.chem import MoleculeSpec, get_problem, problem_from_dict
from workbench.chem import cache as problem_cache
from workbench.chem.build import RECIPE_VERSION

SPEC = MoleculeSpec(("H", "H"), ((0, 0, 0), (0, 0, 1.1)), mapping="parity", tapering="parity")


def cached_files(data):
    return sorted((data / "cache" / "problems").glob("*.json"))


def test_round_trip_is_exact(isolated_data):
    built = get_problem(SPEC)
    (path,) = cached_files(isolated_data)
    loaded = problem_from_dict(json.loads(path.read_text()), SPEC)
    assert loaded.summary() == built.summary()
    assert loaded.hamiltonian.terms() == built.hamiltonian.terms()
    assert loaded.hartree_fock_state == built.hartree_fock_state


def test_second_call_reads_the_cache(isolated_data, monkeypatch):
    first = get_problem(SPEC)
    monkeypatch.setattr(problem_cache, "build_problem", lambda *a: pytest.fail("rebuilt"))
    assert get_problem(SPEC).ground_energy == first.ground_energy


def test_bond_length_scan_points_are_cached_separately(isolated_data):
    energies = [get_problem("h2-2q", bond_length=r).ground_energy for r in (0.6, 1.0)]
    assert energies[0] != energies[1]
    assert len(cached_files(isolated_data)) == 2


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda text: text.replace('"ground_energy": -', '"ground_energy": -9'),
        lambda text: text[: len(text) // 2],
        lambda text: "not json at all",
        lambda text: json.dumps(json.loads(text) | {"format": "something-else@0"}),
    ],
    ids=["edited-value", "truncated", "garbage", "wrong-format"],
)
def test_corrupt_entry_is_rebuilt(isolated_data, corrupt):
    good = get_problem(SPEC)
    (path,) = cached_files(isolated_data)
    path.write_text(corrupt(path.read_text()))
    with pytest.warns(UserWarning, match="ignoring cache entry"):
        again = get_problem(SPEC)
    assert again.ground_energy == pytest.approx(good.ground_energy, abs=1e-12)
    assert problem_from_dict(json.loads(path.read_text()), SPEC).key == good.key


def test_stale_recipe_version_is_rebuilt(isolated_data, monkeypatch):
    get_problem(SPEC)
    (path,) = cached_files(isolated_data)
    monkeypatch.setattr("workbench.chem.build.RECIPE_VERSION", RECIPE_VERSION + 1)
    with pytest.raises(problem_cache.CacheEntryError, match="another recipe version"):
        problem_from_dict(json.loads(path.read_text()), SPEC)
    get_problem(SPEC)
    assert len(cached_files(isolated_data)) == 2  # a new entry under the new key


def test_entry_for_another_spec_is_refused(isolated_data):
    get_problem(SPEC)
    (path,) = cached_files(isolated_data)
    other = MoleculeSpec(("H", "H"), ((0, 0, 0), (0, 0, 1.2)), mapping="parity", tapering="parity")
    with pytest.raises(problem_cache.CacheEntryError, match="specification differs"):
        problem_from_dict(json.loads(path.read_text()), other)


def test_read_only_data_folder_falls_back_to_user_cache(isolated_data, monkeypatch, tmp_path):
    monkeypatch.setattr(problem_cache.os, "access", lambda *a: False)
    get_problem(SPEC)
    assert list((tmp_path / "user-cache" / "problems").glob("*.json"))


def test_writes_leave_no_temporary_files(isolated_data):
    get_problem(SPEC)
    leftovers = [p for p in (isolated_data / "cache" / "problems").iterdir() if p.suffix != ".json"]
    assert leftovers == []


def test_cache_file_is_human_readable(isolated_data):
    get_problem(SPEC)
    (path,) = cached_files(isolated_data)
    text = path.read_text()
    assert '"ground_energy": ' in text
    assert all(line.count('": ') == 1 for line in text.splitlines() if line.startswith('  "'))
