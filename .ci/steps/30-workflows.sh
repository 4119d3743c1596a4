#!/usr/bin/env bash
# 30-workflows.sh - delivery checks: GitHub workflows, repository config and release tooling.
#   1. actionlint (with shellcheck on every `run:` script) on .github/workflows/*.yml
#   2. JSON schemas (vendored in check-jsonschema, no network): GitHub workflows, Dependabot,
#      issue forms and the issue-template chooser
#   3. pinning policy: third-party actions use a full commit SHA with a `# vX.Y.Z` comment;
#      only the secret-free allowlist below may use an exact version tag
#   4. pre-commit validate-config, shellcheck of the release scripts
#   5. scripts/release-notes.py on a throw-away git history (grouping, CHANGELOG insertion)
#   6. release build: scripts/release-build.sh on a local tag in a scratch clone, checked with
#      docker inspect - only when a Docker engine already answers (skipped loudly otherwise,
#      or when SKIP_RELEASE_BUILD is set, as in the GitHub lint job where the build job builds)
# Budget: ~1 min without the release build (the tools install once into .cache/tools-venv).
# `--release-build-only` runs part 6 alone (for a step placed after the one that starts Docker).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
repo=$PWD

VENV=.cache/tools-venv
REQ=.ci/requirements/delivery.txt
TAG_PINNED_ALLOWED='^grafana/(setup|run)-k6-action@v[0-9]+\.[0-9]+\.[0-9]+$'
RELEASE_BUILD_BUDGET=${RELEASE_BUILD_BUDGET:-180}
started=$SECONDS
failures=0
only_release_build=0
[ "${1:-}" = --release-build-only ] && only_release_build=1

say() { printf -- '--- %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

scratch="$(mktemp -d "${TMPDIR:-/tmp}/fbrain-delivery.XXXXXX")"
cleanup() {
  rm -rf "$scratch"
  if [ -n "${release_image:-}" ]; then
    docker image ls --format '{{.Repository}}:{{.Tag}}' "$release_image" 2>/dev/null \
      | xargs -r docker image rm -f >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
static_checks() {
  # ---------------------------------------------------------------- tools (idempotent)
  stamp="$VENV/.delivery-$(sha256sum "$REQ" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing $REQ into $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
    touch "$stamp"
  fi
  export PATH="$PWD/$VENV/bin:$PATH"

  # ---------------------------------------------------------------- 1. actionlint
  say "actionlint $(actionlint --version | head -1)"
  if actionlint -color=false; then echo "actionlint: OK"; else fail "actionlint"; fi

  # ---------------------------------------------------------------- 2. schemas
  say "JSON schemas"
  check() {
    local schema=$1; shift
    if check-jsonschema --builtin-schema "$schema" "$@"; then :; else fail "$schema: $*"; fi
  }
  check vendor.github-workflows .github/workflows/*.yml
  [ -f .github/dependabot.yml ] && check vendor.dependabot .github/dependabot.yml
  forms=()
  for f in .github/ISSUE_TEMPLATE/*.yml; do
    [ -e "$f" ] || continue
    [ "$(basename "$f")" = config.yml ] || forms+=("$f")
  done
  [ ${#forms[@]} -eq 0 ] || check vendor.github-issue-forms "${forms[@]}"
  [ -f .github/ISSUE_TEMPLATE/config.yml ] && check vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml

  # ---------------------------------------------------------------- 3. pinning policy
  say "action pinning"
  pins=0
  while IFS=: read -r file line ref; do
    ref="${ref#*uses:}"
    ref="$(sed -E 's/^[[:space:]]*["'\'']?//; s/["'\'']?[[:space:]]*(#.*)?$//' <<< "$ref")"
    case "$ref" in ./*|docker://*) continue ;; esac
    pins=$((pins + 1))
    if [[ "$ref" =~ @[0-9a-f]{40}$ ]]; then
      sed -n "${line}p" "$file" | grep -qE '#[[:space:]]*v?[0-9]+\.[0-9]+\.[0-9]+' \
        || fail "$file:$line: $ref is pinned to a SHA without a '# vX.Y.Z' comment"
    elif [[ "$ref" =~ $TAG_PINNED_ALLOWED ]]; then
      :
    else
      fail "$file:$line: '$ref' must be pinned to a full commit SHA (docs/delivery.md#pinned-actions)"
    fi
  done < <(grep -nE '^[[:space:]]*(-[[:space:]]+)?uses:' .github/workflows/*.yml)
  echo "action pins checked: $pins"

  # ---------------------------------------------------------------- 4. pre-commit + scripts
  say "pre-commit config, shell scripts"
  if pre-commit validate-config .pre-commit-config.yaml; then echo "pre-commit config: OK"; else fail "pre-commit config"; fi
  if shellcheck scripts/release-build.sh .ci/steps/30-workflows.sh; then echo "shellcheck: OK"; else fail "shellcheck"; fi
  python3 -m py_compile scripts/release-notes.py || fail "release-notes.py does not compile"

  # ---------------------------------------------------------------- 5. release notes on a fake history
  say "release notes"
  notes_repo="$scratch/notes"
  git init -q "$notes_repo"
  notes_check() {
    local script=$PWD/scripts/release-notes.py
    cd "$notes_repo"
    git config user.email ci@example.invalid && git config user.name ci
    commit() { git commit -q --allow-empty -m "$1" ${2:+-m "$2"}; }
    commit "core: Add health endpoints" && git tag v0.1.0
    commit "notes: Add backlinks panel"
    commit "notes: Fix tag parsing of unicode names."
    commit "feat(api): support cursor pagination"
    commit "fix: crash on an empty body"
    commit "ci: Add workflow schema check"
    commit "bookmarks: Harden the fetcher against SSRF"
    commit "transfer: Remove the legacy zip format"
    commit "accounts: Rename the token endpoint" "BREAKING CHANGE: clients must call /api/v1/tokens/"
    commit "release: v0.2.0"
    printf '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n### Added\n\n- first\n' > CHANGELOG.md
    python3 "$script" v0.2.0 --write-changelog --date 2026-02-01 > notes.md 2>/dev/null
    local expect
    for expect in "### Breaking changes" "- **accounts**: Rename the token endpoint" \
        "### Added" "- **api**: Support cursor pagination" "- **notes**: Add backlinks panel" \
        "### Fixed" "- Crash on an empty body" "- **notes**: Fix tag parsing of unicode names (" \
        "### Removed" "### Security" "- **bookmarks**: Harden the fetcher against SSRF" \
        "### Maintenance" "- **ci**: Add workflow schema check"; do
      grep -qF -- "$expect" notes.md || { echo "release notes lack: $expect"; cat notes.md; return 1; }
    done
    ! grep -q "release: v0.2.0\|v0.2.0 (" notes.md || { echo "release commit leaked into notes"; return 1; }
    [ "$(grep -n '^## \[' CHANGELOG.md | cut -d: -f2-)" = "$(printf '## [Unreleased]\n## [0.2.0] - 2026-02-01\n## [0.1.0] - 2026-01-01')" ] \
      || { echo "CHANGELOG.md sections out of order:"; cat CHANGELOG.md; return 1; }
    python3 "$script" v0.2.0 --write-changelog --date 2026-02-01 >/dev/null 2>&1
    [ "$(grep -c '^## \[0.2.0\]' CHANGELOG.md)" = 1 ] || { echo "re-run duplicated the section"; return 1; }
    python3 "$script" v0.2.0 --from-changelog | grep -qF "### Breaking changes" || { echo "--from-changelog failed"; return 1; }
    ! python3 "$script" v9.9.9 --from-changelog >/dev/null 2>&1 || { echo "--from-changelog found a missing version"; return 1; }
  }
  if (notes_check); then echo "release notes: OK"; else fail "release notes"; fi
}

[ "$only_release_build" = 1 ] || static_checks

# ---------------------------------------------------------------- 6. release build (Docker)
say "release build"
if [ -n "${SKIP_RELEASE_BUILD:-}" ]; then
  echo "SKIPPED: release build check - SKIP_RELEASE_BUILD is set ($SKIP_RELEASE_BUILD)"
elif ! command -v docker >/dev/null 2>&1 || ! timeout 20 docker info >/dev/null 2>&1; then
  echo "SKIPPED: release build check - no Docker engine answers here (docker info failed)"
elif ! git cat-file -e HEAD:Dockerfile 2>/dev/null; then
  echo "SKIPPED: release build check - no Dockerfile committed yet"
else
  clone="$scratch/clone"
  git clone -q . "$clone"
  git -C "$clone" -c user.email=ci@example.invalid -c user.name=ci tag -a v9.8.7 -m "release check"
  release_image="fbrain-release-check"
  t0=$SECONDS
  if (cd "$clone" && RELEASE_SOURCE=https://example.invalid/fbrain \
        timeout "$RELEASE_BUILD_BUDGET" "$repo/scripts/release-build.sh" v9.8.7 --image "$release_image"); then
    revision="$(git -C "$clone" rev-parse 'v9.8.7^{commit}')"
    for t in 9.8.7 9.8 latest; do
      got="$(docker inspect --format '{{ index .Config.Labels "org.opencontainers.image.version" }} {{ index .Config.Labels "org.opencontainers.image.revision" }}' "$release_image:$t" || true)"
      [ "$got" = "9.8.7 $revision" ] || fail "release build: $release_image:$t has labels '$got'"
    done
    env_version="$(docker inspect --format '{{ range .Config.Env }}{{ println . }}{{ end }}' "$release_image:9.8.7" | grep '^APP_VERSION=' || true)"
    [ "$env_version" = "APP_VERSION=9.8.7" ] || fail "release build: image env has '$env_version', want APP_VERSION=9.8.7"
    echo "release build: OK in $((SECONDS - t0)) s"
  else
    fail "release build (scripts/release-build.sh v9.8.7, budget ${RELEASE_BUILD_BUDGET}s)"
  fi
fi

echo "30-workflows: $((SECONDS - started)) s, $failures failure(s)"
[ "$failures" -eq 0 ]
