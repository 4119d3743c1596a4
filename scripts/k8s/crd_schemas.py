"""Strict JSON schemas for the custom resources F_BRAIN ships (not in the core Kubernetes schemas).

kubernetes-validate only knows built-in kinds. These schemas cover the fields of each CRD that
F_BRAIN uses or is likely to use, written from the CRDs' published API references (Prometheus
Operator monitoring.coreos.com/v1, External Secrets Operator external-secrets.io/v1, KEDA
keda.sh/v1alpha1). Like `--strict`, they reject unknown fields, so a typo fails CI instead of
being silently dropped by the API server. A field they lack can be added here with its type.
"""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_DURATION = {"type": "string", "pattern": r"^(0|([0-9]+(ms|s|m|h|d|w|y))+)$"}
_DNS_NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253}


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


_METADATA = _closed(
    {"name": _DNS_NAME, "namespace": _DNS_NAME, "labels": _STR_MAP, "annotations": _STR_MAP},
    ["name"],
)
_LABEL_SELECTOR = _closed(
    {
        "matchLabels": _STR_MAP,
        "matchExpressions": {
            "type": "array",
            "items": _closed(
                {
                    "key": _STR,
                    "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                    "values": {"type": "array", "items": _STR},
                },
                ["key", "operator"],
            ),
        },
    }
)
_NAMESPACE_SELECTOR = _closed({"any": {"type": "boolean"}, "matchNames": {"type": "array", "items": _STR}})
_RELABELINGS = {"type": "array", "items": {"type": "object"}}
_PORT = {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1, "maximum": 65535}]}
_SCRAPE_COMMON = {
    "path": {"type": "string", "pattern": "^/"},
    "scheme": {"enum": ["http", "https", "HTTP", "HTTPS"]},
    "interval": _DURATION,
    "scrapeTimeout": _DURATION,
    "honorLabels": {"type": "boolean"},
    "honorTimestamps": {"type": "boolean"},
    "params": {"type": "object"},
    "relabelings": _RELABELINGS,
    "metricRelabelings": _RELABELINGS,
    "tlsConfig": {"type": "object"},
    "followRedirects": {"type": "boolean"},
    "enableHttp2": {"type": "boolean"},
}


def _resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return _closed(
        {"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": _METADATA, "spec": spec},
        ["apiVersion", "kind", "metadata", "spec"],
    )


SERVICE_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    _closed(
        {
            "selector": _LABEL_SELECTOR,
            "namespaceSelector": _NAMESPACE_SELECTOR,
            "jobLabel": _STR,
            "targetLabels": {"type": "array", "items": _STR},
            "podTargetLabels": {"type": "array", "items": _STR},
            "sampleLimit": {"type": "integer", "minimum": 0},
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": _closed({"port": _STR, "targetPort": _PORT, **_SCRAPE_COMMON}),
            },
        },
        ["selector", "endpoints"],
    ),
)

POD_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "PodMonitor",
    _closed(
        {
            "selector": _LABEL_SELECTOR,
            "namespaceSelector": _NAMESPACE_SELECTOR,
            "jobLabel": _STR,
            "podTargetLabels": {"type": "array", "items": _STR},
            "sampleLimit": {"type": "integer", "minimum": 0},
            "podMetricsEndpoints": {
                "type": "array",
                "minItems": 1,
                "items": _closed({"port": _STR, "portNumber": {"type": "integer"}, **_SCRAPE_COMMON}),
            },
        },
        ["selector", "podMetricsEndpoints"],
    ),
)

_RULE = {
    "type": "object",
    "properties": {
        "record": {"type": "string", "pattern": r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"},
        "alert": {"type": "string", "minLength": 1},
        "expr": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]},
        "for": _DURATION,
        "keep_firing_for": _DURATION,
        "labels": _STR_MAP,
        "annotations": _STR_MAP,
    },
    "additionalProperties": False,
    "required": ["expr"],
    "oneOf": [{"required": ["record"]}, {"required": ["alert"]}],
}

PROMETHEUS_RULE = _resource(
    "monitoring.coreos.com/v1",
    "PrometheusRule",
    _closed(
        {
            "groups": {
                "type": "array",
                "items": _closed(
                    {
                        "name": {"type": "string", "minLength": 1},
                        "interval": _DURATION,
                        "query_offset": _DURATION,
                        "limit": {"type": "integer", "minimum": 0},
                        "labels": _STR_MAP,
                        "partial_response_strategy": _STR,
                        "rules": {"type": "array", "items": _RULE},
                    },
                    ["name", "rules"],
                ),
            }
        },
        ["groups"],
    ),
)

_REMOTE_REF = _closed(
    {
        "key": {"type": "string", "minLength": 1},
        "property": _STR,
        "version": _STR,
        "conversionStrategy": {"enum": ["Default", "Unicode"]},
        "decodingStrategy": {"enum": ["Auto", "Base64", "Base64URL", "None"]},
        "metadataPolicy": {"enum": ["None", "Fetch"]},
    },
    ["key"],
)

EXTERNAL_SECRET = _resource(
    "external-secrets.io/v1",
    "ExternalSecret",
    _closed(
        {
            "refreshInterval": _DURATION,
            "secretStoreRef": _closed(
                {"name": _DNS_NAME, "kind": {"enum": ["SecretStore", "ClusterSecretStore"]}}, ["name"]
            ),
            "target": _closed(
                {
                    "name": _DNS_NAME,
                    "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                    "deletionPolicy": {"enum": ["Delete", "Merge", "Retain"]},
                    "immutable": {"type": "boolean"},
                    "template": {"type": "object"},
                }
            ),
            "data": {
                "type": "array",
                "items": _closed(
                    {"secretKey": {"type": "string", "minLength": 1}, "remoteRef": _REMOTE_REF},
                    ["secretKey", "remoteRef"],
                ),
            },
            "dataFrom": {"type": "array", "items": {"type": "object"}},
        },
        ["secretStoreRef"],
    ),
)

_SECRET_TARGET_REF = _closed(
    {"parameter": {"type": "string", "minLength": 1}, "name": _DNS_NAME, "key": {"type": "string", "minLength": 1}},
    ["parameter", "name", "key"],
)

TRIGGER_AUTHENTICATION = _resource(
    "keda.sh/v1alpha1",
    "TriggerAuthentication",
    _closed(
        {
            "secretTargetRef": {"type": "array", "items": _SECRET_TARGET_REF},
            "env": {"type": "array", "items": {"type": "object"}},
            "podIdentity": {"type": "object"},
            "hashiCorpVault": {"type": "object"},
        }
    ),
)

SCALED_OBJECT = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    _closed(
        {
            "scaleTargetRef": _closed(
                {"name": _DNS_NAME, "kind": _STR, "apiVersion": _STR, "envSourceContainerName": _STR}, ["name"]
            ),
            "pollingInterval": {"type": "integer", "minimum": 1},
            "cooldownPeriod": {"type": "integer", "minimum": 0},
            "initialCooldownPeriod": {"type": "integer", "minimum": 0},
            "idleReplicaCount": {"type": "integer", "minimum": 0},
            "minReplicaCount": {"type": "integer", "minimum": 0},
            "maxReplicaCount": {"type": "integer", "minimum": 1},
            "fallback": {"type": "object"},
            "advanced": _closed(
                {
                    "restoreToOriginalReplicaCount": {"type": "boolean"},
                    "horizontalPodAutoscalerConfig": _closed({"name": _DNS_NAME, "behavior": {"type": "object"}}),
                    "scalingModifiers": {"type": "object"},
                }
            ),
            "triggers": {
                "type": "array",
                "minItems": 1,
                "items": _closed(
                    {
                        "type": {"type": "string", "minLength": 1},
                        "name": _STR,
                        "metadata": _STR_MAP,
                        "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                        "useCachedMetrics": {"type": "boolean"},
                        "authenticationRef": _closed(
                            {
                                "name": _DNS_NAME,
                                "kind": {"enum": ["TriggerAuthentication", "ClusterTriggerAuthentication"]},
                            },
                            ["name"],
                        ),
                    },
                    ["type", "metadata"],
                ),
            },
        },
        ["scaleTargetRef", "triggers"],
    ),
)

# (apiVersion, kind) -> schema. A custom kind not listed here fails validation on purpose.
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PodMonitor"): POD_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
    ("external-secrets.io/v1", "ExternalSecret"): EXTERNAL_SECRET,
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): TRIGGER_AUTHENTICATION,
}
