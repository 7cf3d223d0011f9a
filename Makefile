# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: demo test bench clean
demo: $(STAMP)
	$(VENV)/bin/monitor demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks.ingest

clean:
	rm -rf $(VENV) .pytest_cache

.PHONY: docs
docs: $(STAMP)
	$(VENV)/bin/python -m monitor.settings docs/configuration.md
