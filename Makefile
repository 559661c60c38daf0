# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench migrate lock vendor translations clean

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

bench: $(VENV)/.installed  ## report flow through the gateway (open loop, beside its floor); a month's figures and the newest-first list over a million reports; dispatch draining a backlog, quorum beside classic; what exactly-once costs and how fast a down service answers; exporting 100,000 reports
	$(PY) -m shared.quiet deploy.local ensure-broker
	$(PY) -m bench.report_flow
	$(PY) -m bench.figures
	$(PY) -m bench.report_list
	$(PY) -m bench.dispatch_drain
	$(PY) -m bench.exactly_once
	$(PY) -m bench.export

migrate: $(VENV)/.installed
	$(PY) -m shared.quiet shared.migrations upgrade

LOCKS := service gateway web dev
lock: $(VENV)/.installed  ## after editing requirements/*.in: write every hashed lock again
	cd requirements && for set in $(LOCKS); do \
		../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
			--no-emit-index-url --no-emit-find-links --output-file $$set.txt $$set.in || exit 1; \
	done

# The console's texts: Chinese in the code and templates, English in web/translations (edit the .po, then
# run this again: the compiled .mo files are committed, so nothing compiles them at run time).
translations: $(VENV)/.installed  ## after changing the console's texts: extract, merge into the .po, compile
	$(VENV)/bin/pybabel extract -F web/babel.cfg -k _l -o web/translations/messages.pot --no-location --omit-header --sort-output .
	$(VENV)/bin/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d web/translations --statistics

# The console's third-party browser files, copied into web/static/vendor with their sha256 in VERSIONS.
# npm only refreshes them here: nothing runs npm to serve or test the console.
VENDOR := web/static/vendor
VENDORED := htmx.org@2.0.11:dist/htmx.min.js:htmx.min.js idb-keyval@6.3.0:dist/umd.js:idb-keyval.js echarts@5.6.0:dist/echarts.min.js:echarts.min.js
vendor:  ## refresh web/static/vendor from the npm registry (needs npm; edit VENDORED to move a pin)
	@command -v npm >/dev/null || { echo "make vendor needs npm (only to refresh these files)"; exit 1; }
	rm -rf var/vendor && mkdir -p var/vendor
	echo "# name version sha256 file: written by make vendor" > $(VENDOR)/VERSIONS
	for item in $(VENDORED); do \
		spec=$${item%%:*}; rest=$${item#*:}; source=$${rest%%:*}; target=$${rest#*:}; \
		packed=$$(cd var/vendor && npm pack --silent "$$spec") || exit 1; \
		tar -xzf "var/vendor/$$packed" -C var/vendor "package/$$source" || exit 1; \
		cp "var/vendor/package/$$source" "$(VENDOR)/$$target"; \
		echo "$${spec%@*} $${spec##*@} $$(sha256sum "$(VENDOR)/$$target" | cut -d' ' -f1) $$target" >> $(VENDOR)/VERSIONS; \
	done
	rm -rf var/vendor

clean:
	rm -rf var
