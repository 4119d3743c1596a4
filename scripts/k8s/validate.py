#!/usr/bin/env python3
"""Validate rendered Kubernetes manifests strictly: core kinds by kubernetes-validate, CRDs by crd_schemas.

Usage: validate.py --kubernetes-version 1.34.0 rendered/staging.yaml rendered/production.yaml ...

Built-in kinds are checked against the vendored OpenAPI schemas of the pinned Kubernetes version
in strict mode (unknown fields are errors). Custom resources are checked against the schemas in
crd_schemas.py. Any other kind is an error: nothing is skipped silently.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crd_schemas import SCHEMAS


def _name(doc: dict) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc.get('kind')}/{meta.get('name')}"


def validate_file(path: Path, version: str) -> tuple[list[str], Counter]:
    """Return the errors found in one rendered file and a count of what was checked how."""
    errors: list[str] = []
    checked: Counter = Counter()
    docs = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    if not docs:
        errors.append(f"{path}: no resources rendered")
    for doc in docs:
        key = (doc.get("apiVersion", ""), doc.get("kind", ""))
        if key in SCHEMAS:
            validator = jsonschema.Draft202012Validator(SCHEMAS[key])
            problems = sorted(validator.iter_errors(doc), key=lambda err: list(err.absolute_path))
            for problem in problems:
                where = "/".join(str(part) for part in problem.absolute_path) or "(root)"
                errors.append(f"{path.name}: {_name(doc)}: {where}: {problem.message}")
            checked["custom resource schema"] += 1
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(
                f"{path.name}: {_name(doc)}: no schema for {key[0]} {key[1]}; add one to scripts/k8s/crd_schemas.py"
            )
            continue
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(part) for part in exc.path) or "(root)"
            errors.append(f"{path.name}: {_name(doc)}: {where}: {exc.message}")
            continue
        checked[f"Kubernetes {version} strict"] += 1
    return errors, checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    failed = False
    for path in args.files:
        errors, checked = validate_file(path, args.kubernetes_version)
        detail = ", ".join(f"{count} by {how}" for how, count in sorted(checked.items()))
        if errors:
            failed = True
            for error in errors:
                print(f"  INVALID {error}")
            print(f"FAIL: {path.name}: {len(errors)} error(s) ({detail})")
        else:
            print(f"ok: {path.name}: {sum(checked.values())} resources valid ({detail})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
