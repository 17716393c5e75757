"""Run folders read back: :class:`RunResult` and :func:`load_run`.

What a run folder holds is described in :mod:`workbench.runs`; this module only reads, so the
panel, reports, sweeps and benchmarks read results without importing the training machinery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import CHEMICAL_ACCURACY, RunConfig
from workbench.errors import ConfigError, WorkbenchError
from workbench.lock import folder_in_use


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
    episode as a success; ``circuit`` the final circuit as text (qubit 0 first); ``evaluations``
    the energy evaluations spent (``None`` in runs recorded before they were counted);
    ``wall_time`` the run's seconds when the line was written (``None`` on live events)."""

    episode: int
    success: bool
    length: int
    episode_return: float
    epsilon: float
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
    wall_time: float | None = None


def cnot_order(record: CircuitRecord) -> tuple:
    """Sort key of circuit records: fewest CNOTs, then fewest gates, then lowest error."""
    return (record.n_cnots, record.n_gates, record.error)


def gates_text(gates) -> str:
    """A gate list in its JSON form, ``[["RY", 0], ["CNOT", 0, 1]]``, as ``"RY(0) CNOT(0,1)"``
    (qubit 0 first) — how circuits are shown in tables, hovers and metrics."""
    return " ".join(f"{g[0]}({','.join(map(str, g[1:]))})" for g in gates)


def read_config(folder: Path) -> RunConfig:
    """The run config of a run folder (``config.json``), with a named error when it is missing
    or damaged."""
    return RunConfig.from_dict(_config_json(Path(folder))["config"])


def _config_json(folder: Path) -> dict:
    path = folder / "config.json"
    if not path.is_file():
        raise WorkbenchError(f"{folder} is not a run folder: config.json is missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        missing = {"config", "resolved"} - set(data)
        if missing:
            raise KeyError(", ".join(sorted(missing)))
    except (ValueError, KeyError, TypeError) as error:
        raise WorkbenchError(
            f"{path} is damaged ({type(error).__name__}: {error}): it is written once, when the "
            "run starts; restore it from a copy, or start the run again"
        ) from None
    return data


@dataclass
class RunResult:
    """A run folder read back: config, resolved facts, per-episode metrics, circuits, summary."""

    folder: Path
    config: RunConfig
    resolved: dict
    metrics: list[EpisodeRecord]
    best_circuits: list[CircuitRecord]
    smallest_within_chemical_accuracy: CircuitRecord | None
    summary: dict
    fewest_cnots_within_chemical_accuracy: CircuitRecord | None = None

    @property
    def status(self) -> str:
        """``complete``, ``stopped``, ``failed``, ``running`` (a live process holds the folder) or
        ``interrupted`` (the files say running but no live process holds the folder: the run
        was killed; resume it)."""
        status = self.summary.get("status", "unknown")
        return "interrupted" if status == "running" and not folder_in_use(self.folder) else status

    @property
    def best(self) -> CircuitRecord | None:
        return self.best_circuits[0] if self.best_circuits else None

    def headline_circuits(self) -> dict[str, CircuitRecord]:
        """The lowest-energy circuit and the fewest-CNOT one within chemical accuracy, by label
        (the ones the run has): what mitigation and the baselines compare."""
        found = {
            "lowest energy": self.best,
            "fewest CNOTs within 1.6 mHa": self.fewest_cnots_within_chemical_accuracy,
        }
        return {which: record for which, record in found.items() if record is not None}

    def training_metrics(self) -> list[EpisodeRecord]:
        return [m for m in self.metrics if not m.test]

    @property
    def energy_evaluations(self) -> int | None:
        """Energy evaluations the search spent over all episodes (test episodes included);
        ``None`` for runs recorded before episodes counted them."""
        if not self.metrics or any(m.evaluations is None for m in self.metrics):
            return None
        return sum(m.evaluations for m in self.metrics)

    def time_to_chemical_accuracy(self, greedy: bool = False) -> float | None:
        """Search seconds (environment + agent, every episode counted, training and test) until
        the first episode that ended within chemical accuracy of the exact E0 — with
        ``greedy``, the first greedy test episode; ``None`` if none did."""
        seconds = 0.0
        for m in self.metrics:
            seconds += m.env_seconds + m.agent_seconds
            if m.error_to_ground < CHEMICAL_ACCURACY and (m.test or not greedy):
                return seconds
        return None

    def pruned(self, tolerance: float = 5e-4, candidates: int = 3) -> CircuitRecord | None:
        """The fewest-CNOT circuit within chemical accuracy after pruning (see
        :mod:`workbench.optim.pruning`) the ``candidates`` lowest-energy circuits and the
        fewest-CNOT one; each keeps its energy within ``tolerance`` (Ha) of its own re-optimised
        energy (the run's noise channels, no shots). A circuit record as in ``best.json``, or
        None when no pruned circuit is within chemical accuracy of the exact E0."""
        from workbench.experiment import check
        from workbench.optim.pruning import prune_circuit
        from workbench.sim import Circuit

        problem, noise = check(self.config)
        records = [*self.best_circuits[:candidates], self.fewest_cnots_within_chemical_accuracy]
        found = []
        for record in (r for r in records if r is not None):
            gates = record.gates
            keep = next((i for i, g in enumerate(gates) if g[0] != "X"), len(gates))
            circuit = Circuit.from_gates(problem.n_qubits, gates)
            result = prune_circuit(circuit, record.params, problem, noise, tolerance, keep)
            found.append(CircuitRecord.from_dict(result.record(problem, noise, record.episode)))
        within = [r for r in found if r.error < CHEMICAL_ACCURACY]
        return min(within, key=cnot_order, default=None)

    def mitigated(self, scales=(1, 3, 5), fit: str = "richardson", readout: bool = True,
                  shots: int | None = None, seed: int = 0) -> list[dict]:  # fmt: skip
        """Raw, readout-mitigated, ZNE and combined energies and errors of the lowest-energy and
        the fewest-CNOT (within 1.6 mHa) circuits under the run's own noise, one row each
        (:func:`workbench.sim.mitigation.mitigation_record`); exact unless ``shots``."""
        import numpy as np

        from workbench.experiment import check
        from workbench.sim import Circuit
        from workbench.sim.mitigation import mitigation_record

        problem, noise = check(self.config)
        if noise is None:
            raise ConfigError(f"{self.folder} ran without noise: there is nothing to mitigate")
        rng = np.random.default_rng(seed)
        rows = []
        for which, record in self.headline_circuits().items():
            circuit = Circuit.from_gates(problem.n_qubits, record.gates)
            found = mitigation_record(circuit, record.params, problem, noise, scales, fit,
                                      readout, shots, rng)  # fmt: skip
            rows.append({"circuit": which} | found)
        return rows

    def overview(self) -> dict:
        """The headline facts (what ``workbench show --json`` prints)."""
        result, s = self, self.summary
        keys = ("energy", "error", "noiseless_energy", "noiseless_error", "n_gates", "n_cnots")
        keys += ("depth", "n_params", "gates", "episode")

        def facts(record: CircuitRecord | None) -> dict | None:
            return None if record is None else {k: record.to_dict()[k] for k in keys}

        return {
            "folder": str(result.folder),
            "label": result.config.label,
            "preset": result.config.preset,
            "status": result.status,
            "episodes_done": s.get("episodes_done"),
            "episodes": result.config.episodes,
            "ground_energy": result.resolved["problem"]["ground_energy"],
            "best_error": s.get("best_error"),
            "best_noiseless_error": s.get("best_noiseless_error"),
            "chemical_accuracy": s.get("chemical_accuracy"),
            "first_chemical_accuracy_episode": s.get("first_chemical_accuracy_episode"),
            "curriculum_successes": s.get("curriculum_successes", s.get("successes")),
            "best": facts(result.best),
            "smallest_within_chemical_accuracy": facts(result.smallest_within_chemical_accuracy),
            "fewest_cnots_within_chemical_accuracy": facts(
                result.fewest_cnots_within_chemical_accuracy
            ),
            "wall_time_s": s.get("wall_time_s"),
            "seconds_per_episode": s.get("seconds_per_episode"),
            "env_seconds": s.get("env_seconds"),
            "agent_seconds": s.get("agent_seconds"),
        }


def load_run(path: str | Path) -> RunResult:
    """Read a run folder (complete, stopped, or still running)."""
    folder = Path(path)
    data = _config_json(folder)
    config = RunConfig.from_dict(data["config"])
    metrics = []
    metrics_path = folder / "metrics.jsonl"
    if metrics_path.exists():
        for line in metrics_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    metrics.append(EpisodeRecord.from_dict(json.loads(line)))
                except json.JSONDecodeError:  # a line cut by a kill: the rest is unusable
                    break
    best = _read_json(folder / "best.json") or {}
    summary = _read_json(folder / "summary.json") or {"status": "unknown"}
    return RunResult(
        folder,
        config,
        data["resolved"],
        metrics,
        [CircuitRecord.from_dict(c) for c in best.get("circuits", [])],
        CircuitRecord.optional(best.get("smallest_within_chemical_accuracy")),
        summary,
        CircuitRecord.optional(best.get("fewest_cnots_within_chemical_accuracy")),
    )


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
