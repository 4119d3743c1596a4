"""/metrics answers Prometheus on private networks only."""

from fbrain.core.views import _client_allowed


def test_metrics_are_served_to_loopback(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests_before_middlewares_total" in response.content


def test_metrics_are_refused_to_public_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_ipv4_mapped_and_garbage_addresses(rf):
    assert _client_allowed(rf.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3"))
    assert not _client_allowed(rf.get("/metrics", REMOTE_ADDR="::ffff:8.8.8.8"))
    assert not _client_allowed(rf.get("/metrics", REMOTE_ADDR="not-an-ip"))
