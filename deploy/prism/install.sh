#!/usr/bin/env bash
# Builds Apache Beam's Prism runner (the local streaming runner `newsmon watch` uses) from the Go
# module proxy into .venv/bin/prism, at the version matching the installed apache-beam SDK.
# Beam would otherwise download a prebuilt Prism from the web at run time, which cannot work on
# air-gapped servers (and silently falls back to a batch runner when it fails).
# Safe to run again: it does nothing when the binary of the right version is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

BEAM_VERSION=${BEAM_VERSION:-$(.venv/bin/python -c 'from importlib.metadata import version; print(version("apache-beam"))')}
BIN_DIR="$PWD/.venv/bin"
stamp="$BIN_DIR/.prism-version"
if [ -x "$BIN_DIR/prism" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$BEAM_VERSION" ]; then
  echo "prism: $BIN_DIR/prism ($BEAM_VERSION) already built"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "prism: the Go toolchain is needed to build the Prism runner (install Go >= 1.23, then rerun)" >&2
  exit 1
fi
echo "prism: building the Prism runner v$BEAM_VERSION with $(go version | cut -d' ' -f3)"
GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install "github.com/apache/beam/sdks/v2/go/cmd/prism@v$BEAM_VERSION"
echo "$BEAM_VERSION" > "$stamp"
echo "prism: $BIN_DIR/prism ready"
