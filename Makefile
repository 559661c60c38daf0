# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench migrate lock clean

# Every component and the test tools, exactly as locked (requirements/README.md says how to add one).
$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

run: $(VENV)/.installed  ## start RabbitMQ if needed, migrate, start everything, load the demo street
	$(PY) -m shared.quiet deploy.local run

test: $(VENV)/.installed  ## ruff, then every test: unit, integration (RabbitMQ, PostgreSQL if it runs), end-to-end
	$(PY) -m ruff check .
	$(PY) -m shared.quiet deploy.local ensure-broker
	$(PY) -m pytest

bench: $(VENV)/.installed  ## report flow through the gateway (open loop, beside its floor); a month's figures and the newest-first list over a million reports; dispatch draining a backlog, quorum beside classic
	$(PY) -m shared.quiet deploy.local ensure-broker
	$(PY) -m bench.report_flow
	$(PY) -m bench.figures
	$(PY) -m bench.report_list
	$(PY) -m bench.dispatch_drain

migrate: $(VENV)/.installed
	$(PY) -m shared.quiet shared.migrations upgrade

LOCKS := service gateway web dev
lock: $(VENV)/.installed  ## after editing requirements/*.in: write every hashed lock again
	cd requirements && for set in $(LOCKS); do \
		../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
			--no-emit-index-url --no-emit-find-links --output-file $$set.txt $$set.in || exit 1; \
	done

clean:
	rm -rf var
