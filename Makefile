# The two commands: `make run` and `make test`. Both set up what they need on a fresh clone.
# The Lambda runtime, set once in infra/synth.py (LAMBDA_RUNTIME): .venv, hence `make test`, runs on it.
LAMBDA_RUNTIME := $(shell sed -n 's/^LAMBDA_RUNTIME = "\(python3\.[0-9]*\)"$$/\1/p' infra/synth.py)
PYTHON ?= $(LAMBDA_RUNTIME)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# checkov has its own environment: its dependencies are not the project's.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/.installed

.PHONY: run test unit synth bench browser-deps console storefront clean

$(INSTALLED): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; v = "python%d.%d" % sys.version_info[:2]; sys.exit(0 if v == "$(LAMBDA_RUNTIME)" else "$(VENV) runs " + v + ", not the Lambda runtime $(LAMBDA_RUNTIME): make clean, then make with $(LAMBDA_RUNTIME) on PATH")'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e ".[dev]"
	touch $@

$(CHECKOV): requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

# The managers' console: npm packages from package-lock.json, bundled by esbuild into build/console/.
CONSOLE_SOURCES := $(shell find console/src web/shared -type f 2>/dev/null) console/index.html console/config.js console/build.mjs
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

build/console/app.js: node_modules/.package-lock.json $(CONSOLE_SOURCES)
	node console/build.mjs

console: build/console/app.js

# The storefront: its modules bundled and minified by esbuild into build/storefront/, which is what
# `make run` serves and infra/deploy.sh uploads.
STOREFRONT_SOURCES := $(shell find storefront/ web/shared -type f 2>/dev/null)
build/storefront/app.js: node_modules/.package-lock.json $(STOREFRONT_SOURCES)
	node storefront/build.mjs

storefront: build/storefront/app.js

run: $(INSTALLED) console storefront
	$(BIN)/python -m hubcycle.local

# No .pyc next to the sources: Chalice's packaging cache keys on the vendored package's files.
test: $(INSTALLED) $(CHECKOV) browser-deps console storefront
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -q

unit: $(INSTALLED)
	$(BIN)/python -m pytest -q tests/unit

# The deployable template and zips, written to infra/out/ and validated with cfn-lint and checkov, offline.
synth: $(INSTALLED) $(CHECKOV)
	$(BIN)/python infra/synth.py --checkov $(CHECKOV_VENV)/bin/checkov

# Every benchmark figure as `name: value` lines (docs/performance.md); Lighthouse measures the
# built storefront, and comes with the npm packages the storefront's build installs.
bench: $(INSTALLED) storefront
	$(BIN)/python bench/run_all.py

# Debian's chromium for the storefront tests (Playwright cannot download browsers here).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	else \
		echo "The browser tests need Debian's chromium at /usr/bin/chromium: sudo apt-get install chromium"; \
	fi

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) infra/out .pytest_cache build node_modules
