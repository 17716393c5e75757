"""bench/paper.py: every experiment is a valid configuration and carries the paper's numbers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from workbench.experiment import check

PAPER = Path(__file__).resolve().parent.parent / "bench" / "paper.py"


@pytest.fixture(scope="module")
def paper():
    spec = importlib.util.spec_from_file_location("paper_bench", PAPER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_every_experiment_is_a_valid_distinct_configuration(paper):
    names = [e.name for e in paper.EXPERIMENTS]
    assert len(set(names)) == len(names)
    hashes = set()
    for experiment in paper.EXPERIMENTS:
        config = paper.config_of(experiment, experiment.seeds[0], quick=False)
        check(config)  # raises on a bad preset, override, coupling map or device size
        assert config.episodes == experiment.episodes
        hashes.add(paper.run_folder(config, "runs").name)
    assert len(hashes) == len(names)  # no two experiments share a run folder


def test_the_paper_column_quotes_the_recovered_numbers(paper):
    by_name = {e.name: e for e in paper.EXPERIMENTS}
    assert "error 7.21e-08" in paper.paper_cell(by_name["h2-4q"])
    ourense = paper.paper_cell(by_name["h2-4q-ourense"])
    assert "energy -1.14" in ourense and "QCAS" in ourense and "energy -0.963" in ourense
    assert paper.paper_cell(by_name["h2-2q"]) == "not recovered"
