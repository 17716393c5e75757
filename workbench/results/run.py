"""Run folders read back: :class:`RunResult` and :func:`load_run` (what a run folder holds:
:mod:`workbench.runs`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.config import CHEMICAL_ACCURACY, CHEMICAL_ACCURACY_LABEL, RunConfig
from workbench.errors import ConfigError, WorkbenchError
from workbench.lock import folder_in_use, holds_nothing
from workbench.results.records import (
    CircuitRecord,
    EpisodeRecord,
    ResolvedFacts,
    RunSummary,
    cnot_order,
)


def read_config(folder: Path) -> RunConfig:
    """The run config of a run folder (``config.json``), with a named error when it is missing
    or damaged."""
    return RunConfig.from_dict(_config_json(Path(folder))["config"])


def read_resolved(folder: Path) -> ResolvedFacts:
    """What ``config.json`` recorded beside the config when the run started."""
    return _resolved(Path(folder), _config_json(Path(folder)))


def _resolved(folder: Path, data: dict) -> ResolvedFacts:
    try:
        return ResolvedFacts.from_dict(data["resolved"])
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        raise WorkbenchError(
            f"{folder / 'config.json'} is damaged (its resolved facts: {type(error).__name__}: "
            f"{error}): it is written once, when the run starts; restore it from a copy"
        ) from None


def _config_json(folder: Path) -> dict:
    path = folder / "config.json"
    if not path.is_file():
        if folder.is_dir() and holds_nothing(folder):
            raise WorkbenchError(
                f"{folder} holds no run: training was stopped before it wrote config.json; "
                f"start it again with `workbench train ... --out {folder}`"
            )
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


PROBLEM_TOLERANCE = 1e-8
"""Largest change (Ha) of a recorded energy or Pauli coefficient that still counts as the same
problem (round-off of a rebuild on another machine is ~1e-13)."""


def check_problem(resolved: ResolvedFacts, problem, folder: Path) -> None:
    """Refuse a problem rebuilt from a run's config that is not the one recorded when the run
    started: exact ground or Hartree–Fock energy, or any Pauli coefficient (runs that recorded
    their Hamiltonian), differ by more than :data:`PROBLEM_TOLERANCE`. The problem recipe changed
    since (e.g. re-minimised SCF orbitals at a stretched bond, fixed orbital phases), so the
    run's circuits and checkpoint belong to another Hamiltonian."""
    recorded = resolved.problem
    pairs = ((recorded.ground_energy, problem.ground_energy),
             (recorded.hartree_fock_energy, problem.hartree_fock_energy))  # fmt: skip
    changed = None
    if any(abs(old - new) > PROBLEM_TOLERANCE for old, new in pairs):
        changed = (
            f"E0 {recorded.ground_energy:.8f} → {problem.ground_energy:.8f} Ha, HF "
            f"{recorded.hartree_fock_energy:.8f} → {problem.hartree_fock_energy:.8f} Ha"
        )
    elif recorded.hamiltonian is not None:
        largest = problem.hamiltonian.largest_difference(recorded.hamiltonian)
        if largest > PROBLEM_TOLERANCE:
            changed = f"same energies, but Pauli coefficients differ by up to {largest:.3g} Ha"
    if changed:
        raise WorkbenchError(
            f"{folder}: the problem {recorded.id!r} now builds differently from when this run "
            f"started ({changed}; the problem recipe changed): its circuits and checkpoint "
            "belong to the old Hamiltonian. Start a new run of the same config"
        )


@dataclass(frozen=True)
class RunResult:
    """A run folder read back: config, resolved facts, per-episode metrics (training and test
    episodes in order), the best circuits (lowest energy first), the smallest and the
    fewest-CNOT circuits within chemical accuracy, and the summary."""

    folder: Path
    config: RunConfig
    resolved: ResolvedFacts
    metrics: tuple[EpisodeRecord, ...]
    best_circuits: tuple[CircuitRecord, ...]
    smallest_within_chemical_accuracy: CircuitRecord | None
    summary: RunSummary
    fewest_cnots_within_chemical_accuracy: CircuitRecord | None = None

    @property
    def status(self) -> str:
        """``complete``, ``stopped``, ``failed``, ``running`` (a live process holds the folder) or
        ``interrupted`` (the files say running but no live process holds the folder: the run
        was killed; resume it)."""
        status = self.summary.status
        return "interrupted" if status == "running" and not folder_in_use(self.folder) else status

    @property
    def best(self) -> CircuitRecord | None:
        return self.best_circuits[0] if self.best_circuits else None

    def headline_circuits(self) -> dict[str, CircuitRecord]:
        """The lowest-energy circuit and the fewest-CNOT one within chemical accuracy, by label
        (the ones the run has): what mitigation and the baselines compare."""
        found = {
            "lowest energy": self.best,
            f"fewest CNOTs within {CHEMICAL_ACCURACY_LABEL}": (
                self.fewest_cnots_within_chemical_accuracy
            ),
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

    @property
    def shots_spent(self) -> int | None:
        """Shots the search spent over all episodes (0 with exact expectations; ``None`` for
        runs recorded before episodes counted them)."""
        if not self.metrics or any(m.shots is None for m in self.metrics):
            return None
        return sum(m.shots for m in self.metrics)

    def time_to_chemical_accuracy(self, greedy: bool = False) -> float | None:
        """Search seconds (environment + agent, every episode counted, training and test) until
        the first episode that ended within chemical accuracy of the exact E0 — with
        ``greedy``, the first greedy test episode; ``None`` if none did. A curve run counts
        episodes at its own bond length only (the E0 of its folder)."""
        seconds, own = 0.0, self.own_bond_length
        for m in self.metrics:
            seconds += m.env_seconds + m.agent_seconds
            here = own is None or m.bond_length == own
            if here and m.error_to_ground < CHEMICAL_ACCURACY and (m.test or not greedy):
                return seconds
        return None

    @property
    def own_bond_length(self) -> float | None:
        """A curve run's own bond length (Å; its folder's problem); ``None`` for other runs."""
        from workbench.chem import curve_bond_length

        return curve_bond_length(self.config.problem)

    def late_greedy_tests(self) -> list[EpisodeRecord]:
        """The greedy test episodes (no exploration, no best-of) of the second half of training:
        what the trained policy does on its own."""
        half = self.summary.episodes_done / 2
        return [m for m in self.metrics if m.test and m.episode >= half]

    def greedy_success(self) -> tuple[float, int] | None:
        """The policy's own quality: the share of :meth:`late_greedy_tests` whose final circuit
        is within chemical accuracy of the exact E0, and how many there were; ``None`` without
        test episodes there (``env.test_every``)."""
        tests = self.late_greedy_tests()
        if not tests:
            return None
        within = sum(m.error_to_ground < CHEMICAL_ACCURACY for m in tests)
        return within / len(tests), len(tests)

    def greedy_success_by_bond_length(self) -> dict[float, tuple[int, int]]:
        """A curve run's :meth:`late_greedy_tests` by bond length: (within chemical accuracy,
        tests) per R in Å; empty for other runs."""
        counts: dict[float, tuple[int, int]] = {}
        for m in self.late_greedy_tests():
            if m.bond_length is not None:
                within, total = counts.get(m.bond_length, (0, 0))
                accurate = m.error_to_ground < CHEMICAL_ACCURACY
                counts[m.bond_length] = (within + accurate, total + 1)
        return dict(sorted(counts.items()))

    def problem_and_noise(self):
        """The run's problem and noise model rebuilt from its config (:func:`check_problem`
        refuses a problem that no longer matches the recorded one)."""
        from workbench.experiment import check

        problem, noise = check(self.config)
        check_problem(self.resolved, problem, self.folder)
        return problem, noise

    def pruned_circuits(self, tolerance: float = 5e-4, candidates: int = 3) -> list[CircuitRecord]:
        """The ``candidates`` lowest-energy circuits and the fewest-CNOT one, each pruned (see
        :mod:`workbench.optim.pruning`): its energy kept within ``tolerance`` (Ha) of its own
        re-optimised energy as the run's search saw it (its channels and mitigation — readout
        inversion, zero-noise extrapolation — as in ``best.json``; no shots). Circuit records
        as in best.json."""
        from workbench.env.vqe import preparation
        from workbench.optim.pruning import prune_circuit
        from workbench.sim import Circuit, Mitigation

        problem, noise = self.problem_and_noise()
        mitigation = Mitigation.of(self.config.noise)
        start, _ = preparation(problem, self.config.env.initial_state)
        records = [*self.best_circuits[:candidates], self.fewest_cnots_within_chemical_accuracy]
        found = []
        for record in (r for r in records if r is not None):
            gates = record.gates
            keep = start.n_gates  # the preparation is never pruned
            circuit = Circuit.from_gates(problem.n_qubits, gates)
            result = prune_circuit(circuit, record.params, problem, noise, tolerance, keep,
                                   mitigation)  # fmt: skip
            found.append(CircuitRecord.from_dict(
                result.record(problem, noise, record.episode, mitigation)))  # fmt: skip
        return found

    def pruned(self, tolerance: float = 5e-4, candidates: int = 3) -> CircuitRecord | None:
        """The fewest-CNOT of :meth:`pruned_circuits` within chemical accuracy of the exact E0,
        or None when none is."""
        found = self.pruned_circuits(tolerance, candidates)
        return min((r for r in found if r.error < CHEMICAL_ACCURACY), key=cnot_order, default=None)

    def mitigated(self, scales=(1, 3, 5), fit: str = "richardson", readout: bool = True,
                  shots: int | None = None, seed: int = 0) -> list[dict]:  # fmt: skip
        """Raw, readout-mitigated, ZNE and combined energies and errors of the lowest-energy and
        the fewest-CNOT (within 1.6 mHa) circuits under the run's own noise, one row each
        (:func:`workbench.sim.mitigation.mitigation_record`); exact unless ``shots``."""
        import numpy as np

        from workbench.config import NoiseConfig
        from workbench.sim import Circuit
        from workbench.sim.mitigation import mitigation_record

        NoiseConfig(shots=shots)  # the one rule for shots: None, or a count from 1 up
        problem, noise = self.problem_and_noise()
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
        """The headline facts as JSON (what ``workbench show --json`` prints): the summary, the
        problem's E0 and the headline circuits without angles or QASM."""
        keys = ("energy", "error", "noiseless_energy", "noiseless_error", "n_gates", "n_cnots")
        keys += ("depth", "n_params", "gates", "episode")

        def facts(record: CircuitRecord | None) -> dict | None:
            return None if record is None else {k: record.to_dict()[k] for k in keys}

        summary = self.summary.to_dict()
        del summary["best"], summary["pid"], summary["updated"]
        greedy = self.greedy_success()
        head = {
            "folder": str(self.folder),
            "label": self.config.label,
            "preset": self.config.preset,
            "status": self.status,  # ``interrupted`` where the file says ``running``
        }
        return (
            head
            | summary
            | {
                "status": self.status,
                "episodes": self.config.episodes,
                "greedy_success_rate": None if greedy is None else greedy[0],
                "greedy_test_episodes": 0 if greedy is None else greedy[1],
                "circuits_run": self.energy_evaluations,
                "shots_spent": self.shots_spent,
                "ground_energy": self.resolved.problem.ground_energy,
                "best": facts(self.best),
                "smallest_within_chemical_accuracy": facts(self.smallest_within_chemical_accuracy),
                "fewest_cnots_within_chemical_accuracy": facts(
                    self.fewest_cnots_within_chemical_accuracy
                ),
            }
        )


def load_run(path: str | Path) -> RunResult:
    """Read a run folder (complete, stopped, or still running)."""
    folder = Path(path)
    data = _config_json(folder)
    config = RunConfig.from_dict(data["config"])
    metrics: list[EpisodeRecord] = []
    metrics_path = folder / "metrics.jsonl"
    if metrics_path.exists():
        for line in metrics_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    metrics.append(EpisodeRecord.from_dict(json.loads(line)))
                except json.JSONDecodeError:  # a line cut by a kill: the rest is unusable
                    break
    best = _read_record(folder / "best.json", _best_circuits, ((), None, None))
    circuits, smallest, fewest = best
    summary = _read_record(folder / "summary.json", RunSummary.from_dict, RunSummary())
    resolved = _resolved(folder, data)
    return RunResult(folder, config, resolved, tuple(metrics), circuits, smallest, summary, fewest)


def _best_circuits(best: dict):
    return (
        tuple(CircuitRecord.from_dict(c) for c in best["circuits"]),
        CircuitRecord.optional(best["smallest_within_chemical_accuracy"]),
        CircuitRecord.optional(best.get("fewest_cnots_within_chemical_accuracy")),  # added later
    )


def _read_record(path: Path, parse, missing):
    """``parse`` of the JSON in ``path`` (``missing`` when absent), or a named error when it is
    damaged: best.json and summary.json are rewritten whole at every checkpoint, so resuming
    the run rewrites them."""
    if not path.exists():
        return missing
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise WorkbenchError(
            f"{path} is damaged ({type(error).__name__}: {error}): `workbench resume "
            f"{path.parent}` rewrites it from the checkpoint"
        ) from None
