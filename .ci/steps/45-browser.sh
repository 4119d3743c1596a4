#!/usr/bin/env bash
# 45-browser.sh - the Playwright browser flows of issue 5 against a live server, in Debian's Chromium
# (headless). Installs chromium from Debian when missing; Playwright comes from the locked dev requirements;
# axe-core (for the accessibility checks) comes from npm at a pinned version.
# Budget: <= 5 minutes (about 1-2 minutes once chromium is installed).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

if [ ! -x /usr/bin/chromium ]; then
  echo "--- installing chromium from Debian"
  if [ ! -f /tmp/.fbrain-apt-updated ]; then apt-get update -qq && touch /tmp/.fbrain-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
/usr/bin/chromium --version

# axe-core (accessibility rules) for test_accessibility.py, pinned, from npm into the gitignored cache.
AXE_VERSION=4.10.3
if [ ! -f ".cache/axe/$AXE_VERSION/package/axe.min.js" ]; then
  command -v npm >/dev/null || {
    if [ ! -f /tmp/.fbrain-apt-updated ]; then apt-get update -qq && touch /tmp/.fbrain-apt-updated; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  }
  mkdir -p ".cache/axe/$AXE_VERSION"
  (cd ".cache/axe/$AXE_VERSION" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf "axe-core-$AXE_VERSION.tgz")
fi
export FBRAIN_AXE_JS="$PWD/.cache/axe/$AXE_VERSION/package/axe.min.js"

# Own database and Redis number, so a developer running `make test` at the same time is not disturbed.
export DATABASE_URL="${BROWSER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fbrain_browser}"
export REDIS_URL="${BROWSER_REDIS_URL:-redis://127.0.0.1:6379/8}"
timeout 300 make test-browser
