#!/usr/bin/env bash
# Release build check (issue 8): runs after 50-docker-smoke.sh has started the Docker engine.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
exec bash .ci/steps/30-workflows.sh --release-build-only
