# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench migrate demo clean

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

run: $(VENV)/.installed  ## start RabbitMQ if needed, migrate, start everything, load the demo street
	$(PY) -m deploy.local run

test: $(VENV)/.installed  ## every test: unit, integration (RabbitMQ, PostgreSQL if it runs), end-to-end
	$(PY) -m deploy.local ensure-broker
	$(PY) -m pytest

bench: $(VENV)/.installed  ## report flow through the gateway; a month's figures over a million reports
	$(PY) -m deploy.local ensure-broker
	$(PY) -m bench.report_flow
	$(PY) -m bench.figures

migrate: $(VENV)/.installed
	$(PY) -m shared.migrations upgrade

clean:
	rm -rf var
