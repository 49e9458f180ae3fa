# The project's entry points. CI (.ci/run) provisions a machine (uv, the
# locked dependencies, Redis, Chromium, a PostgreSQL server), then runs
# `make ci`; the same targets serve at a desk.

PG_URL ?= postgres://postgres@127.0.0.1:5432/claimtrack_ci
PYTHON_FILES = $(shell git ls-files '*.py' | grep -v /migrations/)
# pytest exits 5 when it collected no test: a failure here, never a pass.
PYTEST = status=0; uv run pytest -p no:cacheprovider $(1) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no test" >&2; exit 1; fi; \
	exit $$status

.PHONY: lint test test-pg ci bench

lint:
	uv run ruff check .
	uv run ruff format --check .
	DJANGO_DEBUG=1 uv run mypy
	uv run django-upgrade --target-version 6.1 --check $(PYTHON_FILES)
	DJANGO_DEBUG=1 uv run python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=claimtrack.example.org \
	DJANGO_SECRET_KEY="lint-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		uv run python manage.py check --deploy --fail-level WARNING
	DJANGO_DEBUG=1 uv run python manage.py spectacular --validate --fail-on-warn --file /dev/null
	uv tool run check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

# The suite on SQLite (the default; DATABASE_URL unset).
test:
	@unset DATABASE_URL; export CLAIMTRACK_REQUIRE_DATABASE=sqlite; \
	$(call PYTEST,)

# The suite on PostgreSQL (PG_URL; pytest-django creates test_<name>).
test-pg:
	@export DATABASE_URL="$(PG_URL)" CLAIMTRACK_REQUIRE_DATABASE=postgresql; \
	$(call PYTEST,--create-db)

# Lint, then both suites at once: SQLite in one process and PostgreSQL in two
# halves (CLAIMTRACK_SHARD, tests/conftest.py), each half on its own database.
# One PostgreSQL process took 15 minutes while SQLite's 9 left a core idle.
# The others' output is shown when the first half is done.
ci: lint
	@sqlite_log=$$(mktemp /tmp/claimtrack-sqlite.XXXXXX); \
	half_log=$$(mktemp /tmp/claimtrack-pg2.XXXXXX); \
	$(MAKE) --no-print-directory test >"$$sqlite_log" 2>&1 & sqlite=$$!; \
	CLAIMTRACK_SHARD=2/2 $(MAKE) --no-print-directory test-pg PG_URL=$(PG_URL)_2 \
		>"$$half_log" 2>&1 & half=$$!; \
	pg=0; CLAIMTRACK_SHARD=1/2 $(MAKE) --no-print-directory test-pg PG_URL=$(PG_URL)_1 || pg=$$?; \
	pg2=0; wait $$half || pg2=$$?; \
	sq=0; wait $$sqlite || sq=$$?; \
	echo "==> tests on PostgreSQL, second half (their output)"; cat "$$half_log"; \
	echo "==> tests on SQLite (their output)"; cat "$$sqlite_log"; \
	rm -f "$$sqlite_log" "$$half_log"; \
	if [ $$pg -ne 0 ]; then echo "the PostgreSQL suite (first half) failed" >&2; exit $$pg; fi; \
	if [ $$pg2 -ne 0 ]; then echo "the PostgreSQL suite (second half) failed" >&2; exit $$pg2; fi; \
	if [ $$sq -ne 0 ]; then echo "the SQLite suite failed" >&2; exit $$sq; fi; \
	echo "==> all green"

# Every benchmark at 10k and 100k claims (bench/README.md; 1M: add it to --sizes).
bench:
	CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \
		uv run python bench/suite.py --sizes 10000,100000
