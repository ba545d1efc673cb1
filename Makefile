# canbao: every target creates the environment itself (uv, the machine's own Python).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --locked
DEMO_OUT ?= demo-output

.PHONY: env test lint typecheck pytest demo bench examples clean

env:
	@command -v uv >/dev/null 2>&1 || test -x "$(HOME)/.local/bin/uv" || python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv
	@$(UV) sync --locked --quiet

lint: env
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks

typecheck: env
	$(RUN) mypy

pytest: env
	$(RUN) pytest -n 2

test: lint typecheck pytest

demo: env
	$(RUN) python -m canbao.demo_chain --examples examples --output $(DEMO_OUT)

bench: env
	$(RUN) python -m benchmarks.run

examples: env
	$(RUN) python -m canbao.examples_build --output examples

clean:
	rm -rf .venv $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
