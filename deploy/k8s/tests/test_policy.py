"""Policy for the rendered F_BRAIN manifests: probes, limits, hardening, rollout shape, isolation."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import yaml
from conftest import BUILDS, K8S_DIR, OVERLAYS, REPO_ROOT

SECRET_VARS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


def _find(docs: list[dict], kind: str, name: str | None = None) -> list[dict]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def _one(docs: list[dict], kind: str, name: str) -> dict:
    found = _find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def _workloads(docs: list[dict]) -> Iterator[tuple[str, dict, dict]]:
    """(kind/name, workload, pod spec) for every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in {"Deployment", "Job"}:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc, doc["spec"]["template"]["spec"]


def _containers(pod: dict) -> Iterator[dict]:
    yield from pod.get("initContainers", [])
    yield from pod["containers"]


def _component(docs: list[dict], component: str) -> list[dict]:
    return [
        d
        for d in _find(docs, "Deployment")
        if d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component") == component
    ]


def _config(docs: list[dict]) -> dict[str, str]:
    (config,) = [d for d in _find(docs, "ConfigMap") if d["metadata"]["name"].startswith("fbrain-config")]
    return config["data"]


@pytest.mark.parametrize("build", BUILDS)
def test_every_container_has_requests_and_limits(rendered, build):
    for where, _, pod in _workloads(rendered[build]):
        for container in _containers(pod):
            resources = container.get("resources", {})
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    assert resource in resources.get(section, {}), (
                        f"{where}/{container['name']}: no {section}.{resource}"
                    )


@pytest.mark.parametrize("build", BUILDS)
def test_every_container_is_hardened(rendered, build):
    for where, _, pod in _workloads(rendered[build]):
        pod_security = pod.get("securityContext", {})
        assert pod_security.get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot"
        assert pod_security.get("runAsUser", 0) > 0, f"{where}: pod must name a non-root runAsUser"
        assert pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: pod seccomp"
        assert pod.get("automountServiceAccountToken") is False, f"{where}: API token mounted"
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC"), where
        assert not [v for v in pod.get("volumes", []) if "hostPath" in v], f"{where}: hostPath volume"
        for container in _containers(pod):
            name = f"{where}/{container['name']}"
            security = container.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation"
            assert security.get("readOnlyRootFilesystem") is True, f"{name}: readOnlyRootFilesystem"
            assert security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True, f"{name}: runAsNonRoot"
            assert security.get("privileged", False) is False, f"{name}: privileged"
            assert security.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: must drop ALL capabilities"
            assert not security.get("capabilities", {}).get("add"), f"{name}: adds capabilities"
            seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {}))
            assert seccomp.get("type") == "RuntimeDefault", f"{name}: seccomp"
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), f"{name}: unpinned image {image}"


@pytest.mark.parametrize("build", BUILDS)
def test_writable_paths_are_volumes_and_secrets_are_files(rendered, build):
    docs = rendered[build]
    config = _config(docs)
    for name in SECRET_VARS:
        assert name not in config and f"{name}_FILE" not in config, f"{name} belongs with the secret volume"
    for where, _, pod in _workloads(docs):
        for container in _containers(pod):
            mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{where}/{container['name']}: /tmp not writable"  # noqa: S108 (a mount path, not a temp file)
            assert mounts.get("/run/secrets/fbrain", {}).get("readOnly") is True, f"{where}: secrets mount"
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            assert not env.keys() & set(SECRET_VARS), f"{where}: secret passed as a plain env var"
            for name in SECRET_VARS:
                assert env.get(f"{name}_FILE") == f"/run/secrets/fbrain/{name}", (
                    f"{where}/{container['name']}: {name}_FILE"
                )
    for web in _component(docs, "web"):
        (container,) = web["spec"]["template"]["spec"]["containers"]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert config["PROMETHEUS_MULTIPROC_DIR"] in mounts, "PROMETHEUS_MULTIPROC_DIR needs its own volume"
        assert config["DATA_DIR"] in mounts, "DATA_DIR needs the shared volume"


@pytest.mark.parametrize("build", BUILDS)
def test_web_rolls_without_downtime_and_has_all_probes(rendered, build):
    docs = rendered[build]
    webs = _component(docs, "web")
    assert webs, "no web Deployment"
    for web in webs:
        track = web["spec"]["template"]["metadata"]["labels"].get("fbrain.io/track")
        minimum = 1 if track == "canary" else 2
        assert web["spec"].get("replicas", 1) >= minimum, f"{web['metadata']['name']}: replicas"
        strategy = web["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0
        (container,) = web["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert "command" not in container, "keep the image's entrypoint"
        assert container["args"] == ["/app/scripts/start-web.sh"]


@pytest.mark.parametrize("build", [b for b in BUILDS if b != "canary"])
def test_worker_is_autoscaled_and_beat_is_a_singleton(rendered, build):
    docs = rendered[build]
    (worker,) = _component(docs, "worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    assert "livenessProbe" in container and "startupProbe" in container, "worker probes"
    assert "replicas" not in worker["spec"], "the autoscaler owns the worker count"
    scalers = [
        d
        for d in docs
        if (d["kind"] == "HorizontalPodAutoscaler" or d["kind"] == "ScaledObject")
        and d["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    ]
    assert len(scalers) == 1, f"exactly one autoscaler for the worker, found {len(scalers)}"
    (beat,) = _component(docs, "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    (beat_container,) = beat["spec"]["template"]["spec"]["containers"]
    assert beat_container["args"] == ["/app/scripts/start-beat.sh"]
    assert {"name": "DATA_DIR", "value": "/tmp"} in beat_container["env"], "beat's schedule goes to its writable /tmp"  # noqa: S108
    assert not _find(docs, "HorizontalPodAutoscaler", beat["metadata"]["name"])


@pytest.mark.parametrize("build", BUILDS)
def test_migrations_run_in_a_job_and_pods_wait_for_them(rendered, build):
    docs = rendered[build]
    (job,) = [d for d in _find(docs, "Job") if d["metadata"]["name"].startswith("fbrain-migrate")]
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["args"] == ["/app/scripts/start-migrate.sh"]
    for deployment in _find(docs, "Deployment"):
        init = deployment["spec"]["template"]["spec"].get("initContainers", [])
        assert [c["name"] for c in init] == ["wait-for-migrations"], deployment["metadata"]["name"]


@pytest.mark.parametrize("build", [b for b in BUILDS if b != "canary"])
def test_disruption_budgets_cover_web_and_worker(rendered, build):
    docs = rendered[build]
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] for d in _find(docs, "PodDisruptionBudget")
    }
    assert budgets == {"web", "worker"}


@pytest.mark.parametrize("build", [b for b in BUILDS if b != "canary"])
def test_network_policies_isolate_pods_and_datastores(rendered, build):
    policies = {d["metadata"]["name"]: d["spec"] for d in _find(rendered[build], "NetworkPolicy")}
    fbrain_pods = {"app.kubernetes.io/part-of": "fbrain"}
    deny = policies["fbrain-default-deny"]
    assert deny["podSelector"]["matchLabels"] == fbrain_pods
    assert sorted(deny["policyTypes"]) == ["Egress", "Ingress"] and "ingress" not in deny and "egress" not in deny
    for name, spec in policies.items():
        for rule in spec.get("ingress", []):
            assert rule.get("from"), f"{name}: an ingress rule without 'from' admits everyone"
            assert rule.get("ports"), f"{name}: an ingress rule without ports"
    for name, datastore in (
        ("fbrain-db-only-from-fbrain", "cnpg.io/cluster"),
        ("fbrain-redis-only-from-fbrain", "app.kubernetes.io/instance"),
    ):
        spec = policies[name]
        own = spec["podSelector"]["matchLabels"]
        assert datastore in own
        assert spec["policyTypes"] == ["Ingress"]
        for rule in spec["ingress"]:
            for peer in rule["from"]:
                selector = peer.get("podSelector", {}).get("matchLabels")
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {})
                assert "ipBlock" not in peer, f"{name}: admits an address range"
                assert selector in (fbrain_pods, own) or namespace == {"kubernetes.io/metadata.name": "cnpg-system"}, (
                    f"{name}: admits {peer}"
                )
    (client_rule,) = [
        r
        for r in policies["fbrain-db-only-from-fbrain"]["ingress"]
        if r["from"][0].get("podSelector", {}).get("matchLabels") == fbrain_pods
    ]
    assert client_rule["ports"] == [{"protocol": "TCP", "port": 5432}]
    public = policies["fbrain-worker-public-egress"]["egress"][0]["to"][0]["ipBlock"]
    assert "169.254.0.0/16" in public["except"] and "10.0.0.0/8" in public["except"], "cloud metadata / private ranges"


@pytest.mark.parametrize("build", [b for b in BUILDS if b != "canary"])
def test_ingress_uses_tls_from_cert_manager_and_hides_metrics(rendered, build):
    docs = rendered[build]
    hosts = _config(docs)["PUBLIC_HOSTS"].split(",")
    main = _one(docs, "Ingress", "fbrain-web")
    assert main["metadata"]["annotations"].get("cert-manager.io/cluster-issuer"), "cert-manager issuer"
    assert [h for tls in main["spec"]["tls"] for h in tls["hosts"]] == hosts
    assert [rule["host"] for rule in main["spec"]["rules"]] == hosts
    hidden = _one(docs, "Ingress", "fbrain-web-internal-paths")
    assert hidden["metadata"]["annotations"]["nginx.ingress.kubernetes.io/whitelist-source-range"] == "127.0.0.1/32"
    assert [rule["host"] for rule in hidden["spec"]["rules"]] == hosts
    assert {p["path"] for rule in hidden["spec"]["rules"] for p in rule["http"]["paths"]} == {"/metrics"}
    service = _one(docs, "Service", "fbrain-web")
    assert service["spec"]["selector"]["fbrain.io/track"] == "stable", "the stable Service must not pick canary pods"


def test_canary_sends_a_weight_to_its_own_pods_only(rendered):
    canary, production = rendered["canary"], rendered["production"]
    ingress = _one(canary, "Ingress", "fbrain-web-canary")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary"] == "true"
    assert 0 <= int(annotations["nginx.ingress.kubernetes.io/canary-weight"]) <= 100
    assert "tls" not in ingress["spec"], "TLS stays with the production Ingress"
    (rule,) = ingress["spec"]["rules"]
    assert [rule["host"]] == [r["host"] for r in _one(production, "Ingress", "fbrain-web")["spec"]["rules"]]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "fbrain-web-canary"
    service = _one(canary, "Service", "fbrain-web-canary")
    assert service["spec"]["selector"]["fbrain.io/track"] == "canary"
    (web,) = _component(canary, "web")
    assert web["spec"]["template"]["metadata"]["labels"]["fbrain.io/track"] == "canary"
    assert {d["kind"] for d in canary} == {"ConfigMap", "Service", "Deployment", "Job", "Ingress"}, (
        "canary replaces web only"
    )
    assert {d["metadata"].get("namespace") for d in canary} == {
        _one(production, "Namespace", "fbrain")["metadata"]["name"]
    }
    assert _config(canary) == _config(production), "the canary must run with production's configuration"
    stable_image = _one(production, "Deployment", "fbrain-web")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] != stable_image, "the canary runs the new version"


@pytest.mark.parametrize("build", [b for b in BUILDS if b != "canary"])
def test_scrape_jobs_match_the_alert_rules(rendered, build):
    docs = rendered[build]
    service = _one(docs, "Service", "fbrain-web")
    monitor = _one(docs, "ServiceMonitor", "fbrain-web")
    assert service["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "web"
    (worker,) = _component(docs, "worker")
    pod_monitor = _one(docs, "PodMonitor", "fbrain-worker")
    assert worker["spec"]["template"]["metadata"]["labels"][pod_monitor["spec"]["jobLabel"]] == "celery"
    ports = {p["name"]: p["containerPort"] for p in worker["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert ports[pod_monitor["spec"]["podMetricsEndpoints"][0]["port"]] == 9808
    rules = "".join(path.read_text() for path in (REPO_ROOT / "prometheus/rules").glob("*.yml"))
    used = set(re.findall(r'job="([a-z_]+)"', rules))
    assert used <= {"web", "celery", "postgres", "redis", "node", "alertmanager", "prometheus"}, used


@pytest.mark.parametrize("build", OVERLAYS)
def test_every_container_runs_the_overlays_image(rendered, build):
    kustomization = yaml.safe_load((K8S_DIR / "overlays" / build / "kustomization.yaml").read_text())
    (image,) = [i for i in kustomization["images"] if i["name"] == "fbrain"]
    expected = f"{image['newName']}:{image['newTag']}" + (f"@{image['digest']}" if "digest" in image else "")
    for where, _, pod in _workloads(rendered[build]):
        for container in _containers(pod):
            assert container["image"] == expected, f"{where}/{container['name']}"


def test_prometheus_rule_matches_prometheus_rule_files():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/k8s/gen_prometheusrule.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
