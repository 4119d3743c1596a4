"""Graph page: an interactive force-directed graph of notes and links (force-graph on a canvas)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fbrain.core.validation import page_params
from fbrain.features.flags import GRAPH_VIEW, feature_required
from fbrain.notes import selectors
from fbrain.web.params import TagFilterParams

# The browser draws up to this many notes; beyond it the page says how many were left out.
MAX_NODES = 5000
BATCH = 1000


@login_required
@require_GET
@feature_required(GRAPH_VIEW)
def graph_page(request: HttpRequest) -> HttpResponse:
    tag = page_params(TagFilterParams, request).get("tag", "")
    tags = selectors.tag_list(owner=request.user).values_list("name", flat=True)
    return render(request, "web/graph.html", {"tag": tag, "tags": list(tags)})


@login_required
@require_GET
@feature_required(GRAPH_VIEW)
def graph_data(request: HttpRequest) -> JsonResponse:
    """Nodes and links for the graph, fetched in batches from the selector (a few queries per 1000 notes)."""
    tag = page_params(TagFilterParams, request).get("tag")
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, int]] = []
    truncated = False
    count = 0
    for offset in range(0, MAX_NODES, BATCH):
        page = selectors.graph(owner=request.user, tag=tag, offset=offset, limit=BATCH)
        count = page["count"]
        nodes += page["nodes"]
        links += page["edges"]
        truncated = truncated or page["edges_truncated"]
        if not page["has_next"]:
            break
    shown = {node["id"] for node in nodes}
    links = [link for link in links if link["target"] in shown]
    return JsonResponse(
        {
            "nodes": [{"id": n["id"], "title": n["title"], "kind": n["kind"]} for n in nodes],
            "links": links,
            "count": count,
            "shown": len(nodes),
            "links_truncated": truncated,
        }
    )
