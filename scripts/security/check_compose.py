"""Hardening checks of the production Compose file (Trivy has no Compose scanner).

Fails when an F_BRAIN service (the app image: web, worker, beat, migrate) runs privileged, adds
capabilities, shares the host's network/PID namespace, or has a writable root filesystem; and when the
image's Dockerfile has no non-root USER. Warns (does not fail) on secrets passed inline in `environment`
instead of Docker secrets / `<NAME>_FILE` (docs/security.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "docker-compose.prod.yml"
APP_SERVICES = ("web", "worker", "beat", "migrate")
SECRET_NAMES = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "POSTGRES_PASSWORD", "REDIS_PASSWORD")


class _Loader(yaml.SafeLoader):
    """Compose's `!reset` / `!override` tags: keep the value, drop the tag."""


def _any_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)


def main() -> int:
    failures: list[str] = []
    warnings: list[str] = []
    compose = yaml.load(PROD.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    services = compose.get("services", {})
    for name in APP_SERVICES:
        service = services.get(name)
        if service is None:
            failures.append(f"{name}: service missing from {PROD.name}")
            continue
        if service.get("privileged"):
            failures.append(f"{name}: privileged: true")
        if service.get("cap_add"):
            failures.append(f"{name}: cap_add {service['cap_add']}")
        for key in ("network_mode", "pid", "ipc"):
            if str(service.get(key, "")).startswith("host"):
                failures.append(f"{name}: {key}: host")
        if service.get("read_only") is not True:
            failures.append(f"{name}: root filesystem is writable (set read_only: true, tmpfs for /tmp)")
        user = str(service.get("user", ""))
        if user in {"0", "root"} or user.startswith(("0:", "root:")):
            failures.append(f"{name}: runs as root (user: {user})")
        environment = service.get("environment") or {}
        if isinstance(environment, dict):
            inline = [key for key in SECRET_NAMES if key in environment]
            if inline:
                warnings.append(f"{name}: secrets inline in environment ({', '.join(inline)}); prefer <NAME>_FILE")
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^\s*USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        failures.append(f"Dockerfile: the final USER is {users[-1] if users else 'not set'} (must be non-root)")
    for warning in warnings:
        print(f"WARNING {warning}")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"compose hardening: {len(APP_SERVICES)} services checked, {len(failures)} failures, {len(warnings)} warnings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
