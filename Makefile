# Two commands do all the set-up (README.md):
#   make run    install what is missing, start the embedded PostGIS, migrate, load the demo data, serve
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test fuzz setup system-deps system-deps-test venv assets data lint bench clean

run: system-deps venv assets
	$(BIN)/watershed db up
	$(BIN)/watershed db upgrade
	$(BIN)/watershed demo load --if-empty
	$(BIN)/watershed token demo
	$(BIN)/watershed serve

test: system-deps-test venv assets
	@# pytest exits 5 when it collected no test: that must fail, never pass silently.
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest ran no test" >&2; exit 1; fi; exit $$rc

fuzz: system-deps-test venv
	@# Schema-driven requests over the whole OpenAPI (API and /ogc), long run: no 5xx allowed.
	@# Against a deployed server instead: WATERSHED_FUZZ_URL=… WATERSHED_FUZZ_TOKEN=<admin>
	@# $(BIN)/python -m tests.fuzz.schema_fuzz
	WATERSHED_FUZZ_EXAMPLES=$${WATERSHED_FUZZ_EXAMPLES:-300} $(BIN)/pytest -q -s tests/fuzz

system-deps:
	@scripts/install-system-deps.sh run

system-deps-test:
	@scripts/install-system-deps.sh test

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

assets: webmap/static/vendor/.installed

webmap/static/vendor/.installed: package.json package-lock.json scripts/vendor-assets.sh
	scripts/vendor-assets.sh
	touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: venv
	@# Side-by-side benchmarks on the data loaded in the configured database (README, Performance).
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	-$(BIN)/watershed db down
	rm -rf $(VENV) node_modules webmap/static/vendor
