"""Run bandit over server/ and fail on any medium/high finding that is not reviewed in bandit_accepted.yaml.

Usage: python scripts/security/bandit_gate.py [--bandit PATH]. Prints every finding with its reason.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = Path(__file__).with_name("bandit_accepted.yaml")
EXCLUDE = "*/tests/*,*/migrations/*,*/.venv/*,server/conftest.py"
RANKS = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bandit", default="bandit")
    args = parser.parse_args()
    run = subprocess.run(
        [args.bandit, "--quiet", "--recursive", "server", "--exclude", EXCLUDE, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if not run.stdout.strip():
        print(run.stderr, file=sys.stderr)
        print("FAIL: bandit produced no report", file=sys.stderr)
        return 1
    report = json.loads(run.stdout)
    if report.get("errors"):
        print(f"FAIL: bandit could not scan: {report['errors']}", file=sys.stderr)
        return 1
    accepted = yaml.safe_load(ACCEPTED.read_text()) or []
    used: set[int] = set()
    blocking = 0
    counts: dict[str, int] = {}
    for finding in report["results"]:
        severity, confidence = finding["issue_severity"], finding["issue_confidence"]
        counts[severity] = counts.get(severity, 0) + 1
        if RANKS[severity] < 2 or RANKS[confidence] < 2:
            continue
        where = f"{finding['filename']}:{finding['line_number']}"
        match = next(
            (i for i, a in enumerate(accepted) if a["file"] == finding["filename"] and a["test_id"] == finding["test_id"]),
            None,
        )
        if match is None:
            blocking += 1
            print(f"FAIL {severity}/{confidence} {finding['test_id']} {where}: {finding['issue_text']}")
        else:
            used.add(match)
            print(f"accepted {finding['test_id']} {where}: {accepted[match]['reason'].strip()}")
    for i, entry in enumerate(accepted):
        if i not in used:
            blocking += 1
            print(f"FAIL stale entry in {ACCEPTED.name}: {entry['file']} {entry['test_id']} no longer found; remove it")
    metrics = report.get("metrics", {}).get("_totals", {})
    print(
        f"bandit: {int(metrics.get('loc', 0))} lines scanned; findings by severity {counts or 'none'}; "
        f"{blocking} unexplained medium/high"
    )
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
