/* Graph page: draws notes and links with force-graph; click opens a note. Tuned to stay usable at 5 000 notes. */
(function () {
  "use strict";
  var box = document.getElementById("graph");
  var status = document.getElementById("graph-status");
  if (!box || typeof window.ForceGraph !== "function") return;

  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  // force-graph puts a string label into the tooltip as HTML; an element is inserted as it is. Titles come
  // from captured pages and imported file names, so they go in as text, never as markup.
  function textLabel(text) {
    var label = document.createElement("span");
    label.textContent = text;
    return label;
  }

  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      var large = data.nodes.length > 1500;
      var degree = {};
      data.links.forEach(function (link) {
        degree[link.source] = (degree[link.source] || 0) + 1;
        degree[link.target] = (degree[link.target] || 0) + 1;
      });
      var text = data.shown + " notes, " + data.links.length + " links";
      if (data.shown < data.count) text += " (showing the first " + data.shown + " of " + data.count + " notes)";
      if (data.links_truncated) text += "; some links left out";
      status.textContent = data.nodes.length ? text + "." : "No notes to draw yet.";
      if (!data.nodes.length) return;

      var accent = cssVar("--accent"), warn = cssVar("--warn"), muted = cssVar("--muted"), fg = cssVar("--fg");
      var noteUrl = box.dataset.noteUrl;
      var graph = new window.ForceGraph(box)
        .width(box.clientWidth)
        .height(box.clientHeight)
        .graphData(data)
        .nodeId("id")
        .nodeLabel(function (node) { return textLabel(node.title); })
        .nodeVal(function (node) { return 1 + Math.min(degree[node.id] || 0, 20); })
        .nodeRelSize(large ? 2 : 4)
        .nodeColor(function (node) { return node.kind === "bookmark" ? warn : accent; })
        .linkColor(function () { return muted; })
        .linkWidth(large ? 0.4 : 1)
        .cooldownTicks(large ? 120 : 300)
        .d3AlphaDecay(large ? 0.05 : 0.0228)
        .warmupTicks(large ? 20 : 0)
        .onNodeClick(function (node) { window.location.href = noteUrl.replace("/0/", "/" + node.id + "/"); });
      if (!large) {
        graph.nodeCanvasObjectMode(function () { return "after"; })
          .nodeCanvasObject(function (node, ctx, scale) {
            if (scale < 1.2) return;
            ctx.font = 11 / scale + "px system-ui, sans-serif";
            ctx.fillStyle = fg;
            ctx.textAlign = "center";
            ctx.fillText(node.title.slice(0, 40), node.x, node.y + 10 / scale + 4);
          });
      }
      var fitted = false;
      graph.onEngineStop(function () {
        if (fitted) return;
        fitted = true;
        graph.zoomToFit(0, 40);
        box.dataset.ready = "true";
      });
      window.addEventListener("resize", function () { graph.width(box.clientWidth).height(box.clientHeight); });
      window.fbrainGraph = graph;
    })
    .catch(function (error) { status.textContent = "The graph could not be loaded (" + error.message + ")."; });
})();
