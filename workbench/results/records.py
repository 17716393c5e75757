"""The typed records of a run folder: what the search writes and every reader reads.

* :class:`CircuitRecord` — one circuit of ``best.json``;
* :class:`EpisodeRecord` — one line of ``metrics.jsonl`` (and the training loop's event);
* :class:`RunSummary` — ``summary.json``: status and headline numbers;
* :class:`ResolvedFacts` / :class:`ProblemFacts` — what ``config.json`` records next to the config
  (γ, target energy, the problem's reference energies, the noise model, versions).

All are frozen. Energies in Ha, errors against the exact ground energy E0 of the run's problem;
gates ``(name, *wires)`` with wire 0 first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class _Record:
    """JSON round trip of the frozen records below (unknown keys ignored: files written by later
    versions load) and dictionary reads (``record["energy"]``) for code written against the
    dictionaries they replace."""

    @classmethod
    def _known(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k in cls.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        return cls(**cls._known(data))

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def __getitem__(self, key: str):
        return getattr(self, key)

    def get(self, key: str, default=None):
        """``record.get("best_error")`` as on the dictionary it replaces."""
        return getattr(self, key, default)


@dataclass(frozen=True)
class CircuitRecord(_Record):
    """A circuit a run found, as ``best.json`` stores it: gates ``(name, *wires)`` (wire 0 first)
    and their angles (rad); ``energy`` the exact expectation with the run's noise channels (no
    shots; readout inverted when the run mitigates it), ``noiseless_energy`` without noise,
    ``error``/``noiseless_error`` against the exact E0 (Ha); size; OpenQASM 2; where it was found
    (``episode``, ``step``, a greedy ``test`` episode) and the energy the search measured then.

    New code reads attributes; ``record["gates"]`` still works."""

    gates: tuple[tuple, ...]
    params: tuple[float, ...]
    energy: float
    error: float
    noiseless_energy: float
    noiseless_error: float
    n_gates: int
    n_cnots: int
    depth: int
    n_params: int
    qasm: str = ""
    episode: int | None = None
    step: int | None = None
    test: bool = False
    measured_energy: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CircuitRecord:
        values = cls._known(data)
        values["gates"] = tuple(tuple(g) for g in values["gates"])
        values["params"] = tuple(float(p) for p in values["params"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (gates and angles as lists)."""
        data = super().to_dict()
        data["gates"] = [list(g) for g in self.gates]
        data["params"] = list(self.params)
        return data

    @classmethod
    def optional(cls, data: Mapping[str, Any] | None) -> CircuitRecord | None:
        """``None`` stays ``None`` (no circuit within chemical accuracy yet)."""
        return None if data is None else cls.from_dict(data)


@dataclass(frozen=True)
class EpisodeRecord(_Record):
    """One finished episode, training or greedy ``test``: what the training loop hands its
    callbacks (as :class:`workbench.train.EpisodeEvent`) and what one line of ``metrics.jsonl``
    holds. Energies in Ha, errors against the exact E0; ``success``: the curriculum ended the
    episode as a success; ``circuit`` the final circuit as text (qubit 0 first), its size (gates,
    CNOTs, depth, parameters) that of the whole gate list, Hartree–Fock preparation included, as
    in :class:`CircuitRecord` (runs before 2026-12 counted depth without it); ``evaluations``
    the circuit evaluations spent (one per fold factor under zero-noise extrapolation; ``None``
    in runs recorded before they were counted); ``shots`` the shots spent (0 with exact
    expectations; ``None`` in runs recorded before they were counted);
    ``wall_time`` the run's seconds when the line was written (``None`` on live events);
    ``epsilon`` the exploration rate of ε-greedy agents (``None`` for others); ``bond_length``
    the episode's bond length in Å in a curve run (``None`` otherwise)."""

    episode: int
    success: bool
    length: int
    episode_return: float
    epsilon: float | None
    loss: float | None
    energy: float
    error_to_ground: float
    n_gates: int
    n_cnots: int
    depth: int
    n_params: int
    threshold: float
    env_seconds: float
    agent_seconds: float
    test: bool
    circuit: str = ""
    evaluations: int | None = None
    shots: int | None = None
    wall_time: float | None = None
    bond_length: float | None = None


CIRCUIT_SIZE_FIELDS = ("n_gates", "n_cnots", "depth", "n_params")
"""The size of a circuit as every record, table and figure reports it (in this order)."""


def cnot_order(record: CircuitRecord) -> tuple:
    """Sort key of circuit records: fewest CNOTs, then fewest gates, then lowest error."""
    return (record.n_cnots, record.n_gates, record.error)


def size_order(record: CircuitRecord) -> tuple:
    """Sort key of circuit records for "the smallest circuit": fewest gates, then fewest CNOTs,
    then lowest error (every table, tracker and document picks with this one rule)."""
    return (record.n_gates, record.n_cnots, record.error)


def gates_text(gates) -> str:
    """A gate list in its JSON form, ``[["RY", 0], ["CNOT", 0, 1]]``, as ``"RY(0) CNOT(0,1)"``
    (qubit 0 first) — how circuits are shown in tables, hovers and metrics."""
    return " ".join(f"{g[0]}({','.join(map(str, g[1:]))})" for g in gates)


@dataclass(frozen=True)
class RunSummary(_Record):
    """``summary.json``: a run's status and headline numbers, rewritten at every checkpoint.

    ``status``: ``running``, ``complete``, ``stopped``, ``failed`` (with ``error``) or
    ``unknown`` (no summary yet); ``pid`` the process that wrote it; ``curriculum_successes``
    episodes the curriculum ended as successes; ``first_chemical_accuracy_episode`` the first
    episode within 1.6 mHa of E0; ``best_error``/``best_noiseless_error`` of the lowest-energy
    circuit, ``best`` its size, energies and gates (a short copy of ``best.json``'s first
    circuit for people reading the file); seconds of wall time, per episode, in the environment
    and in the agent; ``updated`` an ISO 8601 UTC stamp."""

    status: str = "unknown"
    pid: int | None = None
    episodes_done: int = 0
    episodes: int | None = None
    curriculum_successes: int = 0
    first_chemical_accuracy_episode: int | None = None
    best_error: float | None = None
    best_noiseless_error: float | None = None
    chemical_accuracy: bool = False
    best: Mapping[str, Any] | None = None
    wall_time_s: float | None = None
    seconds_per_episode: float | None = None
    env_seconds: float | None = None
    agent_seconds: float | None = None
    updated: str | None = None
    error: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSummary:
        """Summaries written before ``curriculum_successes`` was named so load too."""
        data = dict(data)
        if "successes" in data:
            data.setdefault("curriculum_successes", data.pop("successes"))
        return cls(**cls._known(data))


@dataclass(frozen=True)
class ProblemFacts(_Record):
    """The problem a run solved, as resolved when it started: ``key`` the specification's SHA-256
    (the cache key); ``ground_energy`` the exact E0, ``lower_bound`` the curriculum's bound
    (``None`` unless given), the Hartree–Fock and |0…0⟩ energies (Ha); ``hamiltonian`` every Pauli
    term ``{word: coefficient}`` (the identity carries the shift; ``None`` in runs started before
    it was recorded) — energies alone cannot tell two Hamiltonians with the same spectrum apart."""

    id: str
    key: str
    n_qubits: int
    n_terms: int
    ground_energy: float
    hartree_fock_energy: float
    zero_state_energy: float
    lower_bound: float | None = None
    hamiltonian: Mapping[str, float] | None = None


@dataclass(frozen=True)
class ResolvedFacts(_Record):
    """What ``config.json`` records beside the config: the discount ``gamma``, the target energy
    and first curriculum threshold (Ha), action and observation sizes, the problem, the noise
    model in its JSON form (``NoiseModel.from_dict`` reads it; ``None`` without noise) and the
    package versions the run started with."""

    gamma: float
    target_energy: float
    initial_threshold: float
    n_actions: int
    observation_size: int
    problem: ProblemFacts
    noise: Mapping[str, Any] | None = None
    versions: Mapping[str, str] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResolvedFacts:
        values = cls._known(data)
        values["problem"] = ProblemFacts.from_dict(values["problem"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return super().to_dict() | {"problem": self.problem.to_dict()}
