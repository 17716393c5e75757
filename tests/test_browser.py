"""A real browser: JupyterLab on 127.0.0.1, headless Chromium (the system's, driven by
playwright; never `playwright install`) opens the live notebook, runs it, clicks Start, and sees
the circuit drawing and the plots change. Screenshots go to ``test-artifacts/browser/``.

Skipped where Chromium is missing, except under CI (``CI=true``), where `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SHOTS = REPOSITORY / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOK = "04_watch_the_agent.ipynb"

if CHROMIUM is None and os.environ.get("CI") != "true":
    pytest.skip("no system Chromium (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    # A run the Stop button can always catch: with the notebook's 600 episodes an idle machine
    # finished the whole run (h2-2q, ~150 episodes/s) before Stop was clicked, and "Run stopped"
    # never came. A budget no machine finishes in the test's minutes makes it independent of speed.
    text = (REPOSITORY / "notebooks" / NOTEBOOK).read_text()
    assert text.count('"episodes = 600\\n"') == 1, "the notebook's episodes parameter moved"
    (tmp_path / NOTEBOOK).write_text(text.replace('"episodes = 600\\n"', '"episodes = 1000000\\n"'))
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "lab", "--allow-root", "--no-browser", "--ip", "127.0.0.1"]
    command += [f"--port={port}", "--IdentityProvider.token=", "--ServerApp.password="]
    command += [f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True"]
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
    yield url, tmp_path
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def _drawings(page) -> list[str]:
    """The live view as the page shows it: the SVG sketches (circuit, step errors) and the
    learning-curve image."""
    sketches = page.eval_on_selector_all("svg[data-title]", "els => els.map(e => e.outerHTML)")
    images = page.eval_on_selector_all(
        "img.widget-image, .jupyter-widgets img", "els => els.map(e => e.src)"
    )
    return sketches + images


def _every_tab_keeps_its_controls(page) -> None:
    """Regression (classroom issue, bug 1): picking `custom` or `h2o-8q` hid every control of
    all three tabs (one shared Layout whose display was set to none)."""
    problem = page.locator(".widget-dropdown", has_text="problem").locator("select").first
    for choice in ("custom", "h2o-8q", "h2-2q"):
        problem.select_option(choice)
        page.wait_for_timeout(1500)  # the kernel answers, the view updates
        for tab, control in (("Noise", "noise"), ("Search", "episodes"), ("Problem", "problem")):
            page.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text=tab).first.click()
            label = page.locator(".widget-label", has_text=control).first
            assert label.is_visible(), f"{tab} tab lost its controls after choosing {choice}"
        if choice == "custom":
            assert page.locator(".widget-label", has_text="symbols").first.is_visible()
            page.screenshot(path=str(SHOTS / "1b-custom-molecule.png"), full_page=True)


def test_live_notebook_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "CI must install chromium (apt-get install chromium)"
    url, root = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/lab/tree/{NOTEBOOK}")
        page.wait_for_function("window.jupyterapp !== undefined", timeout=90_000)
        page.wait_for_selector(".jp-Notebook", timeout=90_000)
        # The kernel must be idle before cells run (status bar: "Python 3 (ipykernel) | Idle").
        page.wait_for_selector("text=/ipykernel\\) \\| Idle/", timeout=120_000)
        for _ in range(3):  # a run request sent while the kernel still connects is dropped
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            try:
                page.wait_for_selector(".jp-InputPrompt:has-text('[1]')", timeout=30_000)
                break
            except Exception:
                page.wait_for_timeout(2000)
        start = page.locator("button.jupyter-button", has_text="Start").first
        try:
            start.wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(SHOTS / "0-no-panel.png"), full_page=True)
            raise
        page.screenshot(path=str(SHOTS / "1-panel.png"), full_page=True)
        _every_tab_keeps_its_controls(page)
        before = _drawings(page)
        start.click()
        page.wait_for_function(  # the circuit and step sketches, and the learning curves
            """() => document.querySelectorAll("svg[data-title^='episode']").length >= 1
                  && document.querySelectorAll('svg[data-title]').length >= 2
                  && Array.from(document.querySelectorAll('.jupyter-widgets img'))
                     .filter(e => e.src && e.naturalWidth > 0).length >= 1""",
            timeout=120_000,
        )
        first = _drawings(page)
        page.screenshot(path=str(SHOTS / "2-running.png"), full_page=True)
        page.wait_for_timeout(4000)
        later = _drawings(page)
        page.screenshot(path=str(SHOTS / "3-later.png"), full_page=True)
        page.locator("button.jupyter-button", has_text="Stop").first.click()
        page.wait_for_selector("text=Run stopped", timeout=120_000)
        page.screenshot(path=str(SHOTS / "4-stopped.png"), full_page=True)
        # "Open report" links through the server: the link answers 200 (was a file path: 404)
        page.locator("button.jupyter-button", has_text="Open report").first.click()
        link = page.locator("a", has_text="report").filter(has_text="s0").first
        link.wait_for(timeout=180_000)
        href = link.evaluate("a => a.href")
        with page.context.expect_event("response", lambda r: r.url == href) as opened:
            link.click()  # a new tab, with the page as referer (the server refuses others)
        assert opened.value.status == 200, href
        page.screenshot(path=str(SHOTS / "5-report-link.png"), full_page=True)
        # Baselines of the stopped run: a table with the standard ansätze and the agent's rows
        page.locator("button.jupyter-button", has_text="Baselines").first.click()
        page.wait_for_selector("td:has-text('crlqas')", timeout=180_000)
        assert page.locator("td", has_text="uccsd").count() >= 1
        page.screenshot(path=str(SHOTS / "5b-baselines.png"), full_page=True)
        browser.close()
    assert first != before, "Start drew nothing"
    assert later != first, "the circuit drawing and plots did not change while training"
    assert any((root / "runs").iterdir()), "the stopped run left no run folder"


def test_reports_and_sweep_index_render_plotly_offline(tmp_path):
    """An HTML report and a sweep index opened from disk draw their plotly figures (plotly.js is
    inline: the page makes no network request outside the file)."""
    from playwright.sync_api import sync_playwright

    from workbench.report import make_report
    from workbench.sweep import grid_points, run_sweep

    report = make_report({"episodes": 4, "seeds": [0, 1]}, tmp_path / "report")
    points = grid_points({"episodes": 3}, {"env.max_steps": [4, 6]}, [0, 1])
    index = run_sweep(points, tmp_path / "sweep", workers=2).out / "index.html"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        remote = []
        page.on("request", lambda r: remote.append(r.url) if r.url.startswith("http") else None)
        for path, shot in ((report, "6-report.png"), (index, "7-sweep-index.png")):
            page.goto(path.resolve().as_uri())
            page.wait_for_selector(".plotly .main-svg", timeout=60_000)
            assert page.locator(".plotly .scatterlayer .trace").count() >= 2, path
            page.screenshot(path=str(SHOTS / shot), full_page=True)
        browser.close()
    assert remote == [], remote


def _kernels(server: subprocess.Popen) -> list[psutil.Process]:
    children = psutil.Process(server.pid).children(recursive=True)
    return [c for c in children if "ipykernel" in " ".join(c.cmdline())]


def _new_kernel(server, known: set[int], timeout: float = 60) -> psutil.Process:
    deadline = time.time() + timeout
    while time.time() < deadline:
        fresh = [k for k in _kernels(server) if k.pid not in known]
        if fresh:
            return fresh[0]
        time.sleep(0.5)
    pytest.fail("the page started no kernel")


def _open_panel(browser, url: str, remote: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.on("request", lambda r: remote.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto(url)
    page.locator("button.jupyter-button", has_text="Start").first.wait_for(timeout=120_000)
    return page


def test_classroom_page_in_a_browser(tmp_path):
    """The classroom page (Voilà) as a student uses it — widgets, no code — and what it leaves
    on the server.

    Regressions (issue 25): the PennyLane export answered 403 (Voilà denies every .py); the page
    loaded Font Awesome from a CDN; after Stop the circuit's title named another circuit than the
    best-circuits box; every page load left its kernel running after the page was gone."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "CI must install chromium (apt-get install chromium)"
    port, cull = _free_port(), 4
    workbench = Path(sys.executable).with_name("workbench")
    command = [str(workbench), "classroom", "--no-browser", f"--port={port}", "--ip", "127.0.0.1"]
    log = (tmp_path / "voila.log").open("w")
    server = subprocess.Popen([*command, f"--cull-idle={cull}"], stdout=log, stderr=log)
    url, remote, made = f"http://127.0.0.1:{port}/", [], None
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{url}voila/static/voila.js", timeout=5)
                break
            except urllib.error.HTTPError:  # the server answers
                break
            except OSError:
                time.sleep(1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = _open_panel(browser, url, remote)
            kernel = _new_kernel(server, set())
            assert "from workbench.widgets import Panel" not in page.content()  # no code cells
            page.locator("button.jupyter-button", has_text="Start").first.click()
            page.wait_for_selector("svg[data-title^='episode']", timeout=120_000)
            page.locator("button.jupyter-button", has_text="Stop").first.click()
            page.wait_for_selector("text=Run stopped", timeout=120_000)
            made = page.locator("code").last.inner_text()
            title = page.locator("svg[data-title]").first.get_attribute("data-title")
            what, size = title.split(":")[0], title.split(":")[1].split(",")[0].strip()
            best_box = page.locator(".widget-html", has_text="lowest energy so far").first
            assert what in best_box.inner_text() and size in best_box.inner_text(), title
            memory = kernel.memory_info().rss / 2**20
            page.locator("button.jupyter-button", has_text="Export PennyLane").first.click()
            link = page.locator("a[download]", has_text=".py").first
            link.wait_for(timeout=60_000)
            answer = page.request.get(link.evaluate("a => a.href"))
            assert answer.status == 200 and "def circuit" in answer.text(), answer.status
            icon = page.locator("button.jupyter-button i.fa-play").first
            assert icon.evaluate("i => getComputedStyle(i, '::before').content") != "none"
            page.screenshot(path=str(SHOTS / "8-classroom-stopped.png"), full_page=True)
            # a tab that crashed or lost its network sends nothing: the idle cull ends it
            page.close(run_before_unload=False)
            kernel.wait(timeout=cull + 60)
            # a tab closed normally: Voilà's beforeunload beacon ends the kernel at once
            page = _open_panel(browser, url, remote)
            second = _new_kernel(server, {kernel.pid})
            page.close(run_before_unload=True)
            second.wait(timeout=30)
            page = _open_panel(browser, url, remote)  # a third student, still on the page
            third = _new_kernel(server, {kernel.pid, second.pid})
            children = psutil.Process(server.pid).children(recursive=True)
            browser.close()
        (SHOTS / "classroom-kernel-memory.txt").write_text(f"{memory:.0f} MiB after a run\n")
    finally:
        if made:
            shutil.rmtree(REPOSITORY / "notebooks" / made, ignore_errors=True)
        server.terminate()  # SIGTERM, as a closed terminal or `kill` sends
        server.wait(timeout=60)
    assert remote == [], remote
    # Regression (classroom issue, bug 6): stopping `workbench classroom` left Voilà and its
    # kernels running
    _, alive = psutil.wait_procs([*children, third], timeout=30)
    assert not alive, [c.cmdline() for c in alive]
