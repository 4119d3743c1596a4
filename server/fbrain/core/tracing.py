"""OpenTelemetry tracing of Django, Celery, psycopg2 and redis, switched on only by OTEL_EXPORTER_OTLP_ENDPOINT.

Called once per process from config/celery_app.py, which every process imports (web through
config/__init__.py, worker, beat, manage.py). Spans go over OTLP/HTTP to the endpoint (Jaeger, an
OpenTelemetry Collector, Tempo...); the standard OTEL_* variables apply (OTEL_SERVICE_NAME,
OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES, ...). The Celery instrumentation injects the trace
context into each task message's headers, so a task's spans join the trace of the request that
queued it.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

logger = logging.getLogger(__name__)

_provider: TracerProvider | None = None


def tracing_enabled() -> bool:
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return bool(endpoint) and os.environ.get("OTEL_SDK_DISABLED", "").lower() != "true"


def default_service_name(argv: list[str]) -> str:
    """fbrain-worker / fbrain-beat for the Celery commands, fbrain-web otherwise."""
    for role in ("worker", "beat"):
        if role in argv[1:]:
            return f"fbrain-{role}"
    return "fbrain-web"


def configure_tracing(*, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Set up the tracer provider and instrument the libraries; a no-op unless tracing is enabled.

    `exporter` replaces the OTLP exporter (tests pass an in-memory one). Idempotent.
    """
    global _provider
    if _provider is not None:
        return _provider
    if exporter is None and not tracing_enabled():
        return None

    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {"service.version": os.environ.get("APP_VERSION", "dev")}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = default_service_name(sys.argv)
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    # The batch processor's thread is re-created in forked children (gunicorn workers, prefork pool).
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrument(provider)
    _provider = provider
    logger.info("tracing enabled", extra={"service": provider.resource.attributes.get("service.name")})
    return provider


def instrument(provider: TracerProvider) -> None:
    """Instrument Django (adds its middleware to settings.MIDDLEWARE), Celery, psycopg2 and redis."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    DjangoInstrumentor().instrument(tracer_provider=provider, excluded_urls="healthz,readyz,metrics")
    CeleryInstrumentor().instrument(tracer_provider=provider)
    # skip_dep_check: psycopg2-binary provides the psycopg2 module the instrumentation wraps.
    Psycopg2Instrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    RedisInstrumentor().instrument(tracer_provider=provider)
