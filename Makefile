# Two commands do all set-up on a fresh machine: `make reproduce` and `make test`.
# Both build .venv on first use (pinned by constraints.txt) and reuse it afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt requirements-bootstrap.txt | cksum | cut -d' ' -f1)
# the warm kernelspec (kernels forked from a process that has imported the stack)
KERNELSPEC := $(VENV)/share/jupyter/kernels/supportstats/kernel.json
NBVAL_KERNEL ?= supportstats

.PHONY: setup reproduce test lab bench clean-venv review bytecode

$(STAMP): pyproject.toml constraints.txt requirements-bootstrap.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# uv (from PyPI, pinned and checked by hash) installs the same pins as pip, ten times faster
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements-bootstrap.txt
	@# bytecode compiled at install: with PYTHONDONTWRITEBYTECODE set, every kernel would
	@# otherwise recompile pandas, scipy and matplotlib from source on import (~2x slower)
	@# --build-constraints pins the build backend (setuptools) too; -c alone pins only what is installed
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -e ".[test]" -c constraints.txt \
		--build-constraints constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

$(KERNELSPEC): $(STAMP) supportstats/kernels/spec.py
	$(VENV)/bin/supportstats kernels --install

# the package's own bytecode: it is installed editable, so the install compiles none of it,
# and with PYTHONDONTWRITEBYTECODE set (as here, and in many containers) every process would
# compile the modules it imports from source again: ~0.09 CPU-s of the zygote's preload, in
# the way of every first run; compileall rewrites only what changed since
bytecode: $(STAMP)
	@$(PY) -m compileall -q supportstats

setup: $(STAMP) bytecode $(KERNELSPEC)

reproduce: $(STAMP) bytecode $(KERNELSPEC)
	$(VENV)/bin/supportstats reproduce

# library tests, doctests, and nbval over notebooks/ against their committed outputs;
# --dist loadfile keeps each notebook's cells on one worker (one kernel, in order);
# nbval's kernels are warm (NBVAL_KERNEL=python3 for plain ones)
test: $(STAMP) bytecode $(KERNELSPEC)
	$(PY) -m pytest -n auto --dist loadfile --nbval --nbval-kernel-name $(NBVAL_KERNEL) tests supportstats notebooks

# every notebook run afresh as a what-if run (never over committed files), then nbdime's
# cell-level diff of each changed one in git's orientation (- committed, + fresh run), each change
# labelled with its claim ids; HTML under reports/review/. REVIEW_ARGS="--old HEAD~1", "--new runs/ci"
review: $(STAMP) bytecode $(KERNELSPEC)
	$(PY) -m supportstats.review $(REVIEW_ARGS)

lab: $(STAMP) bytecode $(KERNELSPEC)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --MultiKernelManager.default_kernel_name=supportstats $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP) bytecode $(KERNELSPEC)
	$(PY) -m benchmarks

clean-venv:
	rm -rf $(VENV)
