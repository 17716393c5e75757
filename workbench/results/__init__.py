"""The results home: typed records of run folders (:mod:`.records`) and run folders read back
(:mod:`.run`). What a run folder holds is described in :mod:`workbench.runs`; this package only
reads, so the panel, reports, sweeps and benchmarks read results without the training machinery.
"""

from workbench.results.records import (
    CIRCUIT_SIZE_FIELDS,
    CircuitRecord,
    EpisodeRecord,
    ProblemFacts,
    ResolvedFacts,
    RunSummary,
    cnot_order,
    gates_text,
    size_order,
)
from workbench.results.run import (
    RunResult,
    check_problem,
    load_run,
    read_config,
    read_resolved,
)

__all__ = [
    "CIRCUIT_SIZE_FIELDS",
    "CircuitRecord",
    "EpisodeRecord",
    "ProblemFacts",
    "ResolvedFacts",
    "RunResult",
    "RunSummary",
    "check_problem",
    "cnot_order",
    "gates_text",
    "load_run",
    "read_config",
    "read_resolved",
    "size_order",
]
