"""bench.search: preset variants and the search-time budget that ends a run and is honoured on
reuse."""

from __future__ import annotations

import pytest

from workbench.config import get_run_preset


@pytest.fixture(scope="module")
def search():
    from bench import search

    return search


def test_a_variant_is_the_preset_with_its_overrides_in_its_own_folder(search):
    config, folder = search.preset_config("lih-12q-fast@mps", 1, None)
    assert config == get_run_preset("lih-12q-fast").with_overrides(
        {"env.initial_state": "mps", "env.zy_rotations": False, "seed": 1}
    )
    assert folder == search.RUNS / "lih-12q-fast-mps-s1"
    plain, folder = search.preset_config("lih-12q-fast", 2, 7)
    assert plain.env.initial_state == "hartree_fock" and plain.episodes == 7
    assert folder.name == "lih-12q-fast-s2"
    with pytest.raises(SystemExit, match="lih-12q-fast@dmrg: unknown variant 'dmrg'"):
        search.preset_config("lih-12q-fast@dmrg", 0, None)
    zy, folder = search.preset_config("lih-12q-fast@mps-zy", 0, None)
    assert (zy.env.initial_state, zy.env.zy_rotations, zy.env.optimize_preparation) == (
        "mps",
        True,
        True,
    )
    assert folder.name == "lih-12q-fast-mps-zy-s0"
    before, _ = search.preset_config("h2o-10q-fast@hf", 0, None)  # the preset until 4 Dec 2026
    assert (before.env.initial_state, before.env.zy_rotations) == ("hartree_fock", False)


def test_the_budget_stops_a_run_and_a_spent_budget_is_not_resumed(search, tmp_path):
    config = get_run_preset("h2-2q-demo").with_overrides({"episodes": 4})
    folder = tmp_path / "run"
    # any positive search time spends a budget of 1e-9 s: the run stops after its first episode
    stopped = search.train_or_reuse(config, folder, seconds=1e-9)
    assert stopped.summary.status == "stopped"
    assert stopped.summary.episodes_done == 1
    again = search.train_or_reuse(config, folder, seconds=1e-9)
    assert len(again.metrics) == len(stopped.metrics)  # reported as it stands
    finished = search.train_or_reuse(config, folder)  # no budget: resumed to the end
    assert finished.summary.status == "complete"
    assert finished.summary.episodes_done == 4


def test_a_stop_request_checkpoints_the_run_and_the_next_call_resumes_it(search, tmp_path):
    """What SIGTERM does to ``python -m bench.search`` (the handler requests the stop; requested
    here beforehand, so nothing races the run): the run ends after one episode, checkpointed,
    and the same call without a stop finishes it."""
    from workbench.callbacks import StopSignal

    config = get_run_preset("h2-2q-demo").with_overrides({"episodes": 3})
    stop = StopSignal()
    stop.request()
    stopped = search.train_or_reuse(config, tmp_path / "run", stop=stop)
    assert stopped.summary.status == "stopped" and stopped.summary.episodes_done == 1
    finished = search.train_or_reuse(config, tmp_path / "run")
    assert finished.summary.status == "complete" and finished.summary.episodes_done == 3


def test_the_first_signal_requests_a_stop_the_second_interrupts():
    import os
    import signal

    from workbench.callbacks import stop_on_signals

    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGTERM)  # delivered to this (main) thread before the next line
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_row_without_pruning_says_so_and_the_random_control_keeps_epsilon_at_one(
    search, tmp_path, monkeypatch
):
    monkeypatch.setattr(search, "RUNS", tmp_path)
    row = search.preset_row("h2-2q-demo", [0], 2, read_only=False, prune=False)
    assert row["after pruning (0.5 mHa)"] == "not computed" and row["episodes"] == "2"
    control, _ = search.preset_config("h2o-10q-fast@mps-zy-random", 0, None)
    assert control.agent.epsilon_start == control.agent.epsilon_min == 1.0
    assert (control.env.initial_state, control.env.zy_rotations) == ("mps", True)
