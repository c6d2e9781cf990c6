#!/usr/bin/env bash
# Creditgate benchmark harness: mock upstream, gateway and credit platform as separate processes on loopback,
# configured through their HTTP APIs as an operator would, loaded with wrk side by side in ONE run.
# Results: bench/results/<YYYY-MM-DD>-<HHMM>.md and bench/results/latest.md. See bench/README.md.
#
#   bench/run.sh                       all cases, BENCH_DURATION=10s per measurement
#   BENCH_QUICK=1 bench/run.sh         3 s per measurement, shorter warm-ups, fewer held streams
#   BENCH_DB=postgres bench/run.sh     gateway + credits on fresh PostgreSQL databases at 127.0.0.1:5432
#   BENCH_CASES="relay holds" ...      only some cases (relay stream streams_held holds outage)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$ROOT/bench"
cd "$ROOT"
COMMAND_LINE="bench/run.sh $*"

# ------------------------------------------------------------------------------------------------ settings
BENCH_QUICK="${BENCH_QUICK:-0}"
if [[ "$BENCH_QUICK" == 1 ]]; then
  BENCH_DURATION="${BENCH_DURATION:-3s}"
  # Warm-ups shorter than ~15 s measure a JVM that is still JIT-compiling (the gateway read ~4x slower with 3 s).
  BENCH_WARMUP="${BENCH_WARMUP:-15s}"
  BENCH_STREAMS="${BENCH_STREAMS:-1000}"
else
  BENCH_DURATION="${BENCH_DURATION:-10s}"
  BENCH_WARMUP="${BENCH_WARMUP:-20s}"
  BENCH_STREAMS="${BENCH_STREAMS:-5000}"
fi
BENCH_CONNS="${BENCH_CONNS:-32 64}"                  # throughput connection counts (1 is always measured)
BENCH_STREAM_CONNS="${BENCH_STREAM_CONNS:-32}"
BENCH_STREAM_CHUNK_MS="${BENCH_STREAM_CHUNK_MS:-1000}" # held-streams case: delay before each of the 5 chunks
BENCH_HOLD_CONNS="${BENCH_HOLD_CONNS:-64}"
BENCH_DB="${BENCH_DB:-h2}"
BENCH_CASES="${BENCH_CASES:-relay stream streams_held holds outage}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xms256m -Xmx1g}"
BENCH_OPTION_WAIT="${BENCH_OPTION_WAIT:-2.5}"          # seconds for a PUT /api/option/ to reach the relay
BENCH_OUTAGE_TIMEOUT_MS="${BENCH_OUTAGE_TIMEOUT_MS:-1000}"
BENCH_JFR="${BENCH_JFR:-0}"                            # 1: Java Flight Recorder in gateway and credits (run dir)
BENCH_PG_URL_HOST="${BENCH_PG_HOST:-127.0.0.1}"
BENCH_PG_PORT="${BENCH_PG_PORT:-5432}"
BENCH_PG_USER="${BENCH_PG_USER:-postgres}"
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}'
STREAM_BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16,"stream":true}'

[[ "$BENCH_DB" == h2 || "$BENCH_DB" == postgres ]] || { echo "BENCH_DB=$BENCH_DB (expected: h2 or postgres)" >&2; exit 2; }

if [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

MOCK_JAR="${BENCH_MOCK_JAR:-$ROOT/testkit/target/testkit-0.1.0-SNAPSHOT.jar}"
GATEWAY_JAR="${BENCH_GATEWAY_JAR:-$ROOT/gateway/target/gateway.jar}"
CREDITS_JAR="${BENCH_CREDITS_JAR:-$ROOT/credits/target/credits.jar}"

RUN_DIR="$(mktemp -d /tmp/creditgate-bench.XXXXXX)"
STAMP="$(date '+%Y-%m-%d-%H%M')"
RESULTS_DIR="$BENCH_DIR/results"
MD="$RUN_DIR/body.md"          # the per-case sections, assembled into the results file at the end
: > "$MD"

declare -A R=()                # wrk results: R[<run id>.<field>]
declare -A PID=()              # started processes by name
declare -A TALLY=()            # upstream calls per gateway key (for the log/quota checks)
PG_DBS=()
USED_PORTS=" "
SKIPPED=()
CHECKS=()                      # "PASS|FAIL: text"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
md() { printf '%s\n' "$@" >> "$MD"; }
skip() { log "skipped: $*"; SKIPPED+=("$*"); md "" "skipped: $*"; }
check() { # check <condition-result 0|1> <text>
  if [[ "$1" == 0 ]]; then CHECKS+=("PASS: $2"); log "PASS: $2"; else CHECKS+=("FAIL: $2"); log "FAIL: $2"; fi
}

# ------------------------------------------------------------------------------------------------ cleanup
cleanup() {
  local rc=$?
  set +e
  for name in "${!PID[@]}"; do
    local p="${PID[$name]}"
    if kill -0 "$p" 2>/dev/null; then
      kill -CONT "$p" 2>/dev/null
      kill "$p" 2>/dev/null
    fi
  done
  for name in "${!PID[@]}"; do
    local p="${PID[$name]}" i
    for i in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  done
  jfr_report
  for db in "${PG_DBS[@]}"; do
    psql -h "$BENCH_PG_URL_HOST" -p "$BENCH_PG_PORT" -U "$BENCH_PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  done
  if [[ $rc -ne 0 ]]; then log "failed (exit $rc); process logs kept in $RUN_DIR"; else log "process logs: $RUN_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------ helpers
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
per_s() { awk -v n="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.0f", n / (d / 1e6); else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
minus_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", (a - b) / 1000 }'; }
rand_token() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-48}"; }
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

free_port() { # free_port VAR: a port below the ephemeral range that nothing listens on
  local p _
  for _ in $(seq 1 200); do
    p=$(( 15000 + RANDOM % 15000 ))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

WAIT_ERROR=""
wait_http() { # wait_http URL SECONDS NAME: 0 when ready; else 1 with WAIT_ERROR set
  local url="$1" deadline=$(( SECONDS + $2 )) name="$3"
  WAIT_ERROR=""
  while (( SECONDS < deadline )); do
    if curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if [[ -n "${PID[$name]:-}" ]] && ! kill -0 "${PID[$name]}" 2>/dev/null; then
      WAIT_ERROR="$name exited during startup: $(grep -m1 -E 'Exception|Error|APPLICATION FAILED' "$RUN_DIR/$name.log" | cut -c1-200) (log: $RUN_DIR/$name.log)"
      return 1
    fi
    sleep 0.3
  done
  WAIT_ERROR="$name not ready at $url after $2 s (log: $RUN_DIR/$name.log)"
  return 1
}

# http METHOD URL [BODY] [HEADER...]: prints "<status> <body>"
http() {
  local method="$1" url="$2" body="${3:-}"
  shift 3 || shift $#
  local args=(-sS -m 30 -X "$method" -H 'Content-Type: application/json' -w '\n%{http_code}')
  local h
  for h in "$@"; do args+=(-H "$h"); done
  [[ -n "$body" ]] && args+=(--data-binary "$body")
  local out
  out="$(curl "${args[@]}" "$url" 2>&1)" || { echo "000 $out"; return 0; }
  echo "${out##*$'\n'} ${out%$'\n'*}"
}

# gw METHOD PATH [BODY]: management API of the gateway; dies unless 2xx with success=true; prints data
gw() {
  local res status body
  res="$(http "$1" "$GW_URL$2" "${3:-}" "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
  status="${res%% *}"; body="${res#* }"
  if [[ "$status" != 2* ]] || [[ "$(jq -r '.success' <<<"$body" 2>/dev/null)" != true ]]; then
    die "gateway $1 $2 -> HTTP $status: $body"
  fi
  jq -c '.data' <<<"$body"
}
gw_option() { gw PUT /api/option/ "$(jq -nc --arg k "$1" --arg v "$2" '{key: $k, value: $v}')" >/dev/null; }

# cr URL METHOD PATH [BODY]: admin API of a credit platform; prints "<status> <body>"
cr() { http "$2" "$1$3" "${4:-}" "Authorization: Bearer $CREDITS_ADMIN_TOKEN"; }
cr_ok() { # like cr, dies unless 2xx; prints the body
  local res status
  res="$(cr "$@")"; status="${res%% *}"
  [[ "$status" == 2* ]] || die "credits $2 $3 -> HTTP $res"
  echo "${res#* }"
}

mock_calls() { curl -fsS -m 5 "$MOCK_URL/_mock/stats" | jq -r '.calls'; }
# mock_quiet: wait (at most 30 s) until the mock has no open stream and its call count stands still, so that calls
# forwarded by the gateway just before wrk stopped are counted
mock_quiet() {
  local deadline=$(( SECONDS + 30 )) last="" now
  while (( SECONDS < deadline )); do
    now="$(curl -fsS -m 5 "$MOCK_URL/_mock/stats" | jq -r '"\(.calls) \(.activeStreams)"')"
    [[ "$now" == "$last" && "${now#* }" == 0 ]] && return 0
    last="$now"
    sleep 0.3
  done
}
mock_stat() { curl -fsS -m 5 "$MOCK_URL/_mock/stats" | jq -r ".$1"; }
mock_config() { curl -fsS -m 5 -X POST -H 'Content-Type: application/json' --data-binary "$1" "$MOCK_URL/_mock/config" >/dev/null; }

# run_wrk ID URL CONNS DURATION LUA [ENV=VALUE...]: runs wrk, stores its BENCH line in R[ID.*]
run_wrk() {
  local id="$1" url="$2" conns="$3" dur="$4" lua="$5"
  shift 5
  local threads=$(( conns < 2 ? 1 : 2 ))
  local out line kv
  log "wrk $id: -t$threads -c$conns -d$dur $url"
  if ! out="$(env "$@" wrk -t"$threads" -c"$conns" -d"$dur" --latency --timeout 30s -s "$lua" "$url" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "wrk failed for $id"
  fi
  printf '%s\n' "$out" > "$RUN_DIR/wrk-$id.txt"
  line="$(grep '^BENCH ' <<<"$out")" || { printf '%s\n' "$out" >&2; die "wrk printed no BENCH line for $id"; }
  for kv in ${line#BENCH }; do R["$id.${kv%%=*}"]="${kv#*=}"; done
  R["$id.conns"]="$conns"
  R["$id.rps"]="$(per_s "${R[$id.requests]}" "${R[$id.duration_us]}")"
  R["$id.sockerr"]=$(( ${R[$id.connect]} + ${R[$id.read]} + ${R[$id.write]} + ${R[$id.timeout]} ))
  R["$id.ok"]=$(( ${R[$id.requests]} - ${R[$id.status]:-0} ))
}

# gw_wrk ID KEYNAME CONNS DURATION [LUA] [BODY]: a wrk run through the gateway with key KEYNAME, tallying the
# upstream calls it caused so that the log rows can be checked against them afterwards.
gw_wrk() {
  local id="$1" key="$2" conns="$3" dur="$4" lua="${5:-$BENCH_DIR/lua/post.lua}" body="${6:-$BODY}"
  local before after
  before="$(mock_calls)"
  run_wrk "$id" "$GW_URL/v1/chat/completions" "$conns" "$dur" "$lua" BENCH_BODY="$body" BENCH_AUTH="${KEY[$key]}"
  mock_quiet
  after="$(mock_calls)"
  TALLY[$key]=$(( ${TALLY[$key]:-0} + after - before ))
  R["$id.upstream"]=$(( after - before ))
}
mock_wrk() { # mock_wrk ID CONNS DURATION [BODY]
  local before after
  before="$(mock_calls)"
  run_wrk "$1" "$MOCK_URL/v1/chat/completions" "$2" "$3" "$BENCH_DIR/lua/post.lua" BENCH_BODY="${4:-$BODY}" BENCH_AUTH=
  after="$(mock_calls)"
  R["$1.upstream"]=$(( after - before ))
}

# one relay request with curl: prints "<status> <seconds>"
probe() { # probe KEY [BODY]
  curl -s -m 30 -o "$RUN_DIR/probe.out" -w '%{http_code} %{time_total}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $1" --data-binary "${2:-$BODY}" "$GW_URL/v1/chat/completions" || echo "000 0"
}
PROBE=""
probe_tally() { # probe_tally KEYNAME: a probe counted in the key's upstream tally; sets PROBE="<status> <seconds>"
  local before after
  before="$(mock_calls)"; PROBE="$(probe "${KEY[$1]}")"; after="$(mock_calls)"
  TALLY[$1]=$(( ${TALLY[$1]:-0} + after - before ))
}

# check_no_failures CASE ID...: a run whose requests fail measures nothing
check_no_failures() {
  local name="$1" id bad="" total=0
  shift
  for id in "$@"; do
    local n=$(( ${R[$id.status]:-0} + ${R[$id.sockerr]:-0} ))
    total=$(( total + ${R[$id.requests]:-0} ))
    (( n > 0 )) && bad+=" $id: ${R[$id.status]:-0} non-2xx + ${R[$id.sockerr]:-0} socket errors;"
  done
  local ok=0
  [[ -n "$bad" ]] && ok=1
  check "$ok" "$name: no failed requests among $total${bad:+ (failed:$bad)}"
}

md_table_header() {
  md "" "| run | target | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx | socket errors | upstream calls |"
  md "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}
md_row() { # md_row ID TARGET
  local id="$1"
  md "| $id | $2 | ${R[$id.conns]} | ${R[$id.rps]} | $(ms "${R[$id.p50]}") | $(ms "${R[$id.p90]}") | $(ms "${R[$id.p99]}") | $(ms "${R[$id.p999]}") | $(ms "${R[$id.max]}") | ${R[$id.status]:-0} | ${R[$id.sockerr]} | ${R[$id.upstream]:-} |"
}

# ------------------------------------------------------------------------------------------------ prerequisites
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "wrk not found: installing the Debian package wrk"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2 \
      || die "apt-get install wrk failed: install wrk and re-run"
  else
    die "wrk not found: install it (Debian/Ubuntu: sudo apt-get install wrk) and re-run"
  fi
  command -v wrk >/dev/null 2>&1 || die "wrk still not on PATH after apt-get install wrk"
}

ensure_tools() {
  local t
  for t in curl jq awk; do command -v "$t" >/dev/null 2>&1 || die "$t not found: install it (apt-get install $t)"; done
  "$JAVA" -version >/dev/null 2>&1 || die "no java at $JAVA (set JAVA_HOME to a JDK 21+)"
}

stale() { # stale JAR SRC_DIR...: true when the jar is missing or older than a source file
  local jar="$1"; shift
  [[ -f "$jar" ]] || return 0
  local d
  for d in "$@"; do
    [[ -d "$d" ]] && [[ -n "$(find "$d" -newer "$jar" -type f -print -quit 2>/dev/null)" ]] && return 0
  done
  return 1
}

build_jars() {
  if [[ -n "${BENCH_GATEWAY_JAR:-}${BENCH_MOCK_JAR:-}${BENCH_CREDITS_JAR:-}" ]]; then
    log "using jars given by BENCH_*_JAR; not building"
  elif [[ "${BENCH_REBUILD:-0}" == 1 ]] || stale "$MOCK_JAR" testkit/src \
      || stale "$GATEWAY_JAR" gateway/src contract/src || stale "$CREDITS_JAR" credits/src contract/src; then
    log "building jars: ./mvnw -q -DskipTests package"
    ./mvnw -q -DskipTests package >&2 || die "build failed"
  fi
  [[ -f "$MOCK_JAR" ]] || die "mock upstream jar missing: $MOCK_JAR"
  [[ -f "$GATEWAY_JAR" ]] || die "gateway jar missing: $GATEWAY_JAR"
}

pg_ready() { psql -h "$BENCH_PG_URL_HOST" -p "$BENCH_PG_PORT" -U "$BENCH_PG_USER" -d postgres -qAtc 'select 1' >/dev/null 2>&1; }
pg_create() { # pg_create NAME: a fresh database, dropped on exit
  psql -h "$BENCH_PG_URL_HOST" -p "$BENCH_PG_PORT" -U "$BENCH_PG_USER" -d postgres -qc "CREATE DATABASE $1" >/dev/null \
    || die "cannot create PostgreSQL database $1 at $BENCH_PG_URL_HOST:$BENCH_PG_PORT as $BENCH_PG_USER"
  PG_DBS+=("$1")
}

# ------------------------------------------------------------------------------------------------ processes
jfr_opts() { [[ "$BENCH_JFR" == 1 ]] && echo "-XX:StartFlightRecording=filename=$RUN_DIR/$1.jfr,settings=profile,dumponexit=true"; return 0; }
# jfr_report: after the processes ended, the hottest methods of each recording next to it (text)
jfr_report() {
  [[ "$BENCH_JFR" == 1 ]] || return 0
  local f jfr="${JAVA_HOME:+$JAVA_HOME/bin/}jfr"
  for f in "$RUN_DIR"/*.jfr; do
    [[ -f "$f" ]] || continue
    "$jfr" view --width 200 hot-methods "$f" > "${f%.jfr}-hot-methods.txt" 2>&1 || true
    "$jfr" view --width 200 allocation-by-site "$f" > "${f%.jfr}-allocations.txt" 2>&1 || true
    log "JFR: $f (hot methods: ${f%.jfr}-hot-methods.txt)"
  done
}

start_mock() {
  free_port MOCK_PORT
  MOCK_URL="http://127.0.0.1:$MOCK_PORT"
  mkdir -p "$RUN_DIR/mock"
  (cd "$RUN_DIR/mock" && exec "$JAVA" $BENCH_JAVA_OPTS -jar "$MOCK_JAR" --port "$MOCK_PORT" --record 0) \
    > "$RUN_DIR/mock.log" 2>&1 &
  PID[mock]=$!
  wait_http "$MOCK_URL/_mock/stats" 60 mock || { tail -20 "$RUN_DIR/mock.log" >&2; die "$WAIT_ERROR"; }
  log "mock upstream pid ${PID[mock]} at $MOCK_URL"
}

# datasource_env SERVICE DB: sets DS_ENV, the environment for Spring's datasource (H2: the default file under the
# process's fresh working directory; PostgreSQL: a fresh database, dropped on exit)
DS_ENV=""
datasource_env() {
  DS_ENV=""
  if [[ "$2" == postgres ]]; then
    local db="cgbench_$1_$(date +%s)_$RANDOM"
    pg_create "$db"
    DS_ENV="SPRING_DATASOURCE_URL=jdbc:postgresql://$BENCH_PG_URL_HOST:$BENCH_PG_PORT/$db SPRING_DATASOURCE_USERNAME=$BENCH_PG_USER SPRING_DATASOURCE_PASSWORD="
  fi
}

start_gateway() {
  free_port GW_PORT
  GW_URL="http://127.0.0.1:$GW_PORT"
  GATEWAY_ADMIN_TOKEN="$(rand_token 48)"
  mkdir -p "$RUN_DIR/gateway"
  datasource_env gw "$BENCH_DB"
  # Tomcat's default cap of 8192 connections would cut the held-streams case short: raised as an operator would.
  (cd "$RUN_DIR/gateway" && exec env $DS_ENV GATEWAY_ADMIN_TOKEN="$GATEWAY_ADMIN_TOKEN" SERVER_PORT="$GW_PORT" \
      SERVER_ADDRESS=127.0.0.1 SERVER_TOMCAT_MAXCONNECTIONS=20000 SERVER_TOMCAT_ACCEPTCOUNT=1000 \
      "$JAVA" $BENCH_JAVA_OPTS $(jfr_opts gateway) -jar "$GATEWAY_JAR") > "$RUN_DIR/gateway.log" 2>&1 &
  PID[gateway]=$!
  wait_http "$GW_URL/actuator/health" 120 gateway || { tail -40 "$RUN_DIR/gateway.log" >&2; die "$WAIT_ERROR"; }
  log "gateway pid ${PID[gateway]} at $GW_URL ($BENCH_DB)"
}

# start_credits NAME DB: a credit platform process; sets CR_URL[NAME]
declare -A CR_URL=()
start_credits() {
  local name="$1" db="$2" port
  free_port port
  CR_URL[$name]="http://127.0.0.1:$port"
  mkdir -p "$RUN_DIR/$name"
  datasource_env cr "$db"
  (cd "$RUN_DIR/$name" && exec env $DS_ENV SERVER_PORT="$port" SERVER_ADDRESS=127.0.0.1 \
      CREDITS_ADMIN_TOKEN="$CREDITS_ADMIN_TOKEN" CREDITS_SERVICE_TOKEN="$CREDITS_SERVICE_TOKEN" \
      CREDITS_WEBHOOK_SECRET="$CREDITS_WEBHOOK_SECRET" CREDITS_GATEWAY_URL="$GW_URL" \
      CREDITS_GATEWAY_ADMIN_TOKEN="$GATEWAY_ADMIN_TOKEN" \
      "$JAVA" $BENCH_JAVA_OPTS $(jfr_opts "$name") -jar "$CREDITS_JAR") > "$RUN_DIR/$name.log" 2>&1 &
  PID[$name]=$!
  if ! wait_http "${CR_URL[$name]}/actuator/health" 120 "$name"; then
    kill "${PID[$name]}" 2>/dev/null || true
    return 1
  fi
  log "credit platform $name pid ${PID[$name]} at ${CR_URL[$name]} ($db)"
}

# credits_api_reason URL: empty when the platform answers its admin API (SPEC 5), else why not
credits_api_reason() {
  local res
  res="$(cr "$1" POST /api/users '{"email":"probe@bench.invalid","name":"probe"}')"
  if [[ "${res%% *}" != 2* ]] || [[ -z "$(jq -r '.data.id // empty' <<<"${res#* }" 2>/dev/null)" ]]; then
    echo "the credit platform on this build does not answer POST /api/users (HTTP ${res%% *}: ${res#* })" | head -c 300
  fi
}

# credits_user URL CREDITS: a user with that many credits (0: none); prints the id
credits_user() {
  local url="$1" amount="$2" id body
  body="$(cr_ok "$url" POST /api/users "$(jq -nc --arg e "u$RANDOM$RANDOM@bench.invalid" '{email: $e, name: "bench"}')")"
  id="$(jq -r '.data.id' <<<"$body")"
  if [[ "$amount" != 0 ]]; then
    cr_ok "$url" POST "/api/users/$id/credits" \
      "$(jq -nc --argjson a "$amount" --arg r "bench-$id" '{amount: $a, type: "RECHARGE", desc: "benchmark", ref: $r}')" >/dev/null
  fi
  echo "$id"
}
# credits_key URL USERID: creates a key (and through it the gateway token); prints "<keyId> <gateway token id> <full key>"
credits_key() {
  local body
  body="$(cr_ok "$1" POST /api/keys "$(jq -nc --arg u "$2" '{userId: $u, label: "bench"}')")"
  jq -r '"\(.data.id) \(.data.remoteKeyId) \(.data.key)"' <<<"$body"
}
credits_balance() { # credits_balance URL USERID: prints "balance held available"
  cr_ok "$1" GET "/api/users/$2" | jq -r '"\(.data.balance) \(.data.held) \(.data.available)"'
}

# ------------------------------------------------------------------------------------------------ setup
declare -A KEY=() KEY_ID=()    # KEY_ID: the gateway token id
CREDITS_REASON=""              # empty: the credit platform answers its API (holds case)
CREDIT_MODE_REASON=""          # empty: the gateway enforces letaicode credit (check/reserve, outage cases)
NATIVE_QUOTA_NOTE=""

GATEWAY_REASON=""              # empty: the gateway has its management API and relay (every gateway case)
setup_gateway_native() {
  local res
  res="$(http POST "$GW_URL/api/channel/" "$(jq -nc --arg u "$MOCK_URL" \
    '{name: "mock", type: "openai", base_url: $u, key: "sk-mock-upstream", models: "gpt-4o-mini", priority: 0, weight: 1, status: 1}')" \
    "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
  if [[ "${res%% *}" != 2* ]]; then
    GATEWAY_REASON="the gateway on this build has no management API (POST /api/channel/ -> HTTP ${res%% *})"
    NATIVE_QUOTA_NOTE="n/a"
    return 0
  fi
  # A fixed per-call price for a model nobody requests here: proves ModelPrice is accepted and leaves gpt-4o-mini
  # on the ratio path (tokenizer + ratios), the more expensive one.
  gw_option ModelPrice '{"bench-fixed-price":0.002}'
  local uid tok
  uid="$(gw POST /api/user/ '{"username":"bench","quota":1000000000000,"group":"default"}' | jq -r '.id')"
  tok="$(gw POST /api/token/ "$(jq -nc --argjson u "$uid" \
    '{name: "bench-native", user_id: $u, remain_quota: 1000000000000, unlimited_quota: false, expired_time: -1}')")"
  KEY[native]="$(jq -r '.key' <<<"$tok")"; KEY_ID[native]="$(jq -r '.id' <<<"$tok")"
  tok="$(gw POST /api/token/ "$(jq -nc --argjson u "$uid" \
    '{name: "bench-held", user_id: $u, remain_quota: 1000000000000, unlimited_quota: false, expired_time: -1}')")"
  KEY[held]="$(jq -r '.key' <<<"$tok")"; KEY_ID[held]="$(jq -r '.id' <<<"$tok")"
  tok="$(gw POST /api/token/ "$(jq -nc --argjson u "$uid" \
    '{name: "bench-poor", user_id: $u, remain_quota: 1, unlimited_quota: false, expired_time: -1}')")"
  KEY[poor]="$(jq -r '.key' <<<"$tok")"; KEY_ID[poor]="$(jq -r '.id' <<<"$tok")"
  # the channel cache refreshes within gateway.cache-refresh: wait until a request goes through
  local deadline=$(( SECONDS + 30 )) res=""
  while (( SECONDS < deadline )); do
    probe_tally native; res="$PROBE"
    [[ "${res%% *}" == 200 ]] && break
    sleep 0.5
  done
  [[ "${res%% *}" == 200 ]] || die "no 200 through the gateway after 30 s (last: $res: $(head -c 300 "$RUN_DIR/probe.out"))"
  probe_tally poor; res="$PROBE"
  if [[ "${res%% *}" == 403 ]]; then
    NATIVE_QUOTA_NOTE="enforced (a token with remain_quota 1 got 403)"
  else
    NATIVE_QUOTA_NOTE="NOT enforced by this build (a token with remain_quota 1 got HTTP ${res%% *}): the native case measures the relay without quota"
  fi
  log "native quota: $NATIVE_QUOTA_NOTE"
}

setup_credit_platform() {
  CREDITS_ADMIN_TOKEN="$(rand_token 48)"; CREDITS_SERVICE_TOKEN="$(rand_token 48)"; CREDITS_WEBHOOK_SECRET="$(rand_token 48)"
  if [[ ! -f "$CREDITS_JAR" ]]; then
    CREDITS_REASON="no credit platform jar at $CREDITS_JAR"
    CREDIT_MODE_REASON="$CREDITS_REASON"
    return 0
  fi
  if [[ -n "$GATEWAY_REASON" ]]; then
    CREDITS_REASON="the credit platform creates its keys through the gateway's management API: $GATEWAY_REASON"
    CREDIT_MODE_REASON="$CREDITS_REASON"
    return 0
  fi
  if ! start_credits credits "$BENCH_DB"; then
    CREDITS_REASON="the credit platform did not start: $WAIT_ERROR"
    CREDIT_MODE_REASON="$CREDITS_REASON"
    return 0
  fi
  CREDITS_REASON="$(credits_api_reason "${CR_URL[credits]}")"
  CREDIT_MODE_REASON="$CREDITS_REASON"
  [[ -z "$CREDIT_MODE_REASON" ]] || return 0
  local url="${CR_URL[credits]}" kv res
  for kv in "letaicode_domain=$url" "letaicode_admin_token=$CREDITS_SERVICE_TOKEN" \
      "letaicode_webhook_secret=$CREDITS_WEBHOOK_SECRET" letaicode_fallback=deny letaicode_credit_mode=check; do
    res="$(http PUT "$GW_URL/api/option/" "$(jq -nc --arg k "${kv%%=*}" --arg v "${kv#*=}" '{key: $k, value: $v}')" \
      "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
    if [[ "${res%% *}" != 2* ]]; then
      CREDIT_MODE_REASON="the gateway refuses the option ${kv%%=*} (HTTP ${res%% *}: $(head -c 200 <<<"${res#* }"))"
      return 0
    fi
  done
  CURRENT_MODE=check
  RICH_USER="$(credits_user "$url" 100000000)"
  POOR_USER="$(credits_user "$url" 0)"
  local k
  local kid
  read -r kid KEY_ID[letaicode] KEY[letaicode] <<<"$(credits_key "$url" "$RICH_USER")"
  read -r kid KEY_ID[letaicode_poor] KEY[letaicode_poor] <<<"$(credits_key "$url" "$POOR_USER")"
  RICH_BEFORE="$(credits_balance "$url" "$RICH_USER" | cut -d' ' -f1)"
  sleep "$BENCH_OPTION_WAIT"
  local rich poor
  probe_tally letaicode; rich="$PROBE"; probe_tally letaicode_poor; poor="$PROBE"
  if [[ "${rich%% *}" != 200 || "${poor%% *}" != 403 ]]; then
    CREDIT_MODE_REASON="the gateway does not enforce letaicode credit yet (check mode: key with credit -> HTTP ${rich%% *}, key without credit -> HTTP ${poor%% *}; expected 200 and 403)"
    return 0
  fi
  set_credit_mode reserve
  probe_tally letaicode; rich="$PROBE"; probe_tally letaicode_poor; poor="$PROBE"
  if [[ "${rich%% *}" != 200 || "${poor%% *}" != 403 ]]; then
    CREDIT_MODE_REASON="reserve mode does not work on this build (key with credit -> HTTP ${rich%% *}, without -> HTTP ${poor%% *})"
  fi
}

CURRENT_MODE=""
set_credit_mode() {
  [[ "$CURRENT_MODE" == "$1" ]] && return 0
  gw_option letaicode_credit_mode "$1"
  CURRENT_MODE="$1"
  sleep "$BENCH_OPTION_WAIT"
}

# ------------------------------------------------------------------------------------------------ checks
# log rows (type 2) of a token and its used quota, against the upstream calls it caused
verify_gateway_key() { # verify_gateway_key KEYNAME SENT_OK
  local name="$1" sent_ok="$2" tid="${KEY_ID[$1]}" expect="${TALLY[$1]:-0}" rows=0 deadline=$(( SECONDS + 30 ))
  local page per_row used
  while (( SECONDS < deadline )); do
    page="$(gw GET "/api/log/?token_id=$tid&type=2&p=1&page_size=1")"
    rows="$(jq -r '.total' <<<"$page")"
    (( rows >= expect )) && break
    sleep 1
  done
  per_row="$(jq -r '.items[0].quota // 0' <<<"$page")"
  used="$(gw GET "/api/token/$tid" | jq -r '.used_quota')"
  local ok=1 sum how
  [[ "$rows" == "$expect" ]] && (( rows >= sent_ok )) && ok=0
  check "$ok" "$name key: $rows log rows for $expect upstream calls (wrk counted $sent_ok 2xx; the difference are requests in flight when wrk stopped)"
  if (( rows <= ${BENCH_LOG_SUM_MAX:-300000} )); then
    # the exact sum over every row (100 per page)
    local p pages=$(( (rows + 99) / 100 ))
    sum=0
    for (( p = 1; p <= pages; p++ )); do
      sum=$(( sum + $(gw GET "/api/log/?token_id=$tid&type=2&p=$p&page_size=100" | jq '[.items[].quota] | add // 0') ))
    done
    how="sum of the rows' quota"
  else
    sum=$(( rows * per_row ))
    how="rows x the first row's quota (all requests identical; more than BENCH_LOG_SUM_MAX rows to page through)"
  fi
  ok=1; [[ "$used" == "$sum" ]] && ok=0
  if [[ "$name" != letaicode && "$NATIVE_QUOTA_NOTE" == enforced* ]] && (( sum <= 0 )); then ok=1; fi
  check "$ok" "$name key: used_quota $used = $sum ($how)$( (( sum > 0 )) || echo '; nothing charged')"
  md "| $name | $sent_ok | $expect | $rows | $sum | $used |"
}

# the letaicode user's debit on the credit platform against the gateway's log rows (usage is delivered async)
verify_credit_debit() {
  local url="${CR_URL[credits]}" tid="${KEY_ID[letaicode]}" used expected bal held avail deadline=$(( SECONDS + 60 )) debit=""
  used="$(gw GET "/api/token/$tid" | jq -r '.used_quota')"
  # quota -> USD: / 500,000 (SPEC 2); USD -> credits: x credits_per_usd (100 unless the platform says otherwise)
  local cpu
  cpu="$(cr_ok "$url" GET /api/options | jq -r '[.. | objects | select(.key? == "credits_per_usd") | .value][0] // .data.credits_per_usd // 100' 2>/dev/null || echo 100)"
  [[ "$cpu" =~ ^[0-9.]+$ ]] || cpu=100
  expected="$(echo "scale=6; $used * $cpu / 500000" | bc)"
  while (( SECONDS < deadline )); do
    read -r bal held avail <<<"$(credits_balance "$url" "$RICH_USER")"
    debit="$(echo "scale=6; $RICH_BEFORE - $bal" | bc)"
    [[ "$(echo "$debit >= $expected" | bc)" == 1 ]] && break
    sleep 2
  done
  local ok=1
  [[ "$(echo "d = $debit - $expected; if (d < 0) d = -d; d <= 0.000001 * ${TALLY[letaicode]}" | bc)" == 1 ]] && ok=0
  check "$ok" "letaicode user on the credit platform: debited $(printf '%.6f' "$debit") credits; the gateway charged $used quota = $(printf '%.6f' "$expected") credits at $cpu credits/USD (held now $held)"
}

# ------------------------------------------------------------------------------------------------ cases
case_relay() {
  md "" "## Relay: non-stream chat completions (small body), side by side" ""
  md "Body: \`$BODY\`. Targets: \`mock\` = the mock upstream directly (baseline); \`native\` = through the gateway"
  md "with a native key (quota: $NATIVE_QUOTA_NOTE); \`check\`/\`reserve\` = through the gateway with a \`letaicode\` key"
  md "in that \`letaicode_credit_mode\` (the credit platform on the same machine)."
  local targets=(mock)
  if [[ -z "$GATEWAY_REASON" ]]; then targets+=(native); else skip "relay native: $GATEWAY_REASON"; fi
  if [[ -z "$CREDIT_MODE_REASON" ]]; then targets+=(check reserve); else skip "relay check/reserve: $CREDIT_MODE_REASON"; fi
  local t c id
  log "warm-up ($BENCH_WARMUP per target at 32 connections)"
  for t in "${targets[@]}"; do warm_target "$t"; done
  md_table_header
  for c in 1 $BENCH_CONNS; do
    for t in "${targets[@]}"; do
      id="$t-c$c"
      relay_run "$id" "$t" "$c" "$BENCH_DURATION" "$BODY"
      md_row "$id" "$t"
    done
  done
  local ids=()
  for c in 1 $BENCH_CONNS; do for t in "${targets[@]}"; do ids+=("$t-c$c"); done; done
  check_no_failures relay "${ids[@]}"
  md "" "### Gateway vs baseline" ""
  md "Added latency = target minus mock at 1 connection; throughput ratio = target req/s / mock req/s at the same connection count."
  md "" "| target | added p50 ms | added p99 ms | added p99.9 ms |$(for c in $BENCH_CONNS; do printf ' req/s ratio @%s |' "$c"; done)"
  md "|---|---:|---:|---:|$(for c in $BENCH_CONNS; do printf -- '---:|'; done)"
  for t in "${targets[@]}"; do
    [[ "$t" == mock ]] && continue
    local line="| $t | $(minus_ms "${R[$t-c1.p50]}" "${R[mock-c1.p50]}") | $(minus_ms "${R[$t-c1.p99]}" "${R[mock-c1.p99]}") | $(minus_ms "${R[$t-c1.p999]}" "${R[mock-c1.p999]}") |"
    for c in $BENCH_CONNS; do line+=" $(ratio "${R[$t-c$c.rps]}" "${R[mock-c$c.rps]}") |"; done
    md "$line"
  done
}

warm_target() {
  case "$1" in
    mock) mock_wrk "warm-mock" 32 "$BENCH_WARMUP" ;;
    native) gw_wrk "warm-native" native 32 "$BENCH_WARMUP" ;;
    check|reserve) set_credit_mode "$1"; gw_wrk "warm-$1" letaicode 32 "$BENCH_WARMUP" ;;
  esac
}
relay_run() { # relay_run ID TARGET CONNS DURATION BODY
  case "$2" in
    mock) mock_wrk "$1" "$3" "$4" "$5" ;;
    native) gw_wrk "$1" native "$3" "$4" "$BENCH_DIR/lua/post.lua" "$5" ;;
    check|reserve) set_credit_mode "$2"; gw_wrk "$1" letaicode "$3" "$4" "$BENCH_DIR/lua/post.lua" "$5" ;;
  esac
}

case_stream() {
  md "" "## Relay: streaming chat completions (SSE, 5 content chunks + usage), $BENCH_STREAM_CONNS connections" ""
  md "Latency = the whole stream, first byte to \`[DONE]\`."
  local targets=(mock) t id
  if [[ -z "$GATEWAY_REASON" ]]; then targets+=(native); else skip "stream native: $GATEWAY_REASON"; fi
  if [[ -z "$CREDIT_MODE_REASON" ]]; then targets+=(reserve); else skip "stream reserve: $CREDIT_MODE_REASON"; fi
  log "stream warm-up ($BENCH_WARMUP per target)"
  for t in "${targets[@]}"; do relay_run "warm-stream-$t" "$t" "$BENCH_STREAM_CONNS" "$BENCH_WARMUP" "$STREAM_BODY"; done
  md_table_header
  for t in "${targets[@]}"; do
    id="stream-$t"
    relay_run "$id" "$t" "$BENCH_STREAM_CONNS" "$BENCH_DURATION" "$STREAM_BODY"
    md_row "$id" "$t"
  done
  local t2 ids=()
  for t2 in "${targets[@]}"; do ids+=("stream-$t2"); done
  check_no_failures stream "${ids[@]}"
  for t2 in "${targets[@]}"; do
    [[ "$t2" == mock ]] || md "" "Throughput ratio $t2/mock: $(ratio "${R[stream-$t2.rps]}" "${R[stream-mock.rps]}")"
  done
}

case_streams_held() {
  local n="$BENCH_STREAMS" nofile
  nofile="$(ulimit -n)"
  if [[ "$nofile" != unlimited ]] && (( n * 2 + 2000 > nofile )); then
    local max=$(( (nofile - 2000) / 2 ))
    log "open-files limit $nofile: the gateway holds 2 sockets per stream; streams lowered from $n to $max"
    n=$max
  fi
  md "" "## Held streams: $n concurrent SSE streams through the gateway (a native key of its own)" ""
  if [[ -n "$GATEWAY_REASON" ]]; then skip "held streams: $GATEWAY_REASON"; return 0; fi
  md "The mock waits ${BENCH_STREAM_CHUNK_MS} ms before each of its 5 chunks, so every stream stays open ~$(( BENCH_STREAM_CHUNK_MS * 5 / 1000 )) s;"
  md "wrk keeps $n connections busy. RSS of the gateway sampled every 0.5 s (open-files limit: $nofile)."
  mock_config "{\"chunkDelayMs\":$BENCH_STREAM_CHUNK_MS}"
  local gpid="${PID[gateway]}" idle dur sampler
  idle="$(rss_mb "$gpid")"
  dur=$(( BENCH_STREAM_CHUNK_MS * 5 / 1000 * 2 + 4 ))
  (
    maxr=0; maxa=0
    while :; do
      r="$(awk '/^VmRSS/ {print $2}' "/proc/$gpid/status" 2>/dev/null || echo 0)"
      a="$(curl -fsS -m 2 "$MOCK_URL/_mock/stats" 2>/dev/null | jq -r '.activeStreams' 2>/dev/null || echo 0)"
      (( r > maxr )) && maxr=$r
      [[ "$a" =~ ^[0-9]+$ ]] && (( a > maxa )) && maxa=$a
      echo "$maxr $maxa" > "$RUN_DIR/held.max"
      sleep 0.5
    done
  ) &
  sampler=$!
  local s0 s1
  s0="$(mock_stat streamsCompleted)"
  gw_wrk "held" held "$n" "${dur}s" "$BENCH_DIR/lua/post.lua" "$STREAM_BODY"
  s1="$(mock_stat streamsCompleted)"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  mock_config '{"chunkDelayMs":0}'
  local maxr maxa
  read -r maxr maxa < "$RUN_DIR/held.max"
  md "" "| streams (connections) | peak active at upstream | completed | non-2xx | socket errors | gateway RSS idle MiB | gateway RSS peak MiB | MiB per 1k streams |"
  md "|---:|---:|---:|---:|---:|---:|---:|---:|"
  md "| $n | $maxa | $(( s1 - s0 )) | ${R[held.status]} | ${R[held.sockerr]} | $idle | $(( maxr / 1024 )) | $(awk -v p="$maxr" -v i="$idle" -v n="$maxa" 'BEGIN { if (n > 0) printf "%.0f", (p / 1024 - i) / n * 1000; else print "n/a" }') |"
  local text="held streams: gateway peak RSS $(( maxr / 1024 )) MiB with $maxa concurrent streams (target: 10,000 within 1 GiB)"
  if (( maxa >= 10000 )); then
    local ok=1
    (( maxr / 1024 <= 1024 )) && ok=0
    check "$ok" "$text"
  else
    CHECKS+=("INFO: $text; fewer than 10,000 streams, so no verdict")
  fi
  local fail=1
  [[ "${R[held.status]}" == 0 && "${R[held.sockerr]}" == 0 ]] && fail=0
  check "$fail" "held streams: every stream answered 2xx without socket errors (${R[held.status]} non-2xx, ${R[held.sockerr]} socket errors)"
}

# ------------------------------------------------------------------------------------------------ holds
case_holds() {
  md "" "## Credit platform: holds on one hot key (direct, $BENCH_HOLD_CONNS connections)" ""
  if [[ -n "$CREDITS_REASON" ]]; then skip "holds: $CREDITS_REASON"; return 0; fi
  md "Each connection: \`POST /api/credits/holds\` (\$0.01), then capture (\$0.005) or release, alternately."
  md "holds/s = granted holds per second; calls/s counts holds + captures + releases."
  md "" "| database | holds/s | calls/s | p50 ms | p99 ms | p99.9 ms | granted | refused (402) | other failures | socket errors |"
  md "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  local dbs=(h2) db name
  if pg_ready; then dbs+=(postgres); else skip "holds on PostgreSQL: no server at $BENCH_PG_URL_HOST:$BENCH_PG_PORT"; fi
  for db in "${dbs[@]}"; do
    if [[ "$db" == "$BENCH_DB" ]]; then
      name=credits
    else
      name="credits-$db"
      start_credits "$name" "$db" || { skip "holds on $db: $WAIT_ERROR"; continue; }
    fi
    holds_on "$name" "$db"
  done
}

holds_on() { # holds_on NAME DB
  local name="$1" db="$2" url="${CR_URL[$1]}" uid k key id
  uid="$(credits_user "$url" 100000000)"
  k="$(credits_key "$url" "$uid")"; key="${k%% *}"
  local before
  before="$(credits_balance "$url" "$uid")"
  run_wrk "holds-warm-$db" "$url/api/credits/holds" "$BENCH_HOLD_CONNS" "$BENCH_WARMUP" "$BENCH_DIR/lua/holds.lua" \
    BENCH_KEY_ID="$key" BENCH_SERVICE_TOKEN="$CREDITS_SERVICE_TOKEN" BENCH_RUN_ID="w$RANDOM$db"
  id="holds-$db"
  run_wrk "$id" "$url/api/credits/holds" "$BENCH_HOLD_CONNS" "$BENCH_DURATION" "$BENCH_DIR/lua/holds.lua" \
    BENCH_KEY_ID="$key" BENCH_SERVICE_TOKEN="$CREDITS_SERVICE_TOKEN" BENCH_RUN_ID="m$RANDOM$db"
  local hps
  hps="$(per_s "${R[$id.granted]}" "${R[$id.duration_us]}")"
  md "| $db | $hps | ${R[$id.rps]} | $(ms "${R[$id.p50]}") | $(ms "${R[$id.p99]}") | $(ms "${R[$id.p999]}") | ${R[$id.granted]} | ${R[$id.refused]} | $(( ${R[$id.failed]} + ${R[$id.unparsed]} )) | ${R[$id.sockerr]} |"
  R["$id.hps"]="$hps"
  local bal held avail
  read -r bal held avail <<<"$(credits_balance "$url" "$uid")"
  local ok=1
  awk -v b="$bal" -v h="$held" -v a="$avail" 'BEGIN { exit !(b >= 0 && h >= 0 && a >= 0) }' && ok=0
  check "$ok" "holds $db: hot user after $(( ${R[holds-warm-$db.granted]} + ${R[$id.granted]} )) holds: balance $bal, held $held, available $avail (none negative)"
  ok=1; [[ $(( ${R[$id.failed]} + ${R[$id.unparsed]} )) == 0 ]] && ok=0
  check "$ok" "holds $db: no failed hold/capture/release calls (${R[$id.failed]} non-2xx other than 402, ${R[$id.unparsed]} 201 without holdId)"
  # Overdraft check: a user with 20 credits; each hold is 1 credit (\$0.01 at 100 credits/USD), each capture 0.5.
  local small_uid sk
  small_uid="$(credits_user "$url" 20)"
  sk="$(credits_key "$url" "$small_uid")"
  run_wrk "drain-$db" "$url/api/credits/holds" "$BENCH_HOLD_CONNS" 3s "$BENCH_DIR/lua/holds.lua" \
    BENCH_KEY_ID="${sk%% *}" BENCH_SERVICE_TOKEN="$CREDITS_SERVICE_TOKEN" BENCH_RUN_ID="d$RANDOM$db"
  read -r bal held avail <<<"$(credits_balance "$url" "$small_uid")"
  local tx negative
  tx="$(cr_ok "$url" GET "/api/users/$small_uid/transactions?page=1&pageSize=100")"
  negative="$(jq '[.data.items[]? | (.balanceAfter // .balance) | select(type == "number" and . < 0)] | length' <<<"$tx" 2>/dev/null || echo '?')"
  ok=1
  awk -v b="$bal" -v h="$held" -v a="$avail" 'BEGIN { exit !(b >= 0 && h >= 0 && a >= 0) }' && [[ "$negative" == 0 ]] && ok=0
  check "$ok" "holds $db drain: 20-credit user under $BENCH_HOLD_CONNS connections: ${R[drain-$db.granted]} granted, ${R[drain-$db.refused]} refused; final balance $bal, held $held, available $avail; $negative negative ledger rows"
}

# ------------------------------------------------------------------------------------------------ outage
case_outage() {
  md "" "## Outage: credit platform frozen (SIGSTOP), reserve mode, letaicode_timeout_ms=$BENCH_OUTAGE_TIMEOUT_MS" ""
  if [[ -n "$CREDIT_MODE_REASON" ]]; then skip "outage: $CREDIT_MODE_REASON"; return 0; fi
  md "First 5 requests one after the other (curl), then wrk at 1 connection while the breaker is open."
  md "" "| fallback | first 5 requests (status, seconds) | wrk req/s | p50 ms | p99 ms | p99.9 ms | max ms | statuses | after recovery |"
  md "|---|---|---:|---:|---:|---:|---:|---|---|"
  gw_option letaicode_timeout_ms "$BENCH_OUTAGE_TIMEOUT_MS"
  set_credit_mode reserve
  local fb
  for fb in deny local; do
    gw_option letaicode_fallback "$fb"
    sleep "$BENCH_OPTION_WAIT"
    outage_with "$fb"
  done
}

outage_with() {
  local fb="$1" cpid="${PID[credits]}" first="" i res id="outage-$fb" slowest_first=0
  kill -STOP "$cpid"
  for i in 1 2 3 4 5; do
    probe_tally letaicode; res="$PROBE"
    first+="${res%% *} $(awk -v s="${res#* }" 'BEGIN { printf "%.3f", s }'); "
    slowest_first="$(awk -v a="$slowest_first" -v s="${res#* }" 'BEGIN { s *= 1e6; print (s > a ? int(s) : a) }')"
  done
  gw_wrk "$id" letaicode 1 "$BENCH_DURATION"
  kill -CONT "$cpid"
  # back to normal: the breaker must close again once the platform answers
  local deadline=$(( SECONDS + 90 )) back="not within 90 s"
  while (( SECONDS < deadline )); do
    probe_tally letaicode; res="$PROBE"
    if [[ "${res%% *}" == 200 ]] && awk -v s="${res#* }" 'BEGIN { exit !(s < 0.2) }'; then back="200 after $(( 90 - deadline + SECONDS )) s"; break; fi
    sleep 1
  done
  md "| $fb | ${first% } | ${R[$id.rps]} | $(ms "${R[$id.p50]}") | $(ms "${R[$id.p99]}") | $(ms "${R[$id.p999]}") | $(ms "${R[$id.max]}") | ${R[$id.ok]} 2xx, ${R[$id.status]} non-2xx | $back |"
  local ok=1 want=200
  [[ "$fb" == deny ]] && want=503
  [[ "$first" =~ ^($want [0-9.]+; ){5}$ ]] && ok=0
  check "$ok" "outage $fb: the first 5 requests answered $want ($first)"
  ok=1
  awk -v m="$slowest_first" -v t="$BENCH_OUTAGE_TIMEOUT_MS" 'BEGIN { exit !(m / 1000 <= t * 1.2 + 50) }' && ok=0
  check "$ok" "outage $fb: slowest of the first 5 requests $(ms "$slowest_first") ms (bound: one deadline, $BENCH_OUTAGE_TIMEOUT_MS ms, +20% +50 ms slack)"
  # "nothing once the breaker is open": the median must be no worse than a native request's (+2 ms of noise);
  # p99 and max are in the table (half-open trial calls may cost a deadline now and then)
  local ref="${R[native-c1.p50]:-3000}" what="the native key's p50 at 1 connection"
  [[ -n "${R[native-c1.p50]:-}" ]] || what="3 ms (relay case not run)"
  ok=1
  awk -v m="${R[$id.p50]}" -v r="$ref" 'BEGIN { exit !(m <= r + 2000) }' && ok=0
  check "$ok" "outage $fb: p50 $(ms "${R[$id.p50]}") ms once the breaker is open (bound: $what, $(ms "$ref") ms, + 2 ms)"
}

# ------------------------------------------------------------------------------------------------ main
main() {
  ensure_tools
  ensure_wrk
  if [[ "$BENCH_DB" == postgres ]] && ! pg_ready; then die "BENCH_DB=postgres but no PostgreSQL at $BENCH_PG_URL_HOST:$BENCH_PG_PORT (user $BENCH_PG_USER)"; fi
  build_jars
  local load_start
  load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
  log "run dir $RUN_DIR; duration $BENCH_DURATION, warm-up $BENCH_WARMUP, db $BENCH_DB, cases: $BENCH_CASES"
  start_mock
  start_gateway
  setup_gateway_native
  setup_credit_platform
  [[ -n "$CREDIT_MODE_REASON" ]] && log "credit cases: $CREDIT_MODE_REASON"
  local c
  for c in $BENCH_CASES; do
    case "$c" in
      relay) case_relay ;;
      stream) case_stream ;;
      streams_held) case_streams_held ;;
      holds) case_holds ;;
      outage) case_outage ;;
      *) die "unknown case $c (expected: relay stream streams_held holds outage)" ;;
    esac
  done

  # ---- checks of what the gateway recorded
  md "" "## Accounting checks" ""
  md "Log rows (type 2) and used quota per gateway key, read back through the management API after the run."
  md "\"2xx seen by wrk\" excludes requests still in flight when wrk stopped: those reached the upstream and are logged."
  md "" "| key | 2xx seen by wrk | upstream calls | log rows | quota in log rows | token used_quota |"
  md "|---|---:|---:|---:|---:|---:|"
  local k id sent
  for k in native held letaicode; do
    [[ -n "${KEY_ID[$k]:-}" && -n "${TALLY[$k]:-}" ]] || continue
    [[ "$k" == letaicode && -n "$CREDIT_MODE_REASON" ]] && continue
    sent=0
    for id in "${!R[@]}"; do
      [[ "$id" == *.ok ]] || continue
      id="${id%.ok}"
      case "$k:$id" in
        native:native-*|native:warm-native|native:stream-native|native:warm-stream-native|held:held) sent=$(( sent + ${R[$id.ok]} )) ;;
        letaicode:check-*|letaicode:reserve-*|letaicode:warm-check|letaicode:warm-reserve|letaicode:stream-reserve|letaicode:warm-stream-reserve|letaicode:outage-*) sent=$(( sent + ${R[$id.ok]} )) ;;
      esac
    done
    verify_gateway_key "$k" "$sent"
  done
  [[ -n "${KEY_ID[letaicode]:-}" && -n "${TALLY[letaicode]:-}" && -z "$CREDIT_MODE_REASON" ]] && verify_credit_debit

  # ---- processes
  md "" "## Processes after the run" ""
  md "| process | pid | RSS MiB | peak RSS (VmHWM) MiB |"
  md "|---|---:|---:|---:|"
  local name
  for name in mock gateway credits credits-postgres credits-h2; do
    [[ -n "${PID[$name]:-}" ]] || continue
    md "| $name | ${PID[$name]} | $(rss_mb "${PID[$name]}") | $(hwm_mb "${PID[$name]}") |"
  done

  write_results "$load_start"
}

write_results() {
  mkdir -p "$RESULTS_DIR"
  local file="$RESULTS_DIR/$STAMP.md" failures=0 c
  for c in "${CHECKS[@]}"; do [[ "$c" == FAIL* ]] && failures=$(( failures + 1 )); done
  {
    echo "# Benchmark $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "Command: \`$(env | grep -E '^BENCH_(QUICK|DURATION|WARMUP|DB|CASES|CONNS|STREAMS|STREAM_CONNS|STREAM_CHUNK_MS|HOLD_CONNS|JAVA_OPTS|OUTAGE_TIMEOUT_MS|OPTION_WAIT|REBUILD|GATEWAY_JAR|CREDITS_JAR|MOCK_JAR)=' | sort | sed -E "s/=(.*)/='\\1'/" | tr '\n' ' ')$COMMAND_LINE\`"
    echo
    echo "| machine | |"
    echo "|---|---|"
    echo "| nproc | $(nproc) |"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
    echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
    echo "| JDK | $("$JAVA" -version 2>&1 | head -1) |"
    echo "| JVM options (each service) | \`$BENCH_JAVA_OPTS\` |"
    echo "| wrk | $(wrk -v 2>&1 | head -1 | cut -c1-60) |"
    echo "| kernel | $(uname -r) |"
    echo "| load average at start | $1 (other work on the machine competes with the benchmark) |"
    echo "| commit | $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?')$( [[ -n "$(git status --porcelain 2>/dev/null | grep -v '^?? bench/results' || true)" ]] && echo ' (uncommitted changes)') |"
    echo "| jars | gateway $(basename "$GATEWAY_JAR") ($(date -r "$GATEWAY_JAR" '+%Y-%m-%d %H:%M')), credits $( [[ -f "$CREDITS_JAR" ]] && date -r "$CREDITS_JAR" '+%Y-%m-%d %H:%M' || echo absent) |"
    echo "| storage | $BENCH_DB (fresh per run) |"
    echo "| durations | $BENCH_DURATION per measurement, $BENCH_WARMUP warm-up |"
    echo
    echo "All processes (wrk, mock upstream, gateway, credit platform) share the same $(nproc) cores: compare the"
    echo "ratios measured side by side in this run, not the absolute numbers. Latencies are wrk's (HdrHistogram)."
    cat "$MD"
    echo
    echo "## Checks ($failures failed)"
    echo
    for c in "${CHECKS[@]}"; do echo "- $c"; done
    if (( ${#SKIPPED[@]} > 0 )); then
      echo
      echo "## Skipped"
      echo
      for c in "${SKIPPED[@]}"; do echo "- skipped: $c"; done
    fi
  } > "$file"
  cp "$file" "$RESULTS_DIR/latest.md"
  log "results: $file (and bench/results/latest.md); $failures failed checks"
}

main "$@"
