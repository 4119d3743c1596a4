"""Renders every overlay once per session for the policy tests (or reads K8S_RENDERED_DIR)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

K8S_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = K8S_DIR.parents[1]
OVERLAYS = sorted(path.name for path in (K8S_DIR / "overlays").iterdir() if (path / "kustomization.yaml").exists())
EXAMPLES = sorted(path.name for path in (K8S_DIR / "examples").iterdir() if (path / "kustomization.yaml").exists())
# Every build the policy applies to: overlays by name, examples as "examples/<name>".
BUILDS = OVERLAYS + [f"examples/{name}" for name in EXAMPLES]


def _render(build: str) -> str:
    rendered_dir = os.environ.get("K8S_RENDERED_DIR")
    if rendered_dir:
        return (Path(rendered_dir) / f"{build.replace('/', '__')}.yaml").read_text(encoding="utf-8")
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl not found: run scripts/k8s/check.sh, or set K8S_RENDERED_DIR")
    source = K8S_DIR / (build if build.startswith("examples/") else f"overlays/{build}")
    return subprocess.run([kubectl, "kustomize", str(source)], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    """Build name -> list of rendered resources."""
    return {build: [doc for doc in yaml.safe_load_all(_render(build)) if doc] for build in BUILDS}
