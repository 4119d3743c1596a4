"""Tracing: off without an OTLP endpoint; with it, one trace covers a request and the task it queues."""

from __future__ import annotations

import time

import pytest
from django.http import HttpRequest, JsonResponse
from django.urls import path
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from fbrain.core import tracing
from fbrain.core.tasks import ping


def queue_ping(request: HttpRequest) -> JsonResponse:
    result = ping.delay("traced")
    return JsonResponse({"task_id": result.id})


urlpatterns = [path("queue-ping", queue_ping, name="queue-ping")]


@pytest.fixture
def no_otel_env(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)


def test_tracing_is_off_without_an_endpoint(no_otel_env, monkeypatch):
    monkeypatch.setattr(tracing, "_provider", None)

    assert tracing.tracing_enabled() is False
    assert tracing.configure_tracing() is None


def test_tracing_is_on_with_an_endpoint_unless_disabled(no_otel_env, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")
    assert tracing.tracing_enabled() is True

    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.tracing_enabled() is False


def test_configure_tracing_names_the_service_and_instruments_once(no_otel_env, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setattr(tracing, "_provider", None)
    monkeypatch.setattr(tracing.sys, "argv", ["celery", "-A", "config", "worker"])
    calls: list[TracerProvider] = []
    monkeypatch.setattr(tracing, "instrument", calls.append)
    monkeypatch.setattr("opentelemetry.trace.set_tracer_provider", lambda provider: None)

    provider = tracing.configure_tracing(exporter=InMemorySpanExporter())

    assert provider is not None
    assert provider.resource.attributes["service.name"] == "fbrain-worker"
    assert tracing.configure_tracing() is provider
    assert calls == [provider]


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["gunicorn", "config.wsgi:application"], "fbrain-web"),
        (["celery", "-A", "config", "beat"], "fbrain-beat"),
        (["manage.py", "migrate"], "fbrain-web"),
    ],
)
def test_default_service_name(argv, name):
    assert tracing.default_service_name(argv) == name


@pytest.fixture
def traced():
    """Django and Celery instrumented into an in-memory exporter, without touching the global provider."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    DjangoInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    try:
        yield exporter
    finally:
        CeleryInstrumentor().uninstrument()
        DjangoInstrumentor().uninstrument()


@pytest.mark.urls(__name__)
def test_one_trace_covers_the_request_and_the_task_it_queues(traced, celery_worker, client):
    response = client.get("/queue-ping")
    assert response.status_code == 200

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        spans = traced.get_finished_spans()
        if any(s.kind is SpanKind.CONSUMER for s in spans):
            break
        time.sleep(0.05)
    spans = traced.get_finished_spans()
    request_span = next(s for s in spans if s.kind is SpanKind.SERVER)
    publish_span = next(s for s in spans if s.kind is SpanKind.PRODUCER)
    run_span = next(s for s in spans if s.kind is SpanKind.CONSUMER)

    assert publish_span.name == "apply_async/fbrain.core.tasks.ping"
    assert run_span.name == "run/fbrain.core.tasks.ping"
    assert {request_span.context.trace_id, publish_span.context.trace_id, run_span.context.trace_id} == {
        request_span.context.trace_id
    }
    assert publish_span.parent.span_id == request_span.context.span_id
    # The task ran in the worker thread from the message: the link is the propagated header.
    assert run_span.parent.span_id == publish_span.context.span_id
    assert run_span.parent.is_remote
