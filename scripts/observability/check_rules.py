#!/usr/bin/env python3
"""Check alert-rule conventions that promtool cannot: labels, annotations, runbooks, test coverage.

Every alert in prometheus/rules/*.yml must have a severity (critical|warning|info),
a service label, summary/description/runbook_url annotations, a runbook_url whose
anchor exists in docs/runbooks.md, and promtool tests in prometheus/tests/*.yml
proving both that it fires (non-empty exp_alerts) and that it stays silent
(an empty exp_alerts case).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_dashboards import anchors

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    runbook_anchors = anchors((ROOT / "docs" / "runbooks.md").read_text())
    alerts: dict[str, dict] = {}
    for path in sorted((ROOT / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    alerts[rule["alert"]] = rule

    fires: set[str] = set()
    silent: set[str] = set()
    for path in sorted((ROOT / "prometheus" / "tests").glob("*.yml")):
        for test in yaml.safe_load(path.read_text()).get("tests", []):
            for case in test.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else silent).add(case["alertname"])

    errors = []
    for name, rule in alerts.items():
        labels = rule.get("labels", {})
        notes = rule.get("annotations", {})
        if labels.get("severity") not in {"critical", "warning", "info"}:
            errors.append(f"{name}: severity label must be critical, warning or info")
        if not labels.get("service"):
            errors.append(f"{name}: missing service label (used by Alertmanager inhibition)")
        for key in ("summary", "description", "runbook_url"):
            if not notes.get(key):
                errors.append(f"{name}: missing annotation {key}")
        url = notes.get("runbook_url", "")
        if not url.startswith("docs/runbooks.md#") or url.split("#", 1)[1] not in runbook_anchors:
            errors.append(f"{name}: runbook_url {url!r} has no heading in docs/runbooks.md")
        if name not in fires:
            errors.append(f"{name}: no promtool test where it fires")
        if name not in silent:
            errors.append(f"{name}: no promtool test where it stays silent")
    for name in sorted((fires | silent) - alerts.keys()):
        errors.append(f"tests mention unknown alert {name}")

    for error in errors:
        print(f"ERROR {error}")
    if errors:
        return 1
    print(f"rules: {len(alerts)} alerts, each with severity, runbook and firing + silent tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
