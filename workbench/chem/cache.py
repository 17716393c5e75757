"""Problem cache: small, human-readable JSON files keyed by a hash of the full specification.

Shipped presets live in ``data/problems/`` (committed, so notebooks start instantly); problems
built on demand go to ``data/cache/problems/`` (git-ignored), or to the user cache folder when the
data folder is read-only. A file is trusted only if its format, key, specification and SHA-256
checksum all match; anything else is rebuilt and rewritten atomically.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from workbench import paths
from workbench.chem.build import Problem, build_problem, problem_key
from workbench.chem.presets import PRESETS, get_preset
from workbench.config import MoleculeSpec, json_sha256
from workbench.config.sections import ProblemConfig
from workbench.errors import ConfigError
from workbench.paulis import PauliHamiltonian

FORMAT = "qas-workbench/problem@1"


class CacheEntryError(Exception):
    """A cache file is corrupt or stale (never shown to users: the problem is rebuilt)."""


def shipped_dir() -> Path:
    """Folder of the committed preset problems."""
    return paths.data_dir() / "problems"


def build_cache_dir() -> Path:
    """Writable folder for problems built on demand."""
    preferred = paths.data_dir() / "cache" / "problems"
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    return paths.cache_dir() / "problems"


def _checksum(payload: dict[str, Any]) -> str:
    body = {k: v for k, v in payload.items() if k != "checksum"}
    return json_sha256(body)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """JSON form: facts first, then one Pauli term per line when indented."""
    payload = {
        "format": FORMAT,
        "key": problem.key,
        "id": problem.id,
        "spec": problem.spec.to_dict(),
        "n_qubits": problem.n_qubits,
        "n_terms": problem.n_terms,
        "n_electrons": problem.n_electrons,
        "ground_energy": problem.ground_energy,
        "ground_energy_sector": problem.ground_energy_sector,
        "first_excited_energy": problem.first_excited_energy,
        "hartree_fock_energy": problem.hartree_fock_energy,
        "hartree_fock_state": list(problem.hartree_fock_state),
        "zero_state_energy": problem.zero_state_energy,
        "lower_bound": problem.lower_bound,
        "shift": problem.hamiltonian.shift,
        "terms": dict(problem.hamiltonian.terms()),
        "provenance": problem.provenance,
    }
    payload["checksum"] = _checksum(payload)
    return payload


def problem_from_dict(payload: dict[str, Any], spec: MoleculeSpec | None = None) -> Problem:
    """Inverse of :func:`problem_to_dict`, refusing anything corrupt or stale.

    Raises:
        CacheEntryError: wrong format, checksum, key or specification.
    """
    try:
        if payload.get("format") != FORMAT:
            raise CacheEntryError(f"format {payload.get('format')!r} is not {FORMAT}")
        if payload.get("checksum") != _checksum(payload):
            raise CacheEntryError("checksum mismatch (file edited or truncated)")
        stored_spec = MoleculeSpec.from_dict(payload["spec"])
        if spec is not None and stored_spec.key() != spec.key():
            raise CacheEntryError("specification differs from the one requested")
        if payload["key"] != problem_key(stored_spec):
            raise CacheEntryError("built by another recipe version")
        hamiltonian = PauliHamiltonian.from_terms(
            payload["terms"].items(), payload["n_qubits"], payload["shift"]
        )
        if hamiltonian.n_terms != payload["n_terms"] or not np.isclose(
            hamiltonian.lower_bound, payload["lower_bound"], rtol=0, atol=1e-12
        ):
            raise CacheEntryError("terms disagree with the recorded summary")
        return Problem(
            id=payload["id"],
            spec=stored_spec,
            hamiltonian=hamiltonian,
            n_electrons=int(payload["n_electrons"]),
            ground_energy=float(payload["ground_energy"]),
            ground_energy_sector=float(payload["ground_energy_sector"]),
            first_excited_energy=float(payload["first_excited_energy"]),
            hartree_fock_energy=float(payload["hartree_fock_energy"]),
            hartree_fock_state=tuple(int(b) for b in payload["hartree_fock_state"]),
            zero_state_energy=float(payload["zero_state_energy"]),
            key=payload["key"],
            provenance=dict(payload.get("provenance", {})),
        )
    except CacheEntryError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CacheEntryError(f"malformed entry: {error}") from error


def _file_name(problem_id: str, key: str) -> str:
    return f"{problem_id}-{key[:18]}.json"


def _dumps(payload: dict[str, Any]) -> str:
    """JSON with one field per line and one Pauli term per line (diff- and eye-friendly)."""
    lines = []
    for key, value in payload.items():
        if key == "terms":
            body = ",\n".join(f"  {json.dumps(w)}: {json.dumps(c)}" for w, c in value.items())
            lines.append(f' "terms": {{\n{body}\n }}')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save_problem(problem: Problem, directory: Path) -> Path:
    """Write ``problem`` atomically into ``directory``; returns the file path."""
    path = directory / _file_name(problem.id, problem.key)
    paths.atomic_write_text(path, _dumps(problem_to_dict(problem)))
    return path


def _find(spec: MoleculeSpec, key: str) -> Problem | None:
    for directory in (shipped_dir(), build_cache_dir()):
        for path in sorted(directory.glob(f"*-{key[:18]}.json")):
            try:
                return problem_from_dict(json.loads(path.read_text(encoding="utf-8")), spec)
            except (CacheEntryError, json.JSONDecodeError, UnicodeDecodeError, OSError) as err:
                warnings.warn(f"ignoring cache entry {path}: {err}; rebuilding", stacklevel=3)
    return None


def get_problem(
    problem: str | MoleculeSpec,
    bond_length: float | None = None,
    *,
    use_cache: bool = True,
) -> Problem:
    """A problem by preset id (optionally at another bond length, Å) or by specification.

    Looks in the shipped presets and the build cache first; builds and caches on a miss.

    Example:
        >>> get_problem("h2-4q", bond_length=1.5).ground_energy  # doctest: +SKIP
    """
    if isinstance(problem, MoleculeSpec):
        if bond_length is not None:
            raise ConfigError("bond_length applies to presets only; edit the geometry instead")
        spec, problem_id = problem, problem.name or None
    elif isinstance(problem, str):
        preset = get_preset(problem)
        spec = preset.spec(bond_length)
        problem_id = preset.id if bond_length is None else f"{preset.id}@{bond_length:g}A"
    else:
        raise ConfigError(f"problem={problem!r}: expected a preset id or a MoleculeSpec")
    key = problem_key(spec)
    if use_cache:
        cached = _find(spec, key)
        if cached is not None:
            return cached
    built = build_problem(spec, problem_id)
    if use_cache:
        save_problem(built, build_cache_dir())
    return built


def rebuild_presets() -> list[Path]:
    """Rebuild every preset at its default geometry, and the curve presets' problems at their
    training bond lengths, into the shipped folder."""
    from workbench.config.presets import CURVE_BOND_LENGTHS

    built = [save_problem(build_problem(p.spec(), p.id), shipped_dir()) for p in PRESETS.values()]
    for preset_id, lengths in CURVE_BOND_LENGTHS.items():
        preset = PRESETS[preset_id]
        for r in lengths:
            if r != preset.bond_length:
                problem = build_problem(preset.spec(r), f"{preset_id}@{r:g}A")
                built.append(save_problem(problem, shipped_dir()))
    return built


def resolve_problem(config: ProblemConfig) -> Problem:
    """The problem a run config's ``problem`` section names (molecule, or preset and bond)."""
    if config.molecule is not None:
        return get_problem(config.molecule)
    return get_problem(config.preset, config.bond_length)


def curve_bond_length(config: ProblemConfig) -> float | None:
    """A curve run's own bond length in Å (``bond_length``, else its preset's): the one whose
    problem its folder records; ``None`` for a run on one problem."""
    if config.bond_lengths is None:
        return None
    return config.bond_length or get_preset(config.preset).bond_length


def resolve_curve(config: ProblemConfig, own: Problem) -> dict[float, Problem]:
    """A curve run's problem at every one of ``bond_lengths`` (``own``, from
    :func:`resolve_problem`, at its own bond length, which must be one of them); empty for a
    run on one problem."""
    reference = curve_bond_length(config)
    if reference is None:
        return {}
    if reference not in config.bond_lengths:
        raise ConfigError(
            f"problem.bond_lengths={list(config.bond_lengths)} must include the run's own bond "
            f"length {reference:g} Å (problem.bond_length, or the preset's)"
        )
    return {
        r: own if r == reference else get_problem(config.preset, r) for r in config.bond_lengths
    }
