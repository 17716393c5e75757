# qas-workbench developer tasks. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: setup run test lint format presets strip-notebooks lab classroom docs clean

setup: $(STAMP)  ## create .venv and install the package with its notebook and dev extras

# torch first, pinned: an unpinned torch pulls several GB of CUDA wheels on these machines.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -c constraints.txt -e '.[dev]'
	-git config core.hooksPath .githooks 2>/dev/null
	touch $(STAMP) $(RUN_STAMP)

# The first run installs only what the report needs (the package and its notebooks extra): no
# Ray, Qiskit, Playwright, TensorBoard or test tools. `make setup`/`make test` add the rest.
$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -c constraints.txt -e '.[notebooks]'
	touch $(RUN_STAMP)

run: $(RUN_STAMP)  ## the main job: the default report (h2-2q-demo, noiseless, small budget) → HTML
	$(VENV)/bin/workbench report --out reports/default

test: setup lint  ## lint, then the whole test suite
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .

format: setup
	$(VENV)/bin/ruff check --fix .

presets: setup  ## rebuild the shipped preset problems in data/problems
	$(VENV)/bin/workbench problems --rebuild

strip-notebooks: setup  ## remove outputs from every notebook
	$(PY) tools/strip_notebooks.py notebooks/*.ipynb

lab: setup  ## JupyterLab on the notebooks
	$(VENV)/bin/workbench lab

classroom: setup  ## the live panel as a standalone page (Voilà), for a class
	$(VENV)/bin/workbench classroom

docs: setup  ## the documentation site → site/ (offline), the course notebooks executed first
	$(PY) -m bench.course
	DOCS_NOTEBOOKS=bench/runs/course NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) data/cache .pytest_cache .ruff_cache test-artifacts site .cache
