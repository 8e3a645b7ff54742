#!/usr/bin/env bash
# Optional system packages (Debian): PostgreSQL for the database tests against a real server, and
# Chromium for the browser test of the chat page (tests/e2e/test_browser.py drives /usr/bin/chromium
# through Playwright; Playwright's own browser downloads are never used).
# Installs only what is missing; needs root or sudo. Nothing is started here: the tests start
# their own throw-away server on 127.0.0.1 and stop it afterwards.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "system-deps: nothing to install"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
# Debian starts a cluster on install; the tests use their own, so leave the packaged one stopped.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for c in /etc/postgresql/*/main; do
    [ -d "$c" ] && $SUDO pg_ctlcluster "$(basename "$(dirname "$c")")" main stop 2>/dev/null || true
  done
fi
