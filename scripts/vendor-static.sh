#!/usr/bin/env bash
# vendor-static.sh - copy the browser libraries F_BRAIN serves into server/static/vendor/, at pinned versions.
# Runs npm only here, on a developer's machine: the files it writes are committed, so running the site needs
# no npm. Re-run after changing a version below, check the diff, commit server/static/vendor/.
#   htmx.org    - hx-* attributes for server-rendered interactivity (BSD-2-Clause)
#   force-graph - canvas force-directed graph for the graph page; its UMD bundle includes d3 (MIT)
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

HTMX_VERSION=2.0.11
FORCE_GRAPH_VERSION=1.52.0
DEST=server/static/vendor

command -v npm >/dev/null || { echo "vendor-static.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked in $work/NAME/package
  mkdir -p "$work/$1"
  (cd "$work/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

fetch htmx.org "$HTMX_VERSION"
fetch force-graph "$FORCE_GRAPH_VERSION"

rm -rf "$DEST"
mkdir -p "$DEST/htmx" "$DEST/force-graph"
cp "$work/htmx.org/package/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
cp "$work/htmx.org/package/LICENSE" "$DEST/htmx/LICENSE"
cp "$work/force-graph/package/dist/force-graph.min.js" "$DEST/force-graph/force-graph.min.js"
cp "$work/force-graph/package/LICENSE" "$DEST/force-graph/LICENSE"

cat > "$DEST/VERSIONS" <<TXT
# Written by scripts/vendor-static.sh; do not edit by hand.
htmx.org $HTMX_VERSION
force-graph $FORCE_GRAPH_VERSION
TXT
(cd "$DEST" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $DEST:"
cat "$DEST/VERSIONS" | grep -v '^#'
