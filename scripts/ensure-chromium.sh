#!/usr/bin/env bash
# Makes sure Debian's `chromium` is at /usr/bin/chromium for the headless browser test of /docs
# (test/docs/docs-page.test.ts). Idempotent: returns at once when it is already installed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) at $CHROMIUM"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing at $CHROMIUM; install it as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

echo "chromium: installing Debian's chromium package …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "chromium: $("$CHROMIUM" --version) at $CHROMIUM"
