"""Reports: parameters → config, the report command end to end (HTML self-contained, results JSON
matches the run folder), a failing report leaves no results file, and a sweep with its index."""

from __future__ import annotations

import base64
import json

import pytest

from workbench.cli import main
from workbench.config import get_run_preset, json_sha256
from workbench.errors import ConfigError
from workbench.rendering import markdown_to_html
from workbench.report import (
    config_from_parameters,
    paper_numbers,
    parse_seeds,
)
from workbench.results import load_run


def external_resources(html: str) -> list[str]:
    """URLs the page would load: src/href of script, link, img and iframe tags (a parser, so
    strings inside inline scripts do not count)."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                loads = tag in ("script", "img", "iframe") and name == "src"
                loads |= tag == "link" and name == "href"
                if loads and value and value.startswith(("http:", "https:", "//")):
                    found.append(value)

    Parser().feed(html)
    return found


def test_parameters_override_the_preset():
    config = config_from_parameters(
        preset="h2-2q-demo",
        problem="h2-3q",
        noise_profile="ibm-mumbai-max",
        noise_scale=2.0,
        shots=1000,
        optimizer="adam_spsa3",
        optimizer_budget=1400,
        episodes=9,
        seed=3,
    )
    assert config.problem.preset == "h2-3q" and config.noise.profile == "ibm-mumbai-max"
    assert config.optimizer.maxfev == (1000, 300, 100) and config.noise.shots == 1000
    assert (config.episodes, config.seed, config.noise.scale) == (9, 3, 2.0)
    assert config_from_parameters() == get_run_preset("h2-2q-demo")
    noiseless = config_from_parameters(preset="h2-4q-ourense-demo", noise_profile="none")
    assert noiseless.noise.profile is None
    assert parse_seeds("0, 1,2") == [0, 1, 2] and parse_seeds(5) == [5]


def test_paper_numbers_for_a_problem():
    rows = paper_numbers("h2-4q-qcas", "ibm-ourense")
    assert {r["method"] for r in rows} >= {"QCAS (Du et al. 2022)"}
    assert any(r.get("energy") == -1.136 for r in rows)
    assert paper_numbers("h2-2q", "ibm-mumbai-max")[0]["note"].startswith("more noise")
    assert paper_numbers("h2-2q", None) == []


def test_report_command_end_to_end(tmp_path, capfd):
    out = tmp_path / "report"
    args = ["report", "-p", "episodes", "6", "-p", "seeds", "[0,1]", "--out", str(out)]
    assert main(args) == 0
    printed = capfd.readouterr()  # the kernel's own stderr too (file-descriptor level)
    assert str((out / "report.html").resolve()) in printed.out
    assert "without encryption" not in printed.err  # the report kernel talks over IPC
    html = (out / "report.html").read_text()
    assert "data:image/png;base64" in html and "Provenance" in html
    assert "Plotly.newPlot" in html and "exact ground energy E0 (Ha)" in html  # human labels
    assert "ground_energy" not in html.split("Provenance")[0]
    assert "<title>CRLQAS report: h2-2q · noiseless · seeds 0, 1</title>" in html  # was "Notebook"
    assert "shared spec" not in html and "(§" not in html  # no internal references
    assert external_resources(html) == []  # plotly.js inline; its code merely names CDNs
    results = json.loads((out / "results.json").read_text())
    assert [r["episodes_done"] for r in results["runs"]] == [6, 6]
    for recorded in results["runs"]:
        run = load_run(recorded["folder"])
        assert recorded == run.overview()
    provenance = results["provenance"]
    assert provenance["problem key (specification sha256)"] == run.resolved.problem.key
    terms = run.resolved.problem.hamiltonian
    assert len(provenance["hamiltonian sha256"]) == 64 and terms
    assert provenance["hamiltonian sha256"] == json_sha256(
        {w: round(c, 10) + 0.0 for w, c in terms.items()}
    )
    assert len(results["provenance"]["git commit"]) >= 7


def test_a_failing_report_leaves_the_partial_notebook_and_no_results(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "-p", "problem", "h2-9q", "--out", str(out)]) == 2
    assert "the report failed in cell" in capsys.readouterr().err
    assert (out / "report.ipynb").exists() and (out / "error.txt").exists()
    assert not (out / "results.json").exists()
    assert "h2-9q" in (out / "error.txt").read_text()


def test_unknown_report_parameter():
    with pytest.raises(ConfigError, match=r"unknown report parameter\(s\) \['colour'\]"):
        from workbench.report import make_report

        make_report({"colour": 1}, "unused")


def test_report_sweep_is_a_sweep_with_a_report_per_run(tmp_path):
    out = tmp_path / "sweep"
    args = ["report", "-p", "episodes", "3", "--sweep", "noise_scale=0.5,2", "--out", str(out)]
    args += ["-p", "preset", "h2-2q-mumbai-demo", "-p", "optimizer_budget", "20"]
    assert main([*args, "--sweep", "seeds=0,1"]) == 0
    names = [f"noise_scale={s}-s{seed}" for s in ("0.5", "2") for seed in (0, 1)]
    for name in names:
        assert load_run(out / name).summary.status == "complete"
        html = (out / "reports" / name / "report.html").read_text()
        assert "<th>zne+readout error (Ha)</th>" in html  # noisy runs: the mitigation section
        # every rate of the noise model, zeros included (Mumbai has no 1-qubit depolarizing)
        assert "<td>1-qubit depolarizing p</td>" in html
        # readout error keeps every measured energy > 1.6 mHa above E0: the report says so
        assert "Why no run reaches chemical accuracy" in html
    index = (out / "index.html").read_text()
    assert 'href="reports/noise_scale=0.5-s1/report.html"' in index and "Plotly.newPlot" in index
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert [r["name"] for r in runs] == names
    assert runs[3]["values"] == {"noise_scale": 2} and runs[3]["seed"] == 1


def test_relative_output_folder(tmp_path, monkeypatch, capsys):
    """`make run` passes a relative --out; the notebook runs in notebooks/, so paths resolve."""
    monkeypatch.chdir(tmp_path)
    assert main(["report", "-p", "episodes", "2", "--out", "reports/default"]) == 0
    assert (tmp_path / "reports" / "default" / "results.json").exists()
    assert (tmp_path / "reports" / "default" / "runs").is_dir()
    result = json.loads((tmp_path / "reports" / "default" / "results.json").read_text())
    folder = result["runs"][0]["folder"]
    args = ["report", "-p", "run_folder", folder, "-p", "baselines", "True", "--out", "again"]
    assert main(args) == 0  # the baselines section is presentation: allowed with run_folder
    html = (tmp_path / "again" / "report.html").read_text()
    for method in ("hea", "uccsd", "adapt", "random", "crlqas"):
        assert f"<td>{method}</td>" in html


def test_markdown_to_html_embeds_figures_and_adds_no_scripts(tmp_path):
    (tmp_path / "figures").mkdir()
    png = b"\x89PNG\r\n\x1a\n fake bytes"
    (tmp_path / "figures" / "a.png").write_bytes(png)
    markdown = '# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<img alt="a" src="figures/a.png">\n'
    html_path = tmp_path / "doc.html"
    markdown_to_html(markdown, html_path, "T")
    html = html_path.read_text(encoding="utf-8")
    assert "<h1>Title</h1>" in html and "<td>2</td>" in html
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in html
    assert "figures/a.png" not in html and "<script" not in html
