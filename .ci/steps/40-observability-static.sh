#!/usr/bin/env bash
# 40-observability-static.sh - offline checks of the monitoring configuration (issue 7):
#   1. promtool check config prometheus/prometheus.yml; promtool check rules prometheus/rules/*.yml
#   2. promtool test rules prometheus/tests/*.yml (every alert fires and stays silent when it should)
#   3. rule conventions: severity, service, summary/description/runbook_url, runbook anchors, test coverage
#   4. Alertmanager: render the config for no receiver / webhook / webhook+e-mail, amtool check-config
#      each, and amtool config routes test for the severity routing
#   5. dashboards: generated JSON up to date, project conventions, Grafana schema (@grafana/schema + tsc)
# Tools: Debian's prometheus (promtool) and prometheus-alertmanager (amtool), node/npm, PyYAML in
# .cache/tools-venv. Budget: <= 2 minutes (about 30 s once the tools are installed).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

VENV=.cache/tools-venv
REQ=.ci/requirements/observability.txt
failures=0
say() { printf -- '--- %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

apt_install() {
  if [ ! -f /tmp/.fbrain-apt-updated ]; then apt-get update -qq && touch /tmp/.fbrain-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------- tools (idempotent)
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v npm >/dev/null || need+=(nodejs npm)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} from Debian"
  apt_install "${need[@]}"
  # The packages may start their daemons where an init system runs; CI starts its own instances.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus prometheus-alertmanager prometheus-node-exporter >/dev/null 2>&1 || true
  fi
fi
stamp="$VENV/.observability-$(sha256sum "$REQ" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing $REQ into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  touch "$stamp"
fi
PY="$VENV/bin/python"

# ---------------------------------------------------------------- 1-2. promtool
say "$(promtool --version 2>&1 | head -1)"
promtool check config prometheus/prometheus.yml || fail "promtool check config"
promtool check rules prometheus/rules/*.yml || fail "promtool check rules"
promtool test rules prometheus/tests/*.yml || fail "promtool test rules"

# ---------------------------------------------------------------- 3. rule conventions
"$PY" scripts/observability/check_rules.py || fail "rule conventions"

# ---------------------------------------------------------------- 4. Alertmanager
say "$(amtool --version 2>&1 | head -1)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
render() {  # render NAME [VAR=value...]
  local name=$1; shift
  env -i PATH="$PATH" "$@" sh prometheus/alertmanager/render-config.sh \
    prometheus/alertmanager/alertmanager.yml "$tmp/$name.yml"
}
render none
render webhook ALERTMANAGER_WEBHOOK_URL='http://alert-webhook:9095/hook?a=1&b=2'
render full ALERTMANAGER_WEBHOOK_URL=http://alert-webhook:9095/hook ALERTMANAGER_EMAIL_TO=ops@example.org \
  ALERTMANAGER_SMTP_SMARTHOST=smtp.example.org:587 ALERTMANAGER_SMTP_FROM=alerts@example.org \
  ALERTMANAGER_SMTP_USERNAME=alerts "ALERTMANAGER_SMTP_PASSWORD=p'a|s&s"
for variant in none webhook full; do
  amtool check-config "$tmp/$variant.yml" >/dev/null || fail "amtool check-config ($variant receivers)"
done
grep -q 'smtp_auth_password: '"'"'p'"''"'a|s&s'"'" "$tmp/full.yml" || fail "render-config.sh escaping"
route_is() {  # route_is EXPECTED label=value...
  local expected=$1; shift
  local got
  got=$(amtool config routes test --config.file="$tmp/full.yml" "$@" 2>/dev/null)
  [ "$got" = "$expected" ] || fail "route for $* is '$got', expected '$expected'"
}
route_is critical severity=critical alertname=WebDown
route_is warning severity=warning alertname=CeleryQueueBacklog
route_is blackhole severity=info alertname=Anything
route_is default alertname=NoSeverity
echo "alertmanager: 3 receiver variants valid, severity routes as expected"

# ---------------------------------------------------------------- 5. dashboards
"$PY" scripts/observability/build_dashboards.py --check || fail "dashboards out of date"
"$PY" scripts/observability/check_dashboards.py || fail "dashboard check"

if [ "$failures" -gt 0 ]; then
  echo "observability static: $failures check(s) FAILED"
  exit 1
fi
echo "observability static: all checks passed"
