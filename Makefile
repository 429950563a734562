# babelscope: two commands on a fresh machine.
#   make run   - set up .venv and the offline assets, then run the default analysis and report
#   make test  - same set-up, then the test suite (the real default model included)
#
# TORCH_SPEC picks the torch build. The default is the CPU wheel; a GPU user installs a CUDA
# build first (see README) and runs `make TORCH_SPEC= run` so pip leaves it alone.

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PIP = $(VENV)/bin/pip
STAMP = $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup run test test-fast bench clean

setup: $(STAMP)
	@bash scripts/install_assets.sh

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@if [ -n "$(TORCH_SPEC)" ]; then $(PIP) install --quiet "$(TORCH_SPEC)"; fi
	$(PIP) install --quiet -e '.[default-model,lid,ifeval,ray,dev]'
	touch $(STAMP)

run: setup
	$(VENV)/bin/babelscope run

test: setup
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: setup
	$(VENV)/bin/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

bench: setup
	for f in bench/bench_*.py; do echo "== $$f"; $(VENV)/bin/python $$f || exit 1; done

clean:
	rm -rf $(VENV) babelscope_runs .pytest_cache
