#!/usr/bin/env bash
# 25-schemathesis.sh - schemathesis over the live /api/schema/ with an API token (scripts/schemathesis.sh).
# Every check (no 5xx, status codes, content types, headers, response bodies, schema-valid input accepted,
# schema-invalid input refused), positive and negative data, on every operation: any failure fails the step
# (the few business rules no schema can state are in scripts/schemathesis.toml). Own database
# fbrain_ci_schema (SCHEMATHESIS_DATABASE_URL), port SCHEMATHESIS_PORT (default: a free one), no Redis needed.
# Installs schemathesis into .cache/tools-venv from .ci/requirements/schemathesis.txt. Also a GitHub job.
# Budget: <= 4.5 minutes.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export SCHEMATHESIS_DATABASE_URL="${SCHEMATHESIS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fbrain_ci_schema}"
timeout 270 bash scripts/schemathesis.sh
