# Codex: `make run` builds and starts the site; `make test` runs every test.
# Both install what is missing first (see scripts/install-deps.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

# Builds read the committed query data in .sqlx/, so no database is needed to compile.
export SQLX_OFFLINE ?= true
# sqlx::test creates a fresh database per test through this server (and drops it after).
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres

.PHONY: run build release test test-unit e2e test-ops fuzz lint fmt deps deps-test postgres sqlx-prepare \
	preview preview-down previews help

help:
	@echo "make run    build and start Codex at http://127.0.0.1:3000"
	@echo "make test   run unit, integration and end-to-end tests"
	@echo "make lint   cargo fmt --check, clippy for the ssr and hydrate builds, actionlint on the workflows, the backend's floors"
	@echo "make preview NAME=x / make preview-down NAME=x / make previews"
	@echo "make release  optimised build bundled in target/release-bundle (server + site)"

deps:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

postgres:
	scripts/ensure-postgres.sh

build: deps
	cargo leptos build

run: build postgres
	./target/debug/server serve

# Each stage is timed (scripts/stage.sh); the times are printed at the end, pass or fail.
test: deps-test postgres
	@scripts/stage.sh --reset
	@trap 'scripts/stage.sh --print' EXIT; set -e; \
	scripts/stage.sh unit $(MAKE) test-unit; \
	scripts/stage.sh e2e $(MAKE) e2e; \
	scripts/stage.sh ops $(MAKE) test-ops; \
	scripts/stage.sh fuzz $(MAKE) fuzz

# Unit tests of every crate and the integration tests (real HTTP, fresh database each).
# cargo-nextest (.config/nextest.toml): each test its own process, four at a time.
# They are built with the flags `cargo leptos build` gives a debug build, and with the same
# features, so the e2e and ops stages reuse this build instead of compiling every crate again.
export LEPTOS_DEBUG_RUSTFLAGS := --cfg erase_components
test-unit:
	RUSTFLAGS="$(LEPTOS_DEBUG_RUSTFLAGS)" DATABASE_URL=$(TEST_DATABASE_URL) cargo nextest run -p domain -p backend -p app -p server -p stripe-standin --features app/ssr

e2e:
	cargo leptos build
	scripts/e2e.sh

# Previews, the rolling deploy with rollback, and two app servers behind nginx; OPS_JOBS
# (default 2) at a time.
test-ops:
	cargo leptos build
	tests/ops/run.sh

# The parsers of untrusted input under cargo fuzz (libFuzzer), FUZZ_SECONDS each. cargo-fuzz
# needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them. A finding stops
# the run and leaves its input in fuzz/artifacts/<target>/. The targets are built without
# optimisation (`--dev`): half the build time of `--release` here (150 s against 321 s),
# thousands of inputs a second still, and overflow checks and debug assertions on. For a
# long campaign, run a target with `--release`.
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := form_newtypes playback_token request_parts stripe_webhook
fuzz:
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		RUSTC_BOOTSTRAP=1 SQLX_OFFLINE_DIR=$(CURDIR)/.sqlx cargo fuzz run -s none --dev $$target -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 || exit 1; \
	done
	@echo "fuzz: $(words $(FUZZ_TARGETS)) passed, 0 failed"

preview: build postgres
	@scripts/preview.sh up "$(NAME)"

preview-down:
	@scripts/preview.sh down "$(NAME)"

previews:
	@scripts/preview.sh list

# wasm-opt comes from .tools/ (npm binaryen 132); the bundle is what deploy.sh installs.
# Its site goes to target/site-release so that it never mixes with the debug build's.
release:
	scripts/install-deps.sh release
	PATH="$(CURDIR)/.tools/node_modules/.bin:$$PATH" LEPTOS_SITE_ROOT=target/site-release cargo leptos build --release
	rm -rf target/release-bundle && mkdir -p target/release-bundle
	cp target/release/server target/release-bundle/server
	cp -r target/site-release target/release-bundle/site
	@scripts/wasm-size.sh target/release-bundle/site

lint:
	cargo fmt --all -- --check
	cargo clippy -p domain -p backend -p app -p server -p stripe-standin --features app/ssr --all-targets -- -D warnings
	cargo clippy -p domain -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
	node scripts/lint-workflows.cjs .github/workflows/*.yml
	python3 scripts/floors.py

fmt:
	cargo fmt --all

# Regenerates .sqlx/ from a freshly migrated database; run after changing a query or a migration.
sqlx-prepare: postgres
	psql postgres://postgres:postgres@127.0.0.1:5432/postgres -q -c "DROP DATABASE IF EXISTS codex_sqlx WITH (FORCE)" -c "CREATE DATABASE codex_sqlx"
	for f in migrations/*.sql; do psql -q postgres://postgres:postgres@127.0.0.1:5432/codex_sqlx -v ON_ERROR_STOP=1 -f $$f; done
	rm -rf .sqlx && mkdir -p .sqlx
	touch backend/src/lib.rs app/src/lib.rs server/src/lib.rs
	SQLX_OFFLINE=false SQLX_OFFLINE_DIR=$(CURDIR)/.sqlx DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/codex_sqlx \
		cargo check -p backend -p app --features app/ssr -p server --all-targets
	@echo "$$(ls .sqlx | wc -l) queries written to .sqlx/"
