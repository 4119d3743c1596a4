#!/usr/bin/env bash
# release-build.sh - build the release image for a git tag, locally, exactly as the tag's tree.
#
# Usage: scripts/release-build.sh vX.Y.Z [--no-latest] [--image NAME]
#
# Builds the tree of the tag (git archive, so uncommitted changes never leak in) and tags it
#   NAME:X.Y.Z  NAME:X.Y  NAME:latest        (NAME defaults to $RELEASE_IMAGE or "fbrain")
# A pre-release tag (vX.Y.Z-rc.1) only gets NAME:X.Y.Z-rc.1. OCI labels come from the tag:
#   org.opencontainers.image.version   X.Y.Z
#   org.opencontainers.image.revision  full commit SHA of the tag
#   org.opencontainers.image.created   the tag's commit time (UTC, RFC 3339; reproducible)
#   org.opencontainers.image.source    $RELEASE_SOURCE, else the GitHub/origin URL
# The same values go in as build args VERSION, REVISION, CREATED and SOURCE (the app shows
# VERSION/REVISION in /api/v1/status). Finally every tag is checked with `docker inspect`.
# The GitHub release workflow does the same with docker/metadata-action; this is the local twin.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

tag="" latest=1 image="${RELEASE_IMAGE:-fbrain}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-latest) latest=0 ;;
    --image) image="${2:?--image needs a name}"; shift ;;
    -h|--help) usage 0 ;;
    -*) echo "release-build: unknown option $1" >&2; usage ;;
    *) [ -z "$tag" ] || usage; tag="$1" ;;
  esac
  shift
done
[ -n "$tag" ] || usage

if ! [[ "$tag" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release-build: tag must look like vX.Y.Z or vX.Y.Z-rc.N (got '$tag')" >&2
  exit 2
fi
major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}" prerelease="${BASH_REMATCH[4]}"
version="${tag#v}"

cd "$(git rev-parse --show-toplevel)"
if ! git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  echo "release-build: no git tag '$tag' here (create it with: git tag -a $tag -m '$tag')" >&2
  exit 1
fi
if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  echo "release-build: no working Docker engine (docker info failed)" >&2
  exit 1
fi

revision="$(git rev-parse "$tag^{commit}")"
created="$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd "$revision")"
source_url="${RELEASE_SOURCE:-}"
if [ -z "$source_url" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
  source_url="${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY"
fi
if [ -z "$source_url" ]; then
  origin="$(git config --get remote.origin.url || true)"
  case "$origin" in
    git@*:*) host="${origin#git@}"; source_url="https://${host%%:*}/${host#*:}" ;;
    https://*) source_url="$origin" ;;
    "") source_url="unknown" ;;
    *) source_url="file://$(cd "$origin" 2>/dev/null && pwd || echo "$origin")" ;;
  esac
  source_url="${source_url%.git}"
fi

tags=("$image:$version")
if [ -z "$prerelease" ]; then
  tags+=("$image:$major.$minor")
  [ "$latest" = 1 ] && tags+=("$image:latest")
fi

context="$(mktemp -d "${TMPDIR:-/tmp}/fbrain-release.XXXXXX")"
trap 'rm -rf "$context"' EXIT
git archive --format=tar "$revision" | tar -x -C "$context"
[ -f "$context/Dockerfile" ] || { echo "release-build: $tag has no Dockerfile" >&2; exit 1; }

declare -A labels=(
  [org.opencontainers.image.version]="$version"
  [org.opencontainers.image.revision]="$revision"
  [org.opencontainers.image.created]="$created"
  [org.opencontainers.image.source]="$source_url"
)
args=(build --pull=false
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision"
  --build-arg "CREATED=$created" --build-arg "SOURCE=$source_url")
for key in "${!labels[@]}"; do args+=(--label "$key=${labels[$key]}"); done
for t in "${tags[@]}"; do args+=(--tag "$t"); done

echo "release-build: $tag -> ${tags[*]} (revision ${revision:0:12}, created $created)"
start=$SECONDS
DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-1}" docker "${args[@]}" "$context"
echo "release-build: built in $((SECONDS - start)) s"

status=0
for t in "${tags[@]}"; do
  for key in "${!labels[@]}"; do
    got="$(docker inspect --format "{{ index .Config.Labels \"$key\" }}" "$t")"
    if [ "$got" != "${labels[$key]}" ]; then
      echo "release-build: FAIL $t label $key = '$got', want '${labels[$key]}'" >&2
      status=1
    fi
  done
done
id="$(docker inspect --format '{{.Id}}' "${tags[0]}")"
for t in "${tags[@]}"; do
  [ "$(docker inspect --format '{{.Id}}' "$t")" = "$id" ] || { echo "release-build: FAIL $t is not ${tags[0]}" >&2; status=1; }
done
[ "$status" = 0 ] || exit 1
echo "release-build: OK ${tags[*]} = ${id:7:12}"
docker inspect --format '{{ range $k, $v := .Config.Labels }}{{ $k }}={{ $v }}{{ "\n" }}{{ end }}' "${tags[0]}" \
  | grep '^org.opencontainers.image.' | sed 's/^/  /'
