# The two entry points are `make run` and `make test`; each sets up .venv first if needed.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# This machine's pip configuration names local wheel folders that may not exist; say it once.
PIP_NOISE := is ignored: it is neither a file nor a directory

# No MPLBACKEND here: Agg would stop the kernels' inline backend and drop every figure.
unexport MPLBACKEND
export TQDM_DISABLE := 1
export XAI_COURSE_THREADS ?= 2
export OMP_NUM_THREADS ?= 2
export MKL_NUM_THREADS ?= 2
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# How many times make bench runs each notebook (it reports the median).
BENCH_RUNS ?= 3
# A hang guard, not a speed test: a cell still running after this many seconds is a runaway.
# Speed is judged by make bench alone, so a busy machine never turns make test red.
CELL_TIMEOUT ?= 900

.PHONY: help setup run test lint lab bench readme student student-run slides notebooks clean

help:
	@echo "make run      set up .venv, execute every notebook offline; write the course site to build/"
	@echo "make test     set up .venv, run lint, unit and structure tests and nbval on every notebook"
	@echo "make bench    the budgets: each notebook $(BENCH_RUNS) times in a fresh kernel (median s,"
	@echo "              peak MB, perturbation rates against the bare model); writes build/bench.md"
	@echo "              and the README's bench table"
	@echo "make readme   copy the last make run's report card into the README (says what changed)"
	@echo "make student  write the student edition (solutions replaced by stubs) to build/student"
	@echo "make student-run  ... and execute it: no cell raises, every check says not attempted"
	@echo "make slides   write a reveal.js deck per notebook to build/slides (reuses make run's run)"
	@echo "make lab      open JupyterLab on the notebooks"
	@echo "make notebooks  regenerate each .ipynb from its jupytext .py source (outputs stripped)"
	@echo "make clean    remove build/ (and .venv with 'make clean ALL=1')"

$(STAMP): requirements.txt pyproject.toml
	@start=$$SECONDS; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi; \
	echo "installing requirements into $(VENV) (first time: a few minutes)"; \
	$(PY) -m pip install -q -r requirements.txt 2>&1 | { grep -v "$(PIP_NOISE)" || true; }; \
	$(PY) -m pip install -q --no-deps -e . 2>&1 | { grep -v "$(PIP_NOISE)" || true; }; \
	touch $(STAMP); \
	echo "set-up took $$((SECONDS - start)) s"

setup: $(STAMP)

run: setup
	$(PY) -m tools.build_site

lint: setup
	$(VENV)/bin/ruff check utils tools tests conftest.py notebooks/*.py

test: setup lint
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=$(CELL_TIMEOUT) \
		--nbval-kernel-startup-timeout=300 -ra --durations=5

bench: setup
	$(PY) -m tools.bench --runs $(BENCH_RUNS)

readme: setup
	$(PY) -m tools.report_card

student: setup
	$(PY) -m tools.editions build/student

student-run: setup
	$(PY) -m tools.editions --execute build/student

slides: setup
	$(PY) -m tools.slides

notebooks: setup
	$(VENV)/bin/jupytext --to ipynb notebooks/[0-9][0-9]_*.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks

clean:
	rm -rf build
	@if [ -n "$(ALL)" ]; then rm -rf $(VENV); fi
