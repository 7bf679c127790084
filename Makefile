# Two commands for a newcomer: `make demo` and `make test`. Both install what
# they need first (a locked environment with uv; hledger and chromium from apt).
UV := uv
RUN := $(UV) run --frozen

.PHONY: setup system demo test lint bench

setup:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --quiet --compile-bytecode
	@# Compiled once here: with PYTHONDONTWRITEBYTECODE set, every CLI run would compile again.
	$(RUN) python -m compileall -q isf_ledger cli bench >/dev/null

system:
	@scripts/install-system-deps.sh

demo: setup
	$(RUN) isf-ledger demo

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

test: setup system lint
	$(RUN) pytest -n 2 --dist loadgroup -q

bench: setup
	$(RUN) python -m bench
