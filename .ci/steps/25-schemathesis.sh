#!/usr/bin/env bash
# 25-schemathesis.sh - schemathesis over the live /api/schema/ with an API token (scripts/schemathesis.sh).
# The knowledge-base operations must show no server error and no schema disagreement; the other operations
# are reported (SCHEMATHESIS_ALL_STRICT=true makes them fail the step too). Own database fbrain_ci_schema,
# no Redis needed. Installs schemathesis into .cache/tools-venv from .ci/requirements/schemathesis.txt.
# Budget: <= 4 minutes.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export SCHEMATHESIS_DATABASE_URL="${SCHEMATHESIS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fbrain_ci_schema}"
timeout 270 bash scripts/schemathesis.sh
