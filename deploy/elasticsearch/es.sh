#!/usr/bin/env bash
# The local Elasticsearch 8 node of newsmon: one real node in one JVM, built from the jars on Maven Central
# (see pom.xml). Usage:
#
#   es.sh build                 fetch the jars (first time only; offline afterwards) and compile the launcher
#   es.sh start                 start the node (idempotent) and wait until it answers; prints its URL last
#   es.sh stop                  stop it cleanly (SIGTERM, then wait for the indices to be closed)
#   es.sh status                say whether it runs (exit 0) or not (exit 3)
#
# Options (or environment variables):
#   --port N     NEWSMON_ES_PORT   HTTP port, default 9200 (the transport port is N+100)
#   --home DIR   NEWSMON_ES_HOME   node directory, default <repo>/.es/node-PORT (git-ignored)
#   --data DIR   NEWSMON_ES_DATA   index data, default HOME/data
#   --log FILE   NEWSMON_ES_LOG    node log, default HOME/es.log
#   --pid FILE   NEWSMON_ES_PID    pid file, default HOME/es.pid
#   --heap SIZE  NEWSMON_ES_HEAP   JVM heap, default 512m
#
# The node listens on 127.0.0.1 only and has no security (no TLS, no users): it has no X-Pack at all, the
# setting of a development node on one machine. Never expose it; for a shared or secured cluster use
# deploy/docker-compose.yml or your own cluster and newsmon's --es-url / NEWSMON_ES_* settings.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "es.sh: error: $*" >&2; exit 1; }

command=${1:-}
[ -n "$command" ] || { usage >&2; exit 2; }
shift
PORT=${NEWSMON_ES_PORT:-9200}
HOME_DIR=${NEWSMON_ES_HOME:-}
DATA_DIR=${NEWSMON_ES_DATA:-}
LOG_FILE=${NEWSMON_ES_LOG:-}
PID_FILE=${NEWSMON_ES_PID:-}
HEAP=${NEWSMON_ES_HEAP:-512m}
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "option $1 needs a value (see es.sh --help)"
  case "$1" in
    --port) PORT=$2 ;;
    --home) HOME_DIR=$2 ;;
    --data) DATA_DIR=$2 ;;
    --log) LOG_FILE=$2 ;;
    --pid) PID_FILE=$2 ;;
    --heap) HEAP=$2 ;;
    *) die "unknown option $1 (see es.sh --help)" ;;
  esac
  shift 2
done
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65435 ] || die "--port must be a number from 1024 to 65435, got '$PORT'"
HOME_DIR=${HOME_DIR:-$REPO/.es/node-$PORT}
DATA_DIR=${DATA_DIR:-$HOME_DIR/data}
LOG_FILE=${LOG_FILE:-$HOME_DIR/es.log}
PID_FILE=${PID_FILE:-$HOME_DIR/es.pid}
URL="http://localhost:$PORT"
PROBE="http://127.0.0.1:$PORT"

CLASSPATH_FILE=$HERE/target/classpath.txt
LAUNCHER_JAR=$HERE/target/newsmon-es-node.jar

# Maven offline when the local repository already holds everything, online only the first time.
build() {
  if [ -f "$CLASSPATH_FILE" ] && [ -f "$LAUNCHER_JAR" ] \
     && [ -z "$(find "$HERE/pom.xml" "$HERE/src" -newer "$LAUNCHER_JAR" -print -quit)" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is not installed; install it (e.g. apt-get install maven) and retry"
  command -v java >/dev/null || die "Java 17+ is not installed; install it (e.g. apt-get install openjdk-17-jre-headless)"
  local goals=(-q -B -f "$HERE/pom.xml" package dependency:build-classpath -DskipTests
               "-Dmdep.outputFile=$CLASSPATH_FILE")
  if ! mvn -o "${goals[@]}" >/dev/null 2>&1; then
    echo "es.sh: fetching the Elasticsearch jars with Maven (first time only)" >&2
    mvn "${goals[@]}" >&2 || die "Maven could not build the node launcher (see the messages above)"
  fi
}

pid_alive() {
  [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

answers() {
  curl -sf -o /dev/null --max-time 2 "$PROBE/_cluster/health?wait_for_status=yellow&timeout=1s"
}

start() {
  if pid_alive; then
    wait_until_ready
    echo "es.sh: Elasticsearch already running (pid $(cat "$PID_FILE"), log $LOG_FILE)" >&2
    echo "$URL"
    return 0
  fi
  if answers; then
    curl -s --max-time 2 "$PROBE/" | grep -q '"cluster_name"' \
      || die "port $PORT is taken by another program; choose another with --port"
    echo "es.sh: an Elasticsearch not started by this script already answers on port $PORT" >&2
    echo "$URL"
    return 0
  fi
  build
  mkdir -p "$HOME_DIR" "$DATA_DIR" "$(dirname "$LOG_FILE")" "$(dirname "$PID_FILE")"
  echo "es.sh: starting Elasticsearch on $URL (data $DATA_DIR, log $LOG_FILE)" >&2
  # setsid: the node outlives the shell that started it and gets no signal meant for that shell.
  setsid java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
    -Dlog4j2.disable.jmx=true -cp "$LAUNCHER_JAR:$(cat "$CLASSPATH_FILE")" org.newsmon.es.LocalNode \
    -Ecluster.name=newsmon-local -Enode.name=newsmon-local \
    -Epath.home="$HOME_DIR" -Epath.data="$DATA_DIR" -Epath.logs="$HOME_DIR/logs" \
    -Enetwork.host=127.0.0.1 -Ehttp.port="$PORT" -Etransport.port="$((PORT + 100))" \
    -Ediscovery.type=single-node -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Eaction.auto_create_index=true \
    >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  wait_until_ready
  echo "es.sh: Elasticsearch is up (pid $(cat "$PID_FILE"))" >&2
  echo "$URL"
}

wait_until_ready() {
  local deadline=$((SECONDS + ${NEWSMON_ES_START_TIMEOUT:-180}))
  until answers; do
    if ! pid_alive; then
      rm -f "$PID_FILE"
      tail -n 20 "$LOG_FILE" >&2 || true
      die "the node exited during start-up (full log: $LOG_FILE)"
    fi
    [ $SECONDS -lt $deadline ] || die "the node did not answer within ${NEWSMON_ES_START_TIMEOUT:-180}s (log: $LOG_FILE)"
    sleep 0.5
  done
}

stop() {
  if ! pid_alive; then
    rm -f "$PID_FILE"
    echo "es.sh: Elasticsearch on port $PORT is not running (no live pid in $PID_FILE)" >&2
    return 0
  fi
  local pid
  pid=$(cat "$PID_FILE")
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "es.sh: the node did not stop within 60s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  echo "es.sh: Elasticsearch on port $PORT stopped" >&2
}

status() {
  if pid_alive && answers; then
    echo "running: $URL (pid $(cat "$PID_FILE"), data $DATA_DIR, log $LOG_FILE)"
  elif answers; then
    echo "running: $URL (not started with this pid file: $PID_FILE)"
  elif pid_alive; then
    echo "starting or unhealthy: pid $(cat "$PID_FILE") does not answer on $URL yet (log $LOG_FILE)"
    return 3
  else
    echo "stopped: nothing started by newsmon runs on port $PORT"
    return 3
  fi
}

case "$command" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
