#!/usr/bin/env bash
# Kubernetes manifests (issue 11): every overlay renders with `kubectl kustomize`, validates strictly
# against pinned Kubernetes schemas, passes the policy tests and a Trivy config scan. Offline.
# Budget: 3 minutes (about 20 s once .cache/ holds the tools; about 1 min to install them).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 180 bash scripts/k8s/check.sh
