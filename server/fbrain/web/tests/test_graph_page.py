"""Graph page and its data."""

from fbrain.notes import services


def test_graph_page_loads_its_scripts_and_tag_filter(signed_in, member):
    services.note_create(owner=member, title="A", body="#topic")
    html = signed_in.get("/graph/?tag=topic").content.decode()
    assert "vendor/force-graph/force-graph.min.js" in html
    assert 'data-url="/graph/data?tag=topic"' in html
    assert '<option value="topic" selected>' in html


def test_graph_data_has_nodes_and_links(signed_in, member):
    a = services.note_create(owner=member, title="A", body="[[B]] #topic")
    b = services.note_create(owner=member, title="B", body="#topic")
    services.note_create(owner=member, title="C", body="[[A]]")
    data = signed_in.get("/graph/data").json()
    assert data["count"] == data["shown"] == 3
    assert {"source": a.pk, "target": b.pk} in data["links"]
    filtered = signed_in.get("/graph/data?tag=topic").json()
    assert {node["title"] for node in filtered["nodes"]} == {"A", "B"}
    assert filtered["links"] == [{"source": a.pk, "target": b.pk}]


def test_graph_data_batches_and_caps(signed_in, member, monkeypatch):
    from fbrain.web.views import graph

    monkeypatch.setattr(graph, "BATCH", 2)
    monkeypatch.setattr(graph, "MAX_NODES", 4)
    for number in range(5):
        services.note_create(owner=member, title=f"N{number}", body=f"[[N{(number + 1) % 5}]]")
    data = signed_in.get("/graph/data").json()
    assert (data["count"], data["shown"]) == (5, 4)
    shown = {node["id"] for node in data["nodes"]}
    assert all(link["target"] in shown for link in data["links"])
