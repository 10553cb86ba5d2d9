# Two commands for a newcomer:  `make demo`  and  `make test`.
# Each bootstraps what it needs: virtualenv, pip install, npm install (sao).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAO_VERSION := 8.0.11
SAO := var/sao/package
DB ?= sqlite

.PHONY: demo test setup sao clean

demo: setup sao  ## create the SQLite demo (once) and serve backend + portal
	$(BIN)/mlm demo

test: setup sao  ## run every test: make test [DB=postgresql]
	$(BIN)/mlm test --backend $(DB)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e .
	# SKR03 chart: published for 7.8 only, works unchanged on 8.0 (ADR 0001)
	$(BIN)/pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

sao: $(SAO)/.installed

$(SAO)/.installed:
	mkdir -p var/sao
	cd var/sao && npm pack --silent tryton-sao@$(SAO_VERSION) >/dev/null \
		&& tar xzf tryton-sao-$(SAO_VERSION).tgz
	cd $(SAO) && npm install --silent --omit=dev --ignore-scripts \
		--legacy-peer-deps --no-audit --no-fund
	touch $@

clean:  ## remove the virtualenv, web client, demo and test caches
	rm -rf $(VENV) var test-output \
		"$${MLM_TEST_CACHE:-$$HOME/.cache/mlm-suite/test-cache}"
