# Two commands do all set-up on a fresh machine: `make reproduce` and `make test`.
# Both build .venv on first use (pinned by constraints.txt) and reuse it afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# the warm kernelspec (kernels forked from a process that has imported the stack)
KERNELSPEC := $(VENV)/share/jupyter/kernels/supportstats/kernel.json
NBVAL_KERNEL ?= supportstats

.PHONY: setup reproduce test lab bench clean-venv

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# uv (from PyPI, pinned) installs the same pins as pip, ten times faster
	$(PY) -m pip install -q --disable-pip-version-check uv==0.13.8
	@# bytecode compiled at install: with PYTHONDONTWRITEBYTECODE set, every kernel would
	@# otherwise recompile pandas, scipy and matplotlib from source on import (~2x slower)
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -e ".[test]" -c constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

$(KERNELSPEC): $(STAMP) supportstats/kernels/spec.py
	$(VENV)/bin/supportstats kernels --install

setup: $(STAMP) $(KERNELSPEC)

reproduce: $(STAMP) $(KERNELSPEC)
	$(VENV)/bin/supportstats reproduce

# library tests, doctests, and nbval over notebooks/ against their committed outputs;
# --dist loadfile keeps each notebook's cells on one worker (one kernel, in order);
# nbval's kernels are warm (NBVAL_KERNEL=python3 for plain ones)
test: $(STAMP) $(KERNELSPEC)
	$(PY) -m pytest -n auto --dist loadfile --nbval --nbval-kernel-name $(NBVAL_KERNEL) tests supportstats notebooks

lab: $(STAMP) $(KERNELSPEC)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --MultiKernelManager.default_kernel_name=supportstats $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(PY) -m benchmarks

clean-venv:
	rm -rf $(VENV)
