"""bench.paper: every experiment is a valid configuration and carries the paper's numbers."""

from __future__ import annotations

import pytest

from workbench.experiment import check


@pytest.fixture(scope="module")
def paper():
    from bench import paper

    return paper


@pytest.fixture(scope="module")
def paper_doc():
    from bench import paper_doc

    return paper_doc


def test_every_experiment_is_a_valid_distinct_configuration(paper):
    names = [e.name for e in paper.EXPERIMENTS]
    assert len(set(names)) == len(names)
    hashes = set()
    for experiment in paper.EXPERIMENTS:
        config = paper.config_of(experiment, experiment.seeds[0], quick=False)
        check(config)  # raises on a bad preset, override, coupling map or device size
        assert config.episodes == experiment.episodes
        hashes.add(paper.config_run_dir(config, "runs").name)
    assert len(hashes) == len(names)  # no two experiments share a run folder


def test_the_paper_column_quotes_the_recovered_numbers(paper):
    by_name = {e.name: e for e in paper.EXPERIMENTS}
    assert "error 7.21e-08" in paper.paper_cell(by_name["h2-4q"])
    ourense = paper.paper_cell(by_name["h2-4q-ourense"])
    assert "energy -1.14" in ourense and "QCAS" in ourense and "energy -0.963" in ourense
    assert paper.paper_cell(by_name["h2-2q"]) == "not recovered"


def _results(records, n_seeds=None):
    """Stand-ins for RunResult: only ``best`` is read by versus_paper."""
    from types import SimpleNamespace

    results = [SimpleNamespace(best=r) for r in records]
    return results + [SimpleNamespace(best=None)] * ((n_seeds or len(records)) - len(records))


def _record(error, noiseless_error=None, energy=-1.0, gates=7, cnots=2, depth=5, params=7):
    from workbench.results import CircuitRecord

    return CircuitRecord(
        gates=(), params=(), error=error, energy=energy, n_gates=gates, n_cnots=cnots,
        noiseless_error=error if noiseless_error is None else noiseless_error,
        noiseless_energy=energy, depth=depth, n_params=params,
    )  # fmt: skip


def test_ours_versus_paper_says_ok_or_short_for_each_number(paper, paper_doc):
    by_name = {e.name: e for e in paper.EXPERIMENTS}
    record = _record(2.7e-9, params=6)
    verdict = paper_doc.versus_paper(by_name["h2-4q"], _results([record], 3), record)
    assert "error 2.7e-09 vs 7.2e-08 ok" in verdict
    assert "params 6 vs 7 ok" in verdict
    assert "within 1.6 mHa in 1/3 seeds SHORT" in verdict

    record = _record(1.2e-2, gates=6)
    verdict = paper_doc.versus_paper(by_name["lih-6q"], _results([record]), record)
    assert "error 0.012 vs 0.00067 SHORT" in verdict
    # a small circuit that misses chemical accuracy does not beat the paper's 67 gates
    assert "gates 6 vs 67: not comparable (ours not accurate)" in verdict
    assert "success rate 0 vs 1 SHORT" in verdict and "seeds SHORT" not in verdict
    record = _record(1.0e-3, gates=80)
    verdict = paper_doc.versus_paper(by_name["lih-6q"], _results([record]), record)
    assert "gates 80 vs 67 SHORT" in verdict and "success rate 1 vs 1 ok" in verdict
    assert "Ostaszewski" not in verdict and "0.00029" not in verdict  # only CRLQAS's numbers

    record = _record(0.05, noiseless_error=1e-5, energy=-1.10, gates=20)
    verdict = paper_doc.versus_paper(by_name["h2-4q-ourense"], _results([record]), record)
    assert "energy -1.1000 vs -1.1360 SHORT" in verdict  # -1.10 is above the paper's -1.136
    assert "noiseless error 1e-05 vs 8e-05 ok" in verdict
    assert "gates 20 vs 32 ok" in verdict
    assert "1.5e-05" not in verdict  # the no-halting variant has its own experiment

    record = _record(0.3, noiseless_error=2e-3)
    verdict = paper_doc.versus_paper(by_name["lih-4q-depolarizing"], _results([record]), record)
    assert "noiseless error 0.002 vs 0.0033 ok" in verdict
    assert "chemical accuracy False vs False ok" in verdict and "seeds SHORT" not in verdict
    assert paper_doc.versus_paper(by_name["h2-2q"], _results([record]), record) == (
        "no numbers to compare"
    )


def test_a_noisy_row_carries_the_mitigated_error_of_its_best_circuit(paper, paper_doc, tmp_path):
    from workbench.config import get_run_preset
    from workbench.runs import run

    config = get_run_preset("h2-2q-mumbai-demo").with_overrides({"episodes": 4})
    result = run(config, out=tmp_path / "run", progress=False)
    experiment = paper.PaperExperiment("h2-2q-mumbai", "h2-2q-mumbai-demo", 4)
    row = paper_doc.row(experiment, [result])
    assert 0 <= row["mitigated error [Ha]"] < row["best error [Ha]"]  # readout inverted at least
    noiseless = run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 2}),
                    out=tmp_path / "clean", progress=False)  # fmt: skip
    assert paper_doc.row(experiment, [noiseless])["mitigated error [Ha]"] is None


def test_each_rows_printed_command_makes_the_same_run_folder(paper):
    """The document's `workbench train` command for a row's first seed, parsed as the command
    line parses it, gives the configuration (and so the run folder) bench.paper trains."""
    import shlex

    from workbench.config import get_run_preset, parse_override

    for experiment in paper.EXPERIMENTS:
        command = paper.commands(experiment).split("`")[3]
        words = shlex.split(command)
        assert words[:2] == ["workbench", "train"]
        options = dict(zip(words[2::2], words[3::2], strict=True))
        changes = dict(
            parse_override(words[i + 1]) for i, word in enumerate(words) if word == "--set"
        )
        changes |= {"episodes": int(options["--episodes"]), "seed": int(options["--seed"])}
        config = get_run_preset(options["--preset"]).with_overrides(changes)
        expected = paper.config_of(experiment, experiment.seeds[0], quick=False)
        assert paper.config_run_dir(config, "runs") == paper.config_run_dir(expected, "runs")
