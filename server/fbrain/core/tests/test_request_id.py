"""Request ids: accepted from clients when sane, generated otherwise, echoed back."""

from fbrain.core.request_id import make_request_id


def test_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_request_id_is_generated_when_missing(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_unsafe_request_ids_are_replaced():
    assert make_request_id("x" * 300) != "x" * 300
    assert make_request_id("bad id\nwith newline") != "bad id\nwith newline"
    assert make_request_id("ok:id.1_2") == "ok:id.1_2"
