#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) for development and CI — no Docker needed.
#
#   bash deploy/local/kafka.sh assemble   # download the broker jars from Maven Central (first run only)
#   bash deploy/local/kafka.sh start      # assemble if needed, format storage once, start, wait until it answers
#   bash deploy/local/kafka.sh status     # running/stopped + address
#   bash deploy/local/kafka.sh logs [-f]  # tail the broker log
#   bash deploy/local/kafka.sh stop       # SIGTERM, wait up to 30 s, then SIGKILL
#   bash deploy/local/kafka.sh reset      # stop and delete all broker data (same as: stop --clean)
#   bash deploy/local/kafka.sh scram-user <name> <password>   # SASL_SSL mode: create or update a SCRAM-SHA-512 user
#
# After a crash (kill -9, OOM, power loss) 'start' waits out the broker's log recovery (up to
# KAFKA_RECOVERY_TIMEOUT), and a broker of this data dir left running without its pid file is found by its
# command line and adopted by 'start', 'status' and 'stop' instead of clashing with a second one on the same ports.
#
# Requirements: java (11+) and mvn on PATH; kcat is used for the readiness check when installed.
#
# Environment (all optional):
#   KAFKA_VERSION          Kafka version to assemble            (default 3.9.1)
#   KAFKA_PORT             client listener, 127.0.0.1 only      (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener            (default 9093)
#   KAFKA_DATA_DIR         config, data, logs, pid file         (default <repo>/.local/kafka)
#   AFTERSALES_CACHE       where assembled jars are cached      (default ~/.cache/aftersales)
#   KAFKA_START_TIMEOUT    seconds to wait for the broker       (default 90)
#   KAFKA_RECOVERY_TIMEOUT seconds to wait after an unclean stop (default 300)
#   KAFKA_HEAP_OPTS        JVM heap flags                       (default -Xms256m -Xmx768m)
#
# SASL_SSL mode, as a production cluster is reached (TLS + SCRAM-SHA-512 on the client listener, also between
# brokers; the KRaft controller listener stays local plaintext). Bring your own CA and broker certificate:
#   KAFKA_SECURITY=sasl_ssl       plaintext (default) or sasl_ssl
#   KAFKA_SSL_KEYSTORE            PKCS12 keystore: the broker's key and certificate (SAN IP:127.0.0.1)
#   KAFKA_SSL_KEYSTORE_PASSWORD   its password
#   KAFKA_SSL_CA_FILE             PEM of the CA that signed it (the broker's truststore; kcat's readiness check)
#   KAFKA_BROKER_SASL_USERNAME    the broker's own SCRAM user, created when the storage is formatted (default broker)
#   KAFKA_BROKER_SASL_PASSWORD    its password (required in this mode)
# Clients' users: 'scram-user <name> <password>' (kafka-configs, through the running broker). Clients then set
# KAFKA_SSL=true KAFKA_SSL_CA_FILE=<ca.pem> KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME/PASSWORD.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
SLF4J_VERSION="${SLF4J_VERSION:-1.7.36}"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_RECOVERY_TIMEOUT="${KAFKA_RECOVERY_TIMEOUT:-300}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"

CACHE_DIR="${AFTERSALES_CACHE:-$HOME/.cache/aftersales}"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME/libs"
ASSEMBLED_MARKER="$KAFKA_HOME/.assembled"

DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.local/kafka}"
CONFIG_DIR="$DATA_DIR/config"
LOG_DIRS="$DATA_DIR/data"
BROKER_LOG_DIR="$DATA_DIR/logs"
BROKER_LOG="$BROKER_LOG_DIR/server.log"
STDOUT_LOG="$BROKER_LOG_DIR/stdout.log"
PID_FILE="$DATA_DIR/kafka.pid"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"
KAFKA_BROKER_SASL_USERNAME="${KAFKA_BROKER_SASL_USERNAME:-broker}"
ADMIN_CLIENT_CONFIG="$CONFIG_DIR/admin-client.properties"

say() { printf '[kafka] %s\n' "$*"; }
err() { printf '[kafka] ERROR: %s\n' "$*" >&2; }
die() {
  err "$*"
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH. $2"
}

# --- broker process helpers -------------------------------------------------------------------

# Prints the pid from the pid file if that process is alive and really is our broker.
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    # Guard against pid reuse after a reboot or crash.
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  fi
  printf '%s\n' "$pid"
}

# A kafka.Kafka process started from this data dir's config, found by its command line: a broker left running
# without (or with a stale) pid file. Prints its pid.
orphan_broker_pid() {
  local dir pid cmd
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    cmd="$({ tr '\0' ' ' <"$dir/cmdline"; } 2>/dev/null)" || continue
    if [[ "$cmd" == *"kafka.Kafka $CONFIG_DIR/server.properties"* ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

# The broker of this data dir: from the pid file, or adopted (pid file rewritten) when it runs without one.
find_broker_pid() {
  local pid
  if pid="$(broker_pid)"; then
    printf '%s\n' "$pid"
    return 0
  fi
  pid="$(orphan_broker_pid)" || return 1
  mkdir -p "$DATA_DIR"
  echo "$pid" >"$PID_FILE"
  say "found broker pid $pid of $DATA_DIR running without its pid file: adopted it" >&2
  printf '%s\n' "$pid"
}

# The client and controller ports this data dir's running broker was configured with ("client controller").
configured_ports() {
  [[ -f "$CONFIG_DIR/server.properties" ]] || return 1
  sed -n 's/^listeners=[A-Z_]*:\/\/[^:]*:\([0-9]*\),CONTROLLER:\/\/[^:]*:\([0-9]*\)$/\1 \2/p' "$CONFIG_DIR/server.properties"
}

# Who listens on a TCP port of 127.0.0.1 (ss: "users:(("java",pid=123,fd=140))"), for error messages.
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -n 1
}

port_open() {
  (exec 3<>"/dev/tcp/$KAFKA_HOST/${1:-$KAFKA_PORT}") 2>/dev/null
}

# Kafka deletes this marker at startup and writes it on a clean shutdown: missing means the last stop was a crash.
clean_shutdown_marker() {
  [[ -f "$LOG_DIRS/.kafka_cleanshutdown" ]]
}

# True when a Kafka broker answers a metadata request on the client port.
# Uses kcat when available, otherwise a plain TCP connect.
broker_answers() {
  port_open || return 1
  if command -v kcat >/dev/null 2>&1; then
    local out
    local bounded=()
    if command -v timeout >/dev/null 2>&1; then bounded=(timeout 10); fi
    local secure=()
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
      secure=(-X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 -X "sasl.username=$KAFKA_BROKER_SASL_USERNAME"
        -X "sasl.password=$KAFKA_BROKER_SASL_PASSWORD" -X "ssl.ca.location=$KAFKA_SSL_CA_FILE")
    fi
    out="$(${bounded[@]+"${bounded[@]}"} kcat -b "$BOOTSTRAP" ${secure[@]+"${secure[@]}"} -L -t __readiness_probe -m 5 2>/dev/null)" || return 1
    grep -q ' 1 brokers:' <<<"$out"
  else
    return 0
  fi
}

show_log_tail() {
  local f cause
  for f in "$BROKER_LOG" "$STDOUT_LOG"; do
    if [[ -s "$f" ]]; then
      say "---- last 40 lines of $f ----"
      tail -n 40 "$f" | sed 's/^/[kafka]   /'
    fi
  done
  cause="$(cat "$BROKER_LOG" "$STDOUT_LOG" 2>/dev/null | grep -E '^Caused by: |^\[[^]]*\] (ERROR|FATAL) ' | tail -n 3 || true)"
  if [[ -n "$cause" ]]; then
    say "---- most likely cause ----"
    # shellcheck disable=SC2001
    sed 's/^/[kafka]   /' <<<"$cause"
  fi
}

# --- assemble ---------------------------------------------------------------------------------

assemble() {
  if [[ -f "$ASSEMBLED_MARKER" ]]; then
    say "Apache Kafka $KAFKA_VERSION already assembled in $KAFKA_HOME"
    return 0
  fi
  need java "Install a JDK/JRE 11+ (e.g. apt-get install -y openjdk-17-jre-headless)."
  need mvn "Install Maven 3.6+ (e.g. apt-get install -y maven); it is only used to fetch the broker jars."
  mkdir -p "$KAFKA_HOME"

  # Serialise concurrent first runs (e.g. two terminals, or CI + jest globalSetup).
  exec 8>"$KAFKA_HOME.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 600 8 || die "timed out waiting for another assembly to finish"; fi
  if [[ -f "$ASSEMBLED_MARKER" ]]; then
    say "Apache Kafka $KAFKA_VERSION assembled by a concurrent run"
    return 0
  fi

  say "assembling Apache Kafka $KAFKA_VERSION from Maven Central (first run only, ~45 MB)…"
  local started=$SECONDS
  cat >"$KAFKA_HOME/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by deploy/local/kafka.sh: only used to download the broker jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.aftersales</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$LIBS_DIR" "$LIBS_DIR.tmp"
  say "running mvn dependency:copy-dependencies (log: $KAFKA_HOME/mvn.log)…"
  if ! mvn -q -B -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR.tmp" >"$KAFKA_HOME/mvn.log" 2>&1; then
    err "Maven could not download the Kafka jars. Last lines of $KAFKA_HOME/mvn.log:"
    tail -n 30 "$KAFKA_HOME/mvn.log" | sed 's/^/[kafka]   /' >&2
    die "check network access to https://repo.maven.apache.org (or your Maven mirror in ~/.m2/settings.xml) and rerun."
  fi
  [[ -f "$LIBS_DIR.tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after download; see $KAFKA_HOME/mvn.log"
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
  date -u +%FT%TZ >"$ASSEMBLED_MARKER"
  say "assembled $(find "$LIBS_DIR" -name '*.jar' | wc -l | tr -d ' ') jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $((SECONDS - started)) s → $LIBS_DIR"
}

# --- start ------------------------------------------------------------------------------------

# The SASL_SSL mode's settings, checked before anything is written.
check_security() {
  case "$KAFKA_SECURITY" in
  plaintext) ;;
  sasl_ssl)
    [[ -n "${KAFKA_SSL_KEYSTORE:-}" && -r "${KAFKA_SSL_KEYSTORE:-}" ]] || die "KAFKA_SECURITY=sasl_ssl needs KAFKA_SSL_KEYSTORE, a readable PKCS12 keystore with the broker's key and certificate (got '${KAFKA_SSL_KEYSTORE:-}')"
    [[ -n "${KAFKA_SSL_KEYSTORE_PASSWORD:-}" ]] || die "KAFKA_SECURITY=sasl_ssl needs KAFKA_SSL_KEYSTORE_PASSWORD"
    [[ -n "${KAFKA_SSL_CA_FILE:-}" && -r "${KAFKA_SSL_CA_FILE:-}" ]] || die "KAFKA_SECURITY=sasl_ssl needs KAFKA_SSL_CA_FILE, the PEM of the CA that signed the broker's certificate (got '${KAFKA_SSL_CA_FILE:-}')"
    [[ -n "${KAFKA_BROKER_SASL_PASSWORD:-}" ]] || die "KAFKA_SECURITY=sasl_ssl needs KAFKA_BROKER_SASL_PASSWORD (the broker's own SCRAM user, $KAFKA_BROKER_SASL_USERNAME)"
    ;;
  *) die "KAFKA_SECURITY=$KAFKA_SECURITY: expected plaintext or sasl_ssl" ;;
  esac
}

# The JAAS line of a SCRAM login.
scram_jaas() {
  printf 'org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";' "$1" "$2"
}

write_config() {
  mkdir -p "$CONFIG_DIR" "$LOG_DIRS" "$BROKER_LOG_DIR"
  local listener=PLAINTEXT
  if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then listener=SASL_SSL; fi
  cat >"$CONFIG_DIR/server.properties" <<EOF
# Generated by deploy/local/kafka.sh on every start — edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=$listener://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$listener://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=$listener
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,$listener:$listener
log.dirs=$LOG_DIRS
num.partitions=3
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
min.insync.replicas=1
default.replication.factor=1
# Keep a developer machine's disk usage bounded.
log.retention.hours=72
log.segment.bytes=67108864
EOF
  if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
    cat >>"$CONFIG_DIR/server.properties" <<EOF
# SASL_SSL mode: TLS with the given keystore, SCRAM-SHA-512 for clients and between brokers.
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$(scram_jaas "$KAFKA_BROKER_SASL_USERNAME" "$KAFKA_BROKER_SASL_PASSWORD")
ssl.keystore.type=PKCS12
ssl.keystore.location=$KAFKA_SSL_KEYSTORE
ssl.keystore.password=$KAFKA_SSL_KEYSTORE_PASSWORD
ssl.key.password=$KAFKA_SSL_KEYSTORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$KAFKA_SSL_CA_FILE
ssl.endpoint.identification.algorithm=https
EOF
    cat >"$ADMIN_CLIENT_CONFIG" <<EOF
# The broker's own user, for 'scram-user' (kafka-configs). Generated by deploy/local/kafka.sh.
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(scram_jaas "$KAFKA_BROKER_SASL_USERNAME" "$KAFKA_BROKER_SASL_PASSWORD")
ssl.truststore.type=PEM
ssl.truststore.location=$KAFKA_SSL_CA_FILE
EOF
    chmod 600 "$CONFIG_DIR/server.properties" "$ADMIN_CLIENT_CONFIG"
  fi
  cat >"$CONFIG_DIR/log4j.properties" <<EOF
# Generated by deploy/local/kafka.sh. WARN keeps the file small; a few INFO loggers show startup progress.
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$BROKER_LOG
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerLifecycleManager=INFO
log4j.logger.kafka.log.LogManager=INFO
EOF
}

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    say "storage already formatted ($(grep -E '^cluster\.id=' "$LOG_DIRS/meta.properties" || echo 'cluster id unknown'))"
    return 0
  fi
  local cluster_id
  cluster_id="$(java -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$CONFIG_DIR/log4j.properties" \
    kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id with kafka.tools.StorageTool"
  local scram=()
  if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
    # The broker authenticates to itself (inter-broker listener) before any client could create its user.
    scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_BROKER_SASL_USERNAME,password=$KAFKA_BROKER_SASL_PASSWORD]")
    say "formatting storage in $LOG_DIRS (cluster id $cluster_id) with the SCRAM-SHA-512 user $KAFKA_BROKER_SASL_USERNAME…"
  else
    say "formatting storage in $LOG_DIRS (cluster id $cluster_id)…"
  fi
  java -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$CONFIG_DIR/log4j.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_DIR/server.properties" ${scram[@]+"${scram[@]}"} | sed 's/^/[kafka]   /'
}

wait_until_ready() {
  local pid="$1" timeout="${2:-$KAFKA_START_TIMEOUT}" waited=0
  printf '[kafka] waiting for the broker on %s ' "$BOOTSTRAP"
  while ((waited < timeout)); do
    if broker_answers; then
      printf ' up after %d s\n' "$waited"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      printf '\n'
      err "the broker process (pid $pid) exited during startup."
      show_log_tail >&2
      rm -f "$PID_FILE"
      die "fix the error above and rerun 'bash deploy/local/kafka.sh start'. If the storage is damaged or was formatted by another Kafka version: 'bash deploy/local/kafka.sh reset' (deletes local topics)."
    fi
    printf '.'
    sleep 1
    waited=$((waited + 1))
  done
  printf '\n'
  err "the broker did not answer on $BOOTSTRAP within ${timeout} s (it is still running as pid $pid)."
  show_log_tail >&2
  err "next steps:"
  err "  - slow machine or long log recovery? rerun 'bash deploy/local/kafka.sh start' to keep waiting (or set KAFKA_START_TIMEOUT / KAFKA_RECOVERY_TIMEOUT)"
  err "  - inspect the full log: 'bash deploy/local/kafka.sh logs'"
  err "  - port clash? 'ss -ltnp | grep -E \":($KAFKA_PORT|$KAFKA_CONTROLLER_PORT)\\b\"', or use KAFKA_PORT / KAFKA_CONTROLLER_PORT"
  err "  - start over: 'bash deploy/local/kafka.sh reset && bash deploy/local/kafka.sh start'"
  exit 1
}

start() {
  mkdir -p "$DATA_DIR"
  # Serialise concurrent 'start' calls against the same data dir.
  exec 9>"$DATA_DIR/.start.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 300 9 || die "timed out waiting for another 'start' to finish"; fi

  local pid ports
  if pid="$(find_broker_pid)"; then
    ports="$(configured_ports || true)"
    if [[ -n "$ports" && "$ports" != "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ]]; then
      die "the broker of $DATA_DIR (pid $pid) runs on ports ${ports/ /, } (client, controller), not $KAFKA_PORT, $KAFKA_CONTROLLER_PORT. Stop it first ('KAFKA_PORT=${ports%% *} KAFKA_CONTROLLER_PORT=${ports##* } bash deploy/local/kafka.sh stop') or use another KAFKA_DATA_DIR."
    fi
    if broker_answers; then
      say "broker already running on $BOOTSTRAP (pid $pid)"
      return 0
    fi
    # Started by an earlier 'start' that gave up waiting, or recovering its logs after a crash: keep waiting.
    say "broker process $pid is running but not answering yet (starting, or recovering its logs)"
    wait_until_ready "$pid" "$KAFKA_RECOVERY_TIMEOUT"
    return 0
  fi
  if broker_answers; then
    say "a Kafka broker already answers on $BOOTSTRAP (not started from $DATA_DIR) — using it"
    return 0
  fi
  local port owner
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$port"; then
      owner="$(port_owner "$port")"
      die "port $port is taken${owner:+ by $owner}, and it is not a broker of $DATA_DIR. Free it ('ss -ltnp | grep :$port') or use other ports: KAFKA_PORT=<port> KAFKA_CONTROLLER_PORT=<port> bash deploy/local/kafka.sh start (and export KAFKA_BROKERS=127.0.0.1:<port>)"
    fi
  done

  assemble
  need java "Install a JDK/JRE 11+ (e.g. apt-get install -y openjdk-17-jre-headless)."
  check_security
  write_config
  format_storage

  local timeout="$KAFKA_START_TIMEOUT"
  if [[ -f "$LOG_DIRS/meta.properties" ]] && ! clean_shutdown_marker && compgen -G "$LOG_DIRS/*-[0-9]*" >/dev/null; then
    # After kill -9 the broker checks and rebuilds its log segments' indexes before it answers: longer than a start.
    timeout=$((KAFKA_RECOVERY_TIMEOUT > KAFKA_START_TIMEOUT ? KAFKA_RECOVERY_TIMEOUT : KAFKA_START_TIMEOUT))
    say "the broker was not stopped cleanly last time: it recovers its logs first (waiting up to $timeout s)"
  fi
  say "starting Apache Kafka $KAFKA_VERSION (KRaft, single node) on $BOOTSTRAP, data in $DATA_DIR"
  # Start each run with fresh logs so a failure report only shows this attempt.
  [[ -f "$BROKER_LOG" ]] && mv -f "$BROKER_LOG" "$BROKER_LOG.previous"
  : >"$STDOUT_LOG"
  rm -f "$PID_FILE"
  local launcher=()
  # setsid: own session, so Ctrl-C in the calling terminal (or the end of a CI step/jest run) leaves it alone.
  if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
  # The inner shell records its own pid (java keeps it through exec) before anything else, even if setsid had to
  # fork: the pid file exists from the launch on, so 'stop' finds a broker that is still starting or recovering.
  # shellcheck disable=SC2086,SC2016 # KAFKA_HEAP_OPTS is a list of flags; $$ must expand in the inner shell
  ${launcher[@]+"${launcher[@]}"} nohup bash -c 'echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0"; exec "$@"' "$PID_FILE" \
    java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$CONFIG_DIR/log4j.properties" -Dkafka.logs.dir="$BROKER_LOG_DIR" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG_DIR/server.properties" \
    </dev/null >>"$STDOUT_LOG" 2>&1 8>&- 9>&- &
  local launched=$!
  local _
  for _ in $(seq 1 50); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  if [[ ! -s "$PID_FILE" ]]; then
    pid="$(orphan_broker_pid || echo "$launched")"
    echo "$pid" >"$PID_FILE"
  fi
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  say "broker pid $pid (pid file $PID_FILE, log $BROKER_LOG)"
  wait_until_ready "$pid" "$timeout"
  say "ready: KAFKA_BROKERS=$BOOTSTRAP"
}

# --- stop / status / logs / reset -------------------------------------------------------------

stop() {
  local pid
  if ! pid="$(find_broker_pid)"; then
    rm -f "$PID_FILE"
    if port_open; then
      say "no broker of $DATA_DIR is running, but something listens on $BOOTSTRAP — leaving it alone"
    else
      say "broker is not running"
    fi
    return 0
  fi
  say "stopping broker (pid $pid)…"
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 30)); do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still running after 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE"
  say "stopped after ${waited} s"
}

status() {
  local pid
  if pid="$(find_broker_pid)"; then
    if broker_answers; then
      say "running on $BOOTSTRAP (pid $pid, data $DATA_DIR)"
    else
      say "starting or unhealthy: pid $pid is alive but $BOOTSTRAP does not answer (see: bash deploy/local/kafka.sh logs)"
    fi
  elif broker_answers; then
    say "running on $BOOTSTRAP (not started by this script)"
  else
    say "stopped (address would be $BOOTSTRAP, data $DATA_DIR)"
    return 3
  fi
}

logs() {
  [[ -f "$BROKER_LOG" ]] || die "no broker log yet at $BROKER_LOG"
  if [[ "${1:-}" == "-f" || "${1:-}" == "--follow" ]]; then
    exec tail -n 100 -f "$BROKER_LOG"
  fi
  tail -n "${1:-100}" "$BROKER_LOG"
  [[ -s "$STDOUT_LOG" ]] && { echo "---- $STDOUT_LOG ----"; tail -n 20 "$STDOUT_LOG"; }
  return 0
}

# Creates (or changes the password of) a SCRAM-SHA-512 user with kafka-configs, through the running SASL_SSL broker.
scram_user() {
  local name="${1:-}" password="${2:-}"
  [[ -n "$name" && -n "$password" ]] || die "usage: bash deploy/local/kafka.sh scram-user <name> <password>"
  [[ "$KAFKA_SECURITY" == sasl_ssl ]] || die "scram-user needs KAFKA_SECURITY=sasl_ssl (a plaintext broker has no users)"
  [[ "$password" != *[],[\"]* ]] || die "the password of $name must not contain ',', '[', ']' or '\"' (kafka-configs' list syntax)"
  find_broker_pid >/dev/null || die "no broker of $DATA_DIR is running: start it first"
  [[ -f "$ADMIN_CLIENT_CONFIG" ]] || die "$ADMIN_CLIENT_CONFIG is missing: was the broker started with KAFKA_SECURITY=sasl_ssl?"
  java -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$CONFIG_DIR/log4j.properties" kafka.admin.ConfigCommand \
    --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CLIENT_CONFIG" \
    --alter --add-config "SCRAM-SHA-512=[password=$password]" --entity-type users --entity-name "$name" |
    sed 's/^/[kafka]   /'
  say "SCRAM-SHA-512 user $name ready on $BOOTSTRAP"
}

reset() {
  stop
  say "deleting $DATA_DIR"
  rm -rf "$DATA_DIR"
}

usage() {
  sed -n '2,37p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
  assemble) assemble ;;
  start) start ;;
  stop)
    if [[ "${1:-}" == "--clean" ]]; then reset; else stop; fi
    ;;
  reset | clean) reset ;;
  restart)
    stop
    start
    ;;
  status) status ;;
  scram-user) scram_user "$@" ;;
  logs) logs "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
  esac
}

main "$@"
