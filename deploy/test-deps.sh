#!/usr/bin/env bash
# What the tests need beyond `deploy/setup.sh`: Debian's headless Chromium, which renders
# newsmon's HTML report in tests/test_dashboards.py.
set -euo pipefail
# Headless Chromium renders the HTML report in the tests (and `make report-screenshot`): Debian's package.
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Chromium (headless rendering of newsmon's HTML report in the tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: the report tests need Chromium; install it (e.g. apt-get install chromium)" >&2
  fi
fi
