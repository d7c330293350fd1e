# `make demo` and `make test` bootstrap .venv themselves; nothing else is needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip -q --disable-pip-version-check
DEMO_DIR ?= demo-output

.PHONY: demo test lint typecheck unit bench clean browser

$(VENV)/.base: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PIP) install -e '.[dev,postgres]'
	@touch $@

demo: $(VENV)/.base
	$(VENV)/bin/creditfactory demo --out $(DEMO_DIR)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "chromium not installed: browser tests will be skipped"
	@fc-list :lang=zh 2>/dev/null | grep -q . || { apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || echo "no CJK font installed: Chinese renders as empty boxes in the browser tests' screenshots"

test: $(VENV)/.dev lint typecheck browser
	$(VENV)/bin/pytest -n 2 --dist loadfile

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
