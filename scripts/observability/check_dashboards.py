#!/usr/bin/env python3
"""Check grafana/dashboards/*.json offline: project conventions, then Grafana's schema via tsc.

The schema check type-checks each dashboard as a TypeScript object literal
against the `Dashboard` type of the npm package `@grafana/schema` (pinned in
scripts/observability/dashboard-schema/package.json), so wrong field types,
missing required fields and unknown keys fail, like `tsc --noEmit` on code.
Grafana's string enums (e.g. ThresholdsMode) are widened to their literal
values because JSON cannot name an enum member.

Usage: check_dashboards.py [--skip-schema]   (node and npm needed for the schema part)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1].parent
DASHBOARDS = sorted((ROOT / "grafana" / "dashboards").glob("*.json"))
SCHEMA_PKG = ROOT / "scripts" / "observability" / "dashboard-schema"
CACHE = ROOT / ".cache" / "grafana-schema"
RUNBOOKS = ROOT / "docs" / "runbooks.md"
DATASOURCE_UID = "fbrain-prometheus"

TS_PRELUDE = """import type { Dashboard } from '@grafana/schema';

// JSON cannot spell enum members: accept their literal values instead.
type Plain<T> = T extends string
  ? `${T}`
  : T extends Array<infer U>
    ? Array<Plain<U>>
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

"""


def anchors(markdown: str) -> set[str]:
    """GitHub-style anchors of the markdown headings."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(slug)
    return out


def panels_of(dashboard: dict) -> list[dict]:
    out = []
    for panel in dashboard.get("panels", []):
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def lint(path: Path, dashboard: dict, runbook_anchors: set[str]) -> list[str]:
    errors = []
    where = path.name
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in dashboard:
            errors.append(f"{where}: missing {key}")
    ids = [p.get("id") for p in panels_of(dashboard)]
    if len(ids) != len(set(ids)):
        errors.append(f"{where}: duplicate panel ids")
    variables = dashboard.get("templating", {}).get("list", [])
    for var in variables:
        if var.get("includeAll") and var.get("allValue") != ".*":
            errors.append(f"{where}: variable {var['name']} must use allValue '.*'")
    for panel in panels_of(dashboard):
        title = f"{where}: panel {panel.get('title')!r}"
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != DATASOURCE_UID:
            errors.append(f"{title}: datasource uid must be {DATASOURCE_UID}")
        targets = panel.get("targets") or []
        if not targets:
            errors.append(f"{title}: no targets")
        for target in targets:
            if not target.get("expr", "").strip():
                errors.append(f"{title}: target {target.get('refId')} has no expr")
            if target.get("datasource", {}).get("uid") != DATASOURCE_UID:
                errors.append(f"{title}: target datasource uid must be {DATASOURCE_UID}")
        for link in panel.get("links", []):
            url = link.get("url", "")
            if url.startswith("${runbooks}#") and url.split("#", 1)[1] not in runbook_anchors:
                errors.append(f"{title}: runbook anchor {url} not in docs/runbooks.md")
    return errors


def ensure_schema_package() -> Path:
    """Install the pinned npm packages into .cache/grafana-schema (once per lock file)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    lock = (SCHEMA_PKG / "package-lock.json").read_bytes()
    stamp = CACHE / ".lock-installed"
    if not (stamp.exists() and stamp.read_bytes() == lock and (CACHE / "node_modules" / ".bin" / "tsc").exists()):
        for name in ("package.json", "package-lock.json"):
            shutil.copy(SCHEMA_PKG / name, CACHE / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CACHE,
            check=True,
        )
        stamp.write_bytes(lock)
    return CACHE


def schema_check(dashboards: dict[str, dict]) -> int:
    cache = ensure_schema_package()
    src = cache / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir()
    for name, dashboard in dashboards.items():
        ident = re.sub(r"\W", "_", Path(name).stem)
        body = json.dumps(dashboard, indent=2)
        (src / f"{ident}.ts").write_text(
            f"{TS_PRELUDE}// Generated from grafana/dashboards/{name}\nexport const {ident}: Plain<Dashboard> = {body};\n"
        )
    tsconfig = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "ES2020",
            "module": "ESNext",
            "moduleResolution": "Bundler",
            "skipLibCheck": True,
            "types": [],
        },
        "include": ["src/*.ts"],
    }
    (cache / "tsconfig.json").write_text(json.dumps(tsconfig, indent=2))
    result = subprocess.run([str(cache / "node_modules" / ".bin" / "tsc"), "-p", str(cache)], cwd=cache)
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-schema", action="store_true", help="only the convention checks")
    args = parser.parse_args()
    if not DASHBOARDS:
        print("no dashboards found")
        return 1
    runbook_anchors = anchors(RUNBOOKS.read_text()) if RUNBOOKS.exists() else set()
    loaded, errors = {}, []
    for path in DASHBOARDS:
        try:
            loaded[path.name] = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}: invalid JSON: {exc}")
            continue
        errors.extend(lint(path, loaded[path.name], runbook_anchors))
    for error in errors:
        print(f"ERROR {error}")
    if errors:
        return 1
    print(f"conventions: {len(loaded)} dashboards OK")
    if args.skip_schema:
        return 0
    rc = schema_check(loaded)
    print(f"schema (@grafana/schema Dashboard type, tsc --noEmit): {'OK' if rc == 0 else 'FAILED'}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
