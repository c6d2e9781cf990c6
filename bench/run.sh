#!/usr/bin/env bash
# Creditgate benchmark harness: mock upstream, gateway and credit platform as separate processes on loopback,
# configured through their HTTP APIs as an operator would, loaded with wrk side by side in ONE run.
# Results: bench/results/<YYYY-MM-DD>-<HHMM>.md and bench/results/latest.md. See bench/README.md.
#
#   bench/run.sh                       all cases, BENCH_DURATION=10s per measurement
#   BENCH_QUICK=1 bench/run.sh         3 s per measurement, shorter warm-ups, fewer held streams
#   BENCH_DB=postgres bench/run.sh     gateway + credits on fresh PostgreSQL databases at 127.0.0.1:5432
#   BENCH_CASES="relay holds" ...      only some cases (relay stream streams_held holds outage coldstart)
#   BENCH_ROUNDS=5 bench/run.sh        more rounds of the side-by-side relay targets (default 3)
#   BENCH_AOT=1 bench/run.sh           the gateway from its extracted jar with a JDK AOT cache trained in the run
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
BENCH_CONNS="${BENCH_CONNS:-32}"                     # throughput connection counts (1 is always measured)
BENCH_ROUNDS="${BENCH_ROUNDS:-3}"                    # relay case: rounds, each measuring every target once
BENCH_NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"      # nginx worker_processes (1: as fast as auto here; README)
BENCH_LEASE="${BENCH_LEASE:-auto}"                   # lease target: auto (when the gateway knows the option), 1, 0
BENCH_COLD_SLICE="${BENCH_COLD_SLICE:-5}"            # cold start: seconds per wrk slice
BENCH_COLD_SLICES="${BENCH_COLD_SLICES:-12}"         # cold start: slices per variant (12 x 5 s = 60 s)
BENCH_TARGETS="${BENCH_TARGETS:-}" # relay case: only these targets (and mock); empty: all
BENCH_COLD_VARIANTS="${BENCH_COLD_VARIANTS:-jar extracted aot}" # cold start: fat jar, extracted jar, + AOT cache
BENCH_COLD_ROUNDS="${BENCH_COLD_ROUNDS:-3}"          # cold start: each variant this many times, interleaved
BENCH_AOT_TRAIN="${BENCH_AOT_TRAIN:-30s}"            # AOT cache training run: load on the request path
BENCH_AOT="${BENCH_AOT:-0}"                          # 1: the main gateway runs from the extracted jar + AOT cache
BENCH_STREAM_CONNS="${BENCH_STREAM_CONNS:-32}"
BENCH_STREAM_CHUNK_MS="${BENCH_STREAM_CHUNK_MS:-1000}" # held-streams case: delay before each of the 5 chunks
BENCH_HOLD_CONNS="${BENCH_HOLD_CONNS:-64}"
BENCH_DB="${BENCH_DB:-h2}"
BENCH_CASES="${BENCH_CASES:-relay stream streams_held holds outage coldstart}"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xms256m -Xmx1g}"
BENCH_OPTION_WAIT="${BENCH_OPTION_WAIT:-2.5}"          # seconds for a PUT /api/option/ to reach the relay
BENCH_LOG_SUM_MAX="${BENCH_LOG_SUM_MAX:-50000}"        # accounting: up to this many log rows per key are summed one by one
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
MOCK_UPSTREAM_KEY="sk-mock-upstream"  # the channel's key (the mock accepts any)
NGINX_WORKER_PIDS=()
CLK_TCK="$(getconf CLK_TCK)"
USED_PORTS=" "
SKIPPED=()
CHECKS=()                      # "PASS|FAIL: text"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
DIED_WITH=""                   # die's message, for the partial report
RESULTS_WRITTEN=0
die() { log "ERROR: $*"; DIED_WITH="$*"; exit 1; }
md() { printf '%s\n' "$@" >> "$MD"; }
skip() { log "skipped: $*"; SKIPPED+=("$*"); md "" "skipped: $*"; }
check() { # check <condition-result 0|1> <text>
  if [[ "$1" == 0 ]]; then CHECKS+=("PASS: $2"); log "PASS: $2"; else CHECKS+=("FAIL: $2"); log "FAIL: $2"; fi
}

# ------------------------------------------------------------------------------------------------ cleanup
cleanup() {
  local rc=$?
  set +eu
  if [[ $rc -ne 0 && "$RESULTS_WRITTEN" == 0 && -s "$MD" ]]; then # a run that stopped early keeps what it measured
    CHECKS+=("FAIL: the run stopped early (exit $rc): ${DIED_WITH:-see the log}; the cases after that point did not run")
    STAMP="$STAMP-partial"
    UPTIME_END="$(uptime)"
    write_results
  fi
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
  # nginx's workers end with their master; one left behind (the master killed -9) is ended here, by pid
  local w
  for w in "${NGINX_WORKER_PIDS[@]}"; do
    [[ "$(cat "/proc/$w/comm" 2>/dev/null)" == nginx ]] && kill "$w" 2>/dev/null
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
# one key for every gateway of a run (a restarted gateway must open what the first one sealed)
GATEWAY_SECRET_KEY="${GATEWAY_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
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
  R["$id.key"]="$key"
}
# mock_wrk ID CONNS DURATION [BODY] [URL]: the mock directly (or, with URL, nginx in front of it). The request is the
# one the gateway sends upstream: same body, the channel's key as bearer.
mock_wrk() {
  local before after
  before="$(mock_calls)"
  run_wrk "$1" "${5:-$MOCK_URL}/v1/chat/completions" "$2" "$3" "$BENCH_DIR/lua/post.lua" BENCH_BODY="${4:-$BODY}" \
    BENCH_AUTH="$MOCK_UPSTREAM_KEY"
  after="$(mock_calls)"
  R["$1.upstream"]=$(( after - before ))
}
nginx_wrk() { mock_wrk "$1" "$2" "$3" "${4:-$BODY}" "$NGINX_URL"; } # nginx_wrk ID CONNS DURATION [BODY]

# gw_metric NAME: the value of one untagged meter in the gateway's /actuator/prometheus (0 when absent)
gw_metric() {
  curl -fsS -m 10 "$GW_URL/actuator/prometheus" 2>/dev/null | awk -v m="$1" '$1 == m { v = $2 } END { print (v == "" ? 0 : v) }'
}

# gw_errors: relay answers the gateway counted (gateway_relay_requests_total) that were neither 2xx nor 499
gw_errors() {
  curl -fsS -m 10 "$GW_URL/actuator/prometheus" 2>/dev/null | awk '
    /^gateway_relay_requests_total\{/ && !/status="2[0-9][0-9]"/ && !/status="499"/ { n += $NF }
    END { printf "%d\n", n }'
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

# ------------------------------------------------------------------------------------------------ rounds, CPU
now_s() { date +%s.%N; }
# stats V...: "min median max" of the numeric arguments (nothing when none is numeric)
stats() {
  printf '%s\n' "$@" | grep -E '^[-+]?[0-9]+([.][0-9]+)?$' | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print v[1], m, v[NR] }'
}
# stat_cells FORMAT V...: three Markdown cells "min | median | max" (n/a when no value)
stat_cells() {
  local f="$1" st
  shift
  st="$(stats "$@")"
  if [[ -z "$st" ]]; then echo "n/a | n/a | n/a"; return 0; fi
  awk -v f="$f" -v s="$st" 'BEGIN { split(s, a, " "); printf f " | " f " | " f, a[1], a[2], a[3] }'
}
stat_median() { local st; st="$(stats "$@")"; [[ -n "$st" ]] && cut -d' ' -f2 <<<"$st"; return 0; }

# proc_ticks PID: CPU time of the process (utime + stime of all its threads, /proc/PID/stat fields 14 and 15), in
# clock ticks (getconf CLK_TCK); 0 when it is gone
proc_ticks() {
  local line
  line="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return 0; }
  line="${line##*) }"   # the command name may contain spaces: fields counted after it (field 3 first)
  awk '{ print $12 + $13 }' <<<"$line"
}
# tree_ticks PID: the process and its direct children (nginx: the master and its workers)
tree_ticks() {
  local t c
  t="$(proc_ticks "$1")"
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do t=$(( t + $(proc_ticks "$c") )); done
  echo "$t"
}
CPU_PROCS=(mock nginx gateway credits)
cpu_mark() { # cpu_mark ID 0|1: CPU ticks of every measured process before (0) / after (1) a run
  local p
  for p in "${CPU_PROCS[@]}"; do
    [[ -n "${PID[$p]:-}" ]] || continue
    R["$1.t$2.$p"]="$(tree_ticks "${PID[$p]}")"
  done
}
cpu_per_req() { # cpu_per_req ID PROC: ms of CPU per request completed by wrk (empty when not measured)
  awk -v a="${R[$1.t0.$2]:-}" -v b="${R[$1.t1.$2]:-}" -v n="${R[$1.requests]:-0}" -v hz="$CLK_TCK" \
    'BEGIN { if (a != "" && b != "" && n > 0) printf "%.4f", (b - a) * 1000 / hz / n }'
}

# outbox_backlog: events the gateway's usage outbox has still to deliver (intent + pending); "?" when not readable
outbox_backlog() {
  local n=0 st res
  for st in intent pending; do
    res="$(http GET "$GW_URL/api/usage_event/?status=$st&p=1&page_size=1" "" "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
    [[ "${res%% *}" == 200 ]] || { echo "?"; return 0; }
    n=$(( n + $(jq -r '.data.total // 0' <<<"${res#* }") ))
  done
  echo "$n"
}
# outbox_drain ID: waits (at most 30 s) until the outbox has delivered what the run produced; R[ID.drain_s]
outbox_drain() {
  local t0 n deadline=$(( SECONDS + 30 ))
  t0="$(now_s)"
  while (( SECONDS < deadline )); do
    n="$(outbox_backlog)"
    [[ "$n" == 0 || "$n" == "?" ]] && break
    sleep 0.2
  done
  R["$1.drain_s"]="$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')"
  R["$1.backlog"]="$n"
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
jfr_opts() { [[ "$BENCH_JFR" == 1 ]] && echo "-XX:FlightRecorderOptions:stackdepth=256 -XX:StartFlightRecording=filename=$RUN_DIR/$1.jfr,settings=profile,dumponexit=true"; return 0; }
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

# nginx: a reference proxy in front of the same mock (the floor of what a proxy hop costs on this machine). Started by
# the harness with its own config in the run directory (no system config, no daemon: "daemon off" keeps the master a
# child of this script; cleanup ends it and it ends its workers). Keepalive to the mock like the gateway's HTTP client.
NGINX_REASON=""               # empty: the nginx target is measured
NGINX_VERSION=""
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "nginx not found: installing the Debian package nginx-light"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) >&2 \
      || { NGINX_REASON="apt-get install nginx-light failed"; return 0; }
    # the package's init script may have started the system's nginx (not under systemd: usually not); ours is separate
  else
    NGINX_REASON="nginx not found (Debian/Ubuntu: sudo apt-get install nginx-light)"
    return 0
  fi
  command -v nginx >/dev/null 2>&1 || NGINX_REASON="nginx still not on PATH after apt-get install nginx-light"
}

start_nginx() {
  ensure_nginx
  [[ -z "$NGINX_REASON" ]] || { log "nginx target: $NGINX_REASON"; return 0; }
  NGINX_VERSION="$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  free_port NGINX_PORT
  NGINX_URL="http://127.0.0.1:$NGINX_PORT"
  local dir="$RUN_DIR/nginx"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
# generated by bench/run.sh for one run; started with: nginx -p $dir/ -c $dir/nginx.conf
daemon off;
master_process on;
worker_processes $BENCH_NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    proxy_max_temp_file_size 0;
    keepalive_timeout 75s;
    keepalive_requests 100000000;
    upstream mock {
        server 127.0.0.1:$MOCK_PORT;
        keepalive 128;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        location / {
            proxy_pass http://mock;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
  if ! nginx -t -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" > "$RUN_DIR/nginx-test.log" 2>&1; then
    NGINX_REASON="nginx -t refused the generated config: $(tail -1 "$RUN_DIR/nginx-test.log")"
    log "nginx target: $NGINX_REASON"
    return 0
  fi
  (exec nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log") > "$RUN_DIR/nginx.log" 2>&1 &
  PID[nginx]=$!
  if ! wait_http "$NGINX_URL/_mock/stats" 20 nginx; then
    NGINX_REASON="nginx did not answer: $WAIT_ERROR"
    log "nginx target: $NGINX_REASON"
    kill "${PID[nginx]}" 2>/dev/null || true
    unset 'PID[nginx]'
    return 0
  fi
  NGINX_WORKER_PIDS=($(cat /proc/"${PID[nginx]}"/task/*/children 2>/dev/null))
  log "nginx pid ${PID[nginx]} (workers: ${NGINX_WORKER_PIDS[*]}) at $NGINX_URL -> $MOCK_URL"
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

# launch_gateway NAME PORT ADMIN_TOKEN JAR [JVM OPTION...]: a gateway process in $RUN_DIR/NAME (fresh H2 there, or a
# fresh PostgreSQL database); PID[NAME]. Tomcat's default cap of 8192 connections would cut the held-streams case
# short: raised as an operator would.
launch_gateway() {
  local name="$1" port="$2" token="$3" jar="$4"
  shift 4
  mkdir -p "$RUN_DIR/$name"
  datasource_env gw "$BENCH_DB"
  (cd "$RUN_DIR/$name" && exec env $DS_ENV GATEWAY_ADMIN_TOKEN="$token" GATEWAY_SECRET_KEY="$GATEWAY_SECRET_KEY" SERVER_PORT="$port" \
      SERVER_ADDRESS=127.0.0.1 SERVER_TOMCAT_MAXCONNECTIONS=20000 SERVER_TOMCAT_ACCEPTCOUNT=1000 \
      "$JAVA" $BENCH_JAVA_OPTS "$@" -jar "$jar") > "$RUN_DIR/$name.log" 2>&1 &
  PID[$name]=$!
}

start_gateway() {
  free_port GW_PORT
  GW_URL="http://127.0.0.1:$GW_PORT"
  GATEWAY_ADMIN_TOKEN="$(rand_token 48)"
  local jar="$GATEWAY_JAR" opts=() how="fat jar"
  if [[ "$BENCH_AOT" == 1 ]]; then
    aot_prepare || die "BENCH_AOT=1: $AOT_REASON"
    jar="$AOT_JAR"; opts=(-XX:AOTCache="$AOT_CACHE"); how="extracted jar + AOT cache $AOT_CACHE"
  fi
  launch_gateway gateway "$GW_PORT" "$GATEWAY_ADMIN_TOKEN" "$jar" "${opts[@]}" $(jfr_opts gateway)
  wait_http "$GW_URL/actuator/health" 120 gateway || { tail -40 "$RUN_DIR/gateway.log" >&2; die "$WAIT_ERROR"; }
  GATEWAY_LAUNCH="$how"
  log "gateway pid ${PID[gateway]} at $GW_URL ($BENCH_DB, $how)"
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
declare -A COST_SUM=()         # exact cost (USD) of a key's log rows, summed by verify_gateway_key
CREDITS_REASON=""              # empty: the credit platform answers its API (holds case)
CREDIT_MODE_REASON=""          # empty: the gateway enforces letaicode credit (check/reserve, outage cases)
NATIVE_QUOTA_NOTE=""

GATEWAY_REASON=""              # empty: the gateway has its management API and relay (every gateway case)
setup_gateway_native() {
  local res
  res="$(http POST "$GW_URL/api/channel/" "$(jq -nc --arg u "$MOCK_URL" --arg k "$MOCK_UPSTREAM_KEY" \
    '{name: "mock", type: "openai", base_url: $u, key: $k, models: "gpt-4o-mini", priority: 0, weight: 1, status: 1}')" \
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
    '{name: "bench-native-stream", user_id: $u, remain_quota: 1000000000000, unlimited_quota: false, expired_time: -1}')")"
  KEY[native_stream]="$(jq -r '.key' <<<"$tok")"; KEY_ID[native_stream]="$(jq -r '.id' <<<"$tok")"
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
  STREAM_USER="$(credits_user "$url" 100000000)"    # the stream case's letaicode key, on a user of its own
  read -r kid KEY_ID[letaicode_stream] KEY[letaicode_stream] <<<"$(credits_key "$url" "$STREAM_USER")"
  STREAM_BEFORE="$(credits_balance "$url" "$STREAM_USER" | cut -d' ' -f1)"
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
CURRENT_LEASE=""
# set_credit_mode MODE [on|off]: letaicode_credit_mode and, when this gateway knows the option, letaicode_lease
# (default off); waits BENCH_OPTION_WAIT after a change
set_credit_mode() {
  local changed=0 lease="${2:-off}"
  if [[ "$CURRENT_MODE" != "$1" ]]; then gw_option letaicode_credit_mode "$1"; CURRENT_MODE="$1"; changed=1; fi
  if [[ "$LEASE_KNOWN" == 1 && "$CURRENT_LEASE" != "$lease" ]]; then
    gw_option letaicode_lease "$lease"; CURRENT_LEASE="$lease"; changed=1
    [[ "$lease" == off ]] && LEASE_OFF_AT="$(now_s)"
  fi
  (( changed == 0 )) || sleep "$BENCH_OPTION_WAIT"
}

# ------------------------------------------------------------------------------------------------ leases
# The lease target: reserve mode with letaicode_lease=on (SPEC 4.4), a letaicode key and platform user of its own so
# that its money is checked on its own. The gateway stores unknown option keys as given, so a value it does not
# accept tells whether it knows the option: a 4xx for a nonsense value = known (validated); a 2xx = unknown.
LEASE_KNOWN=0
LEASE_OFF_AT=""
LEASE_REASON="not probed"      # empty: the lease target is measured
detect_lease() {
  if [[ "$BENCH_LEASE" == 0 ]]; then LEASE_REASON="not measured (BENCH_LEASE=0)"; return 0; fi
  if [[ -n "$CREDIT_MODE_REASON" ]]; then LEASE_REASON="$CREDIT_MODE_REASON"; return 0; fi
  local res
  if [[ "$BENCH_LEASE" != 1 ]]; then
    res="$(http PUT "$GW_URL/api/option/" '{"key":"letaicode_lease","value":"bench-not-a-lease-value"}' \
      "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
    if [[ "${res%% *}" == 2* ]]; then
      gw_option letaicode_lease off   # leave a sane value behind in the unknown key
      LEASE_REASON="n/a (option unknown): this gateway build accepts any value for letaicode_lease (stored as an unknown option), so it has no credit leases; BENCH_LEASE=1 measures the target anyway"
      return 0
    fi
    log "letaicode_lease: a nonsense value is refused (HTTP ${res%% *}: $(head -c 160 <<<"${res#* }")): the option exists"
  fi
  res="$(http PUT "$GW_URL/api/option/" '{"key":"letaicode_lease","value":"off"}' "Authorization: Bearer $GATEWAY_ADMIN_TOKEN")"
  if [[ "${res%% *}" != 2* ]]; then
    LEASE_REASON="n/a (option refused): PUT letaicode_lease=off -> HTTP ${res%% *}: $(head -c 200 <<<"${res#* }")"
    return 0
  fi
  LEASE_KNOWN=1; CURRENT_LEASE=off
  local url="${CR_URL[credits]}" kid rich poor
  LEASE_USER="$(credits_user "$url" 100000000)"
  read -r kid KEY_ID[lease] KEY[lease] <<<"$(credits_key "$url" "$LEASE_USER")"
  LEASE_BEFORE="$(credits_balance "$url" "$LEASE_USER" | cut -d' ' -f1)"
  set_credit_mode reserve on
  probe_tally lease; rich="$PROBE"; probe_tally letaicode_poor; poor="$PROBE"
  set_credit_mode reserve off
  if [[ "${rich%% *}" != 200 || "${poor%% *}" != 403 ]]; then
    LEASE_REASON="n/a (leases on: key with credit -> HTTP ${rich%% *}, key without credit -> HTTP ${poor%% *}; expected 200 and 403)"
    return 0
  fi
  LEASE_REASON=""
  log "lease target: letaicode_lease=on works (200 with credit, 403 without)"
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
  local per_cost
  per_cost="$(jq -r '.items[0].cost_usd // "0"' <<<"$page")"
  used="$(gw GET "/api/token/$tid" | jq -r '.used_quota')"
  local ok=1 sum how cost pages=$(( (rows + 99) / 100 ))
  [[ "$rows" == "$expect" ]] && (( rows >= sent_ok )) && ok=0
  check "$ok" "$name key: $rows log rows for $expect upstream calls (wrk counted $sent_ok 2xx; the difference are requests in flight when wrk stopped)"
  # each page: "<sum of quota> <sum of cost_usd> <distinct quota values> <distinct costs>"
  local page_sums='"\([.items[].quota] | add // 0) \([.items[].cost_usd // "0" | tonumber] | add // 0) \([.items[].quota] | unique | length) \([.items[].cost_usd] | unique | length)"'
  local first last uniform=1
  # streams cut when wrk stops are charged for what they delivered: stream keys are always summed row by row
  [[ "$name" == *_stream || "$name" == held ]] && uniform=0
  if (( rows > BENCH_LOG_SUM_MAX && uniform == 1 )); then
    first="$(gw GET "/api/log/?token_id=$tid&type=2&p=1&page_size=100" | jq -r "$page_sums")"
    last="$(gw GET "/api/log/?token_id=$tid&type=2&p=$pages&page_size=100" | jq -r "$page_sums")"
    if [[ "$(cut -d' ' -f3,4 <<<"$first") $(cut -d' ' -f3,4 <<<"$last")" != "1 1 1 1" ]]; then
      uniform=0
      log "$name key: the newest and oldest log rows differ ($first / $last): summing all $rows rows one page at a time"
    fi
  fi
  if (( rows <= BENCH_LOG_SUM_MAX || uniform == 0 )); then
    # the exact sum over every row (100 per page)
    local p line
    sum=0; cost=0
    for (( p = 1; p <= pages; p++ )); do
      line="$(gw GET "/api/log/?token_id=$tid&type=2&p=$p&page_size=100" | jq -r "$page_sums")"
      sum=$(( sum + ${line%% *} ))
      cost="$(awk -v a="$cost" -v b="$(cut -d' ' -f2 <<<"$line")" 'BEGIN { printf "%.12f", a + b }')"
    done
    how="sum of the rows' quota"
  else
    # every request of a key is identical: rows x the first row, after checking that the newest and the oldest page
    # hold one quota and one cost each (paging 100 rows at a time through more rows takes minutes on a busy box)
    sum=$(( rows * per_row ))
    cost="$(awk -v n="$rows" -v c="$per_cost" 'BEGIN { printf "%.12f", n * c }')"
    how="rows x the first row's quota: more than BENCH_LOG_SUM_MAX=$BENCH_LOG_SUM_MAX rows, the newest and the oldest 100 all alike"
  fi
  COST_SUM[$name]="$cost"
  ok=1; [[ "$used" == "$sum" ]] && ok=0
  if [[ "$name" != letaicode && "$NATIVE_QUOTA_NOTE" == enforced* ]] && (( sum <= 0 )); then ok=1; fi
  check "$ok" "$name key: used_quota $used = $sum ($how)$( (( sum > 0 )) || echo '; nothing charged')"
  md "| $name | $sent_ok | $expect | $rows | $sum | $used |"
}

# the letaicode user's debit on the credit platform against the gateway's log rows (usage is delivered async)
verify_credit_debit() { # verify_credit_debit KEYNAME USER BALANCE_BEFORE
  local name="$1" user="$2" before="$3"
  local url="${CR_URL[credits]}" tid="${KEY_ID[$1]}" used expected bal held avail deadline=$(( SECONDS + 60 )) debit=""
  used="$(gw GET "/api/token/$tid" | jq -r '.used_quota')"
  # quota -> USD: / 500,000 (SPEC 2); USD -> credits: x credits_per_usd (100 unless the platform says otherwise)
  local cpu
  cpu="$(cr_ok "$url" GET /api/options | jq -r '[.. | objects | select(.key? == "credits_per_usd") | .value][0] // .data.credits_per_usd // 100' 2>/dev/null || echo 100)"
  [[ "$cpu" =~ ^[0-9.]+$ ]] || cpu=100
  # the platform is charged the exact cost of each request (the log rows' cost_usd), not the integer quota
  local cost="${COST_SUM[$name]:-}" basis
  if [[ -n "$cost" ]]; then
    expected="$(echo "scale=9; $cost * $cpu / 1" | bc)"; basis="the exact cost of its log rows, \$$(printf '%.9f' "$cost")"
  else
    expected="$(echo "scale=6; $used * $cpu / 500000" | bc)"; basis="$used quota"
  fi
  # usage reaches the platform through the gateway's outbox; a delivery that failed while the platform was slow is
  # retried with backoff, so wait for the outbox to be empty (at most 300 s) before comparing
  local backlog t0=$SECONDS waited
  while (( SECONDS - t0 < 300 )); do
    backlog="$(outbox_backlog)"
    [[ "$backlog" == 0 || "$backlog" == "?" ]] && break
    sleep 1
  done
  waited=$(( SECONDS - t0 ))
  local failed_events
  failed_events="$(gw GET "/api/usage_event/?status=failed&p=1&page_size=1" 2>/dev/null | jq -r '.total' 2>/dev/null || echo '?')"
  deadline=$(( SECONDS + 60 ))
  while (( SECONDS < deadline )); do
    read -r bal held avail <<<"$(credits_balance "$url" "$user")"
    debit="$(echo "scale=6; $before - $bal" | bc)"
    [[ "$(echo "$debit >= $expected" | bc)" == 1 ]] && break
    sleep 2
  done
  local ok=1
  [[ "$(echo "d = $debit - $expected; if (d < 0) d = -d; d <= 0.000001 * ${TALLY[$name]}" | bc)" == 1 ]] && ok=0
  check "$ok" "$name user on the credit platform: debited $(printf '%.6f' "$debit") credits; the gateway charged $(printf '%.6f' "$expected") credits ($basis at $cpu credits/USD; $used quota) (held now $held; outbox: $backlog undelivered after waiting $waited s, $failed_events failed)"
}

# ------------------------------------------------------------------------------------------------ cases
# The relay targets side by side, in rounds: round 1 measures every target once (1 connection, then each of
# BENCH_CONNS), round 2 again, ... so that noise from other work on the machine hits all targets alike. Ratios are
# computed within a round (target_i / reference_i) and reported as min/median/max over the rounds.
RELAY_TARGETS=()
case_relay() {
  md "" "## Relay: non-stream chat completions (small body), side by side in $BENCH_ROUNDS rounds" ""
  md "Body: \`$BODY\`. Targets: \`mock\` = the mock upstream directly (baseline); \`nginx\` = $NGINX_VERSION in front of"
  md "the same mock (\`worker_processes $BENCH_NGINX_WORKERS\`, HTTP/1.1 keepalive to the mock: the floor of a proxy hop);"
  md "\`native\` = through the gateway with a native key (quota: $NATIVE_QUOTA_NOTE); \`reserve\`, \`check\` = a \`letaicode\`"
  md "key in that \`letaicode_credit_mode\`, leases off; \`lease\` = a \`letaicode\` key of its own in \`reserve\` mode with"
  md "\`letaicode_lease=on\`. Each round measures every target once in this order; each target was warmed up"
  md "($BENCH_WARMUP at 32 connections) before round 1. mock and nginx get the request the gateway sends upstream."
  local targets=(mock)
  if [[ -z "$NGINX_REASON" ]]; then targets+=(nginx); else skip "relay nginx: $NGINX_REASON"; fi
  if [[ -z "$GATEWAY_REASON" ]]; then targets+=(native); else skip "relay native: $GATEWAY_REASON"; fi
  if [[ -z "$CREDIT_MODE_REASON" ]]; then targets+=(reserve check); else skip "relay reserve/check: $CREDIT_MODE_REASON"; fi
  if [[ -z "$CREDIT_MODE_REASON" ]]; then
    if [[ -z "$LEASE_REASON" ]]; then targets+=(lease); else skip "relay lease: $LEASE_REASON"; fi
  fi
  if [[ -n "$BENCH_TARGETS" ]]; then # only these (mock always: the run's baseline)
    local keep=(mock) t2
    for t2 in "${targets[@]}"; do [[ "$t2" != mock && " $BENCH_TARGETS " == *" $t2 "* ]] && keep+=("$t2"); done
    targets=("${keep[@]}")
  fi
  RELAY_TARGETS=("${targets[@]}")
  local t c r id
  log "warm-up ($BENCH_WARMUP per target at 32 connections)"
  for t in "${targets[@]}"; do warm_target "$t"; done
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do
    log "relay round $r of $BENCH_ROUNDS"
    for t in "${targets[@]}"; do
      for c in 1 $BENCH_CONNS; do measure "$t-c$c-r$r" "$t" "$c"; done
    done
  done
  local ids=()
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do for t in "${targets[@]}"; do for c in 1 $BENCH_CONNS; do ids+=("$t-c$c-r$r"); done; done; done
  check_no_failures relay "${ids[@]}"
  relay_summary
  md "" "### Every run" ""
  md "CPU = ms of CPU time per request completed by wrk (utime + stime from \`/proc/<pid>/stat\`, read before the run and after"
  md "the mock is quiet and the gateway's usage outbox has delivered everything, so asynchronous settlement counts; the"
  md "outbox drain time after wrk stopped is in the last column)."
  md "" "| run | round | target | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx | socket errors | upstream calls | CPU mock | CPU nginx | CPU gateway | CPU credits | drain s |"
  md "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for id in "${ids[@]}"; do
    md "| $id | ${id##*-r} | ${R[$id.target]} | ${R[$id.conns]} | ${R[$id.rps]} | $(ms "${R[$id.p50]}") | $(ms "${R[$id.p90]}") | $(ms "${R[$id.p99]}") | $(ms "${R[$id.p999]}") | $(ms "${R[$id.max]}") | ${R[$id.status]:-0} | ${R[$id.sockerr]} | ${R[$id.upstream]:-} | $(cpu_cell "$id" mock) | $(cpu_cell "$id" nginx) | $(cpu_cell "$id" gateway) | $(cpu_cell "$id" credits) | ${R[$id.drain_s]:-} |"
  done
}

# the processes a target's requests pass through (CPU per request is reported for these only)
target_procs() {
  case "$1" in
    mock) echo mock ;;
    nginx) echo "mock nginx" ;;
    native) echo "mock gateway" ;;
    *) echo "mock gateway credits" ;;
  esac
}
cpu_cell() { # cpu_cell ID PROC: the cell of the every-run table ("-" for a process the target does not use)
  local t="${R[$1.target]}"
  [[ " $(target_procs "$t") " == *" $2 "* ]] || { echo "-"; return 0; }
  local v; v="$(cpu_per_req "$1" "$2")"; echo "${v:-n/a}"
}

# round_values FIELD TARGET CONNS: the field of each round's run
round_values() {
  local r
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do echo "${R[$2-c$3-r$r.$1]:-}"; done
}
# round_ratios A B CONNS: req/s of A / req/s of B within each round
round_ratios() {
  local r
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do
    awk -v a="${R[$1-c$3-r$r.rps]:-}" -v b="${R[$2-c$3-r$r.rps]:-}" 'BEGIN { if (a != "" && b > 0) printf "%.4f\n", a / b }'
  done
}
# round_added FIELD A B: (A - B) at 1 connection within each round, in ms
round_added() {
  local r
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do
    awk -v a="${R[$2-c1-r$r.$1]:-}" -v b="${R[$3-c1-r$r.$1]:-}" 'BEGIN { if (a != "" && b != "") printf "%.4f\n", (a - b) / 1000 }'
  done
}
round_cpu() { # round_cpu TARGET CONNS PROC: ms CPU per request in each round
  local r v
  for (( r = 1; r <= BENCH_ROUNDS; r++ )); do
    v="$(cpu_per_req "$1-c$2-r$r" "$3")"; [[ -n "$v" ]] && echo "$v"
  done
  return 0
}
has_target() { [[ " ${RELAY_TARGETS[*]} " == *" $1 "* ]]; }
# verdict MEDIAN OP BOUND: "met" / "missed" / "n/a"
verdict() {
  [[ -n "$1" ]] || { echo "n/a"; return 0; }
  if awk -v m="$1" -v b="$3" -v op="$2" 'BEGIN { exit !((op == ">=") ? (m >= b) : (m <= b)) }'; then echo "met"; else echo "**missed**"; fi
}
SPEC_ROWS=()                   # rows of the "SPEC 7 targets" table: "| what | measured | target | verdict |"

relay_summary() {
  local t c r main_c="${BENCH_CONNS%% *}"
  md "" "### Per target (over $BENCH_ROUNDS rounds)" ""
  local head="| target |" sep="|---|"
  for c in $BENCH_CONNS; do head+=" req/s @$c min | median | max |"; sep+="---:|---:|---:|"; done
  md "$head p50 ms @1 min | median | max | p99 ms @1 min | median | max |" "$sep---:|---:|---:|---:|---:|---:|"
  for t in "${RELAY_TARGETS[@]}"; do
    local line="| $t |"
    for c in $BENCH_CONNS; do line+=" $(stat_cells %.0f $(round_values rps "$t" "$c")) |"; done
    local p50s=() p99s=() v
    for v in $(round_values p50 "$t" 1); do p50s+=("$(ms "$v")"); done
    for v in $(round_values p99 "$t" 1); do p99s+=("$(ms "$v")"); done
    line+=" $(stat_cells %.3f "${p50s[@]}") | $(stat_cells %.3f "${p99s[@]}") |"
    md "$line"
  done
  if [[ -n "$LEASE_REASON" && -z "$CREDIT_MODE_REASON" ]]; then
    md "| lease | $(for c in $BENCH_CONNS; do printf '%s | | | ' "$LEASE_REASON"; done)| | | | | |"
  fi

  md "" "### Ratios (computed per round: ratio in round i = target_i / reference_i)" ""
  head="| ratio |"; sep="|---|"
  for c in $BENCH_CONNS; do head+=" @$c min | median | max |"; sep+="---:|---:|---:|"; done
  md "$head SPEC 7 target | verdict (median @$main_c) |" "$sep---|---|"
  local spec
  for spec in "nginx mock -" "native nginx >=0.5" "reserve native >=0.9" "lease native >=0.9" "check native -" "native mock -"; do
    local a b bound line med
    read -r a b bound <<<"$spec"
    if ! has_target "$a" || ! has_target "$b"; then
      if [[ "$a" == lease && -n "$LEASE_REASON" ]]; then
        md "| lease/native | $(for c in $BENCH_CONNS; do printf '%s | | | ' "$LEASE_REASON"; done)>= 0.9 | n/a |"
        SPEC_ROWS+=("| throughput, \`letaicode\` key with leases / native @$main_c | $LEASE_REASON | >= 0.9 | n/a |")
      fi
      continue
    fi
    line="| $a/$b |"
    for c in $BENCH_CONNS; do line+=" $(stat_cells %.3f $(round_ratios "$a" "$b" "$c")) |"; done
    med="$(stat_median $(round_ratios "$a" "$b" "$main_c"))"
    if [[ "$bound" == - ]]; then
      line+=" | |"
    else
      local v; v="$(verdict "$med" ">=" "${bound#>=}")"
      line+=" >= ${bound#>=} | $v |"
      SPEC_ROWS+=("| throughput $a/$b @$main_c (median of $BENCH_ROUNDS rounds) | $(printf '%.3f' "$med") [$(stats $(round_ratios "$a" "$b" "$main_c") | awk '{ printf "%.3f-%.3f", $1, $3 }')] | >= ${bound#>=} | $v |")
    fi
    md "$line"
  done

  if has_target nginx; then
    md "" "### Added latency over nginx at 1 connection (per round: target - nginx, ms)" ""
    md "| target | added p50 min | median | max | added p99 min | median | max | SPEC 7 target | verdict (medians) |"
    md "|---|---:|---:|---:|---:|---:|---:|---|---|"
    for t in native reserve lease check; do
      has_target "$t" || continue
      local m50 m99 v50 v99
      m50="$(stat_median $(round_added p50 "$t" nginx))"; m99="$(stat_median $(round_added p99 "$t" nginx))"
      v50="$(verdict "$m50" "<=" 0.2)"; v99="$(verdict "$m99" "<=" 1)"
      md "| $t | $(stat_cells %+.3f $(round_added p50 "$t" nginx)) | $(stat_cells %+.3f $(round_added p99 "$t" nginx)) | p50 <= 0.2, p99 <= 1 | p50 $v50, p99 $v99 |"
      SPEC_ROWS+=("| added latency over nginx @1, $t (medians) | p50 $(printf '%+.3f' "$m50") ms, p99 $(printf '%+.3f' "$m99") ms | p50 <= 0.2 ms, p99 <= 1 ms | p50 $v50, p99 $v99 |")
    done
    md "" "Over the mock alone at 1 connection (medians): $(for t in nginx native reserve check lease; do has_target "$t" || continue; printf '%s p50 %+.3f / p99 %+.3f ms; ' "$t" "$(stat_median $(round_added p50 "$t" mock))" "$(stat_median $(round_added p99 "$t" mock))"; done)"
  fi

  md "" "### CPU per request (ms of CPU time per completed request, median over rounds)" ""
  md "Read from \`/proc/<pid>/stat\` (utime + stime, all threads; nginx: master + workers) around each measured run."
  md "The load generator (wrk) is not included. \"-\": the target's requests do not pass through that process."
  for c in $BENCH_CONNS 1; do
    md "" "At $c connection(s):" "" "| target | mock | nginx | gateway | credits | total |" "|---|---:|---:|---:|---:|---:|"
    for t in "${RELAY_TARGETS[@]}"; do
      local p cells="" total=0 v
      for p in mock nginx gateway credits; do
        if [[ " $(target_procs "$t") " == *" $p "* ]]; then
          v="$(stat_median $(round_cpu "$t" "$c" "$p"))"
          cells+=" ${v:-n/a} |"
          [[ -n "$v" ]] && total="$(awk -v a="$total" -v b="$v" 'BEGIN { print a + b }')"
        else
          cells+=" - |"
        fi
      done
      md "| $t |$cells $(printf '%.4f' "$total") |"
    done
  done
  if has_target lease && has_target reserve; then
    local lc rc
    lc="$(stat_median $(round_cpu lease "$main_c" credits))"; rc="$(stat_median $(round_cpu reserve "$main_c" credits))"
    if [[ -n "$lc" && -n "$rc" ]] && awk -v l="$lc" -v r="$rc" 'BEGIN { exit !(l > r / 2) }'; then
      CHECKS+=("INFO: lease target: the credit platform spends $lc ms per request with leases on vs $rc ms without: leases seem not to take the platform off the request path")
    fi
  fi
  # plausibility: a proxy hop costs something, the gateway more than nginx
  local mn nm
  if has_target nginx; then
    mn="$(stat_median $(round_ratios nginx mock "$main_c"))"
    awk -v m="$mn" 'BEGIN { exit !(m < 1) }' || CHECKS+=("INFO: implausible: nginx/mock @$main_c median $mn (>= 1: nginx was not below the mock alone)")
    if has_target native; then
      nm="$(stat_median $(round_ratios native nginx "$main_c"))"
      awk -v m="$nm" 'BEGIN { exit !(m < 1) }' || CHECKS+=("INFO: native/nginx @$main_c median $nm >= 1: the gateway was not below nginx")
    fi
  fi
}

# measure ID TARGET CONNS: one measured run of a relay target, with the CPU time of every process around it; the
# "after" reading waits until the mock is quiet and (letaicode targets) the usage outbox has delivered everything
measure() {
  local id="$1" t="$2" c="$3"
  use_target "$t"
  cpu_mark "$id" 0
  relay_run "$id" "$t" "$c" "$BENCH_DURATION" "$BODY"
  case "$t" in reserve|check|lease) outbox_drain "$id" ;; esac
  cpu_mark "$id" 1
  R["$id.target"]="$t"
}

use_target() {
  case "$1" in
    reserve) set_credit_mode reserve off ;;
    check) set_credit_mode check off ;;
    lease) set_credit_mode reserve on ;;
  esac
}
warm_target() {
  case "$1" in
    mock) mock_wrk "warm-mock" 32 "$BENCH_WARMUP" ;;
    nginx) nginx_wrk "warm-nginx" 32 5s ;;
    native) gw_wrk "warm-native" native 32 "$BENCH_WARMUP" ;;
    check|reserve) use_target "$1"; gw_wrk "warm-$1" letaicode 32 "$BENCH_WARMUP" ;;
    lease) use_target "$1"; gw_wrk "warm-$1" lease 32 "$BENCH_WARMUP" ;;
  esac
}
# the stream case uses keys of their own (native_stream, letaicode_stream): a stream is charged differently from a
# non-stream request, and the accounting checks rely on every request of a key being identical
KEY_SUFFIX=""
relay_run() { # relay_run ID TARGET CONNS DURATION BODY
  case "$2" in
    mock) mock_wrk "$1" "$3" "$4" "$5" ;;
    nginx) nginx_wrk "$1" "$3" "$4" "$5" ;;
    native) gw_wrk "$1" "native$KEY_SUFFIX" "$3" "$4" "$BENCH_DIR/lua/post.lua" "$5" ;;
    check|reserve) use_target "$2"; gw_wrk "$1" "letaicode$KEY_SUFFIX" "$3" "$4" "$BENCH_DIR/lua/post.lua" "$5" ;;
    lease) use_target "$2"; gw_wrk "$1" lease "$3" "$4" "$BENCH_DIR/lua/post.lua" "$5" ;;
  esac
}

case_stream() {
  md "" "## Relay: streaming chat completions (SSE, 5 content chunks + usage), $BENCH_STREAM_CONNS connections" ""
  md "Latency = the whole stream, first byte to \`[DONE]\`."
  local targets=(mock) t id
  if [[ -z "$GATEWAY_REASON" ]]; then targets+=(native); else skip "stream native: $GATEWAY_REASON"; fi
  if [[ -z "$CREDIT_MODE_REASON" ]]; then targets+=(reserve); else skip "stream reserve: $CREDIT_MODE_REASON"; fi
  log "stream warm-up ($BENCH_WARMUP per target)"
  KEY_SUFFIX=_stream
  for t in "${targets[@]}"; do relay_run "warm-stream-$t" "$t" "$BENCH_STREAM_CONNS" "$BENCH_WARMUP" "$STREAM_BODY"; done
  md_table_header
  for t in "${targets[@]}"; do
    id="stream-$t"
    relay_run "$id" "$t" "$BENCH_STREAM_CONNS" "$BENCH_DURATION" "$STREAM_BODY"
    md_row "$id" "$t"
  done
  KEY_SUFFIX=""
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
  local s0 s1 b0 b1 e0 e1 limit
  s0="$(mock_stat streamsCompleted)"
  b0="$(gw_metric creditgate_relay_refused_total)"
  e0="$(gw_errors)"
  limit="$(gw_metric creditgate_relay_limit)"
  gw_wrk "held" held "$n" "${dur}s" "$BENCH_DIR/lua/post.lua" "$STREAM_BODY"
  s1="$(mock_stat streamsCompleted)"
  b1="$(gw_metric creditgate_relay_refused_total)"
  e1="$(gw_errors)"
  # as the gateway counted them: its 503 gateway_busy, and every answer it gave that was neither 2xx nor a 499 (the
  # client left: wrk closes its connections at the end); wrk counts only the answers it read before it stopped
  local busy=$(( ${b1%.*} - ${b0%.*} )) errors=$(( e1 - e0 ))
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  mock_config '{"chunkDelayMs":0}'
  local maxr maxa
  read -r maxr maxa < "$RUN_DIR/held.max"
  md "" "| streams (connections) | relay bound (gateway.relay.max-concurrent) | peak active at upstream | completed | non-2xx seen by wrk | 503 gateway_busy (gateway) | other errors (gateway) | socket errors | gateway RSS idle MiB | gateway RSS peak MiB | MiB per 1k streams |"
  md "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  md "| $n | ${limit%.*} | $maxa | $(( s1 - s0 )) | ${R[held.status]} | $busy | $(( errors - busy )) | ${R[held.sockerr]} | $idle | $(( maxr / 1024 )) | $(awk -v p="$maxr" -v i="$idle" -v n="$maxa" 'BEGIN { if (n > 0) printf "%.0f", (p / 1024 - i) / n * 1000; else print "n/a" }') |"
  local text="held streams: gateway peak RSS $(( maxr / 1024 )) MiB with $maxa concurrent streams (target: 10,000 within 1 GiB)"
  if (( maxa >= 10000 )); then
    local ok=1
    (( maxr / 1024 <= 1024 )) && ok=0
    check "$ok" "$text"
  else
    CHECKS+=("INFO: $text; fewer than 10,000 streams, so no verdict")
  fi
  local fail=1
  (( errors == busy && ${R[held.status]} <= busy && ${R[held.sockerr]} == 0 )) && fail=0
  check "$fail" "held streams: every stream answered 2xx or, past the relay bound, 503 gateway_busy; no socket errors (gateway: $errors errors of which $busy busy; wrk: ${R[held.status]} non-2xx, ${R[held.sockerr]} socket errors)"
  fail=1
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -m 10 "$GW_URL/api/status")" == 200 ]] && fail=0
  check "$fail" "held streams: the gateway still answers after them"
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
  local ref what="the native key's p50 at 1 connection (median over the relay rounds)"
  ref="$(stat_median $(round_values p50 native 1))"
  [[ -n "$ref" ]] || { ref=3000; what="3 ms (relay case not run)"; }
  ok=1
  awk -v m="${R[$id.p50]}" -v r="$ref" 'BEGIN { exit !(m <= r + 2000) }' && ok=0
  check "$ok" "outage $fb: p50 $(ms "${R[$id.p50]}") ms once the breaker is open (bound: $what, $(ms "$ref") ms, + 2 ms)"
}

# ------------------------------------------------------------------------------------------------ cold start
# stop_process NAME [SECONDS]: SIGTERM, up to SECONDS (default 60) for it to end, then SIGKILL
stop_process() {
  local name="$1" max="${2:-60}" p="${PID[$1]:-}" i
  [[ -n "$p" ]] || return 0
  kill "$p" 2>/dev/null || true
  for (( i = 0; i < max * 10; i++ )); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null || true
  unset "PID[$name]"
}

# gateway_min_setup URL ADMIN_TOKEN: a channel to the mock, a user and a native key on a fresh gateway, then waits until
# a request passes (the channel cache refreshes within gateway.cache-refresh); prints the key
gateway_min_setup() {
  local url="$1" auth="Authorization: Bearer $2" res uid key status deadline
  res="$(http POST "$url/api/channel/" "$(jq -nc --arg u "$MOCK_URL" --arg k "$MOCK_UPSTREAM_KEY" \
    '{name: "mock", type: "openai", base_url: $u, key: $k, models: "gpt-4o-mini", priority: 0, weight: 1, status: 1}')" "$auth")"
  [[ "${res%% *}" == 2* ]] || { log "channel on $url: HTTP $res"; return 1; }
  res="$(http POST "$url/api/user/" '{"username":"cold","quota":1000000000000,"group":"default"}' "$auth")"
  uid="$(jq -r '.data.id' <<<"${res#* }")"
  res="$(http POST "$url/api/token/" "$(jq -nc --argjson u "$uid" \
    '{name: "cold", user_id: $u, remain_quota: 1000000000000, unlimited_quota: false, expired_time: -1}')" "$auth")"
  key="$(jq -r '.data.key' <<<"${res#* }")"
  deadline=$(( SECONDS + 30 ))
  while (( SECONDS < deadline )); do
    status="$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $key" --data-binary "$BODY" "$url/v1/chat/completions" || true)"
    [[ "$status" == 200 ]] && { echo "$key"; return 0; }
    sleep 0.1
  done
  log "no 200 through $url within 30 s (last: HTTP $status)"
  return 1
}

# The JDK's ahead-of-time cache (JEP 483/514/515, JDK 25): classes loaded and linked, and method profiles, recorded by a
# training run and mapped at start. It needs the classes on the class path, not nested in the fat jar, so Spring Boot's
# jarmode tools extract the jar first (Spring Boot docs, "AOT Cache"). The training run here is the gateway under
# BENCH_AOT_TRAIN of load (so that the request path's classes and profiles are in the cache, not only the startup's);
# the JVM writes the cache as it exits (SIGTERM).
AOT_REASON=""; AOT_JAR=""; AOT_CACHE=""; AOT_NOTE=""; EXTRACTED_JAR=""
aot_extract() {
  [[ -n "$EXTRACTED_JAR" ]] && return 0
  local dir="$RUN_DIR/aot/app"
  mkdir -p "$RUN_DIR/aot"
  if ! "$JAVA" -Djarmode=tools -jar "$GATEWAY_JAR" extract --destination "$dir" > "$RUN_DIR/aot/extract.log" 2>&1; then
    AOT_REASON="java -Djarmode=tools -jar $(basename "$GATEWAY_JAR") extract failed: $(tail -1 "$RUN_DIR/aot/extract.log")"
    return 1
  fi
  EXTRACTED_JAR="$dir/$(basename "$GATEWAY_JAR")"
  [[ -f "$EXTRACTED_JAR" ]] || { AOT_REASON="no $EXTRACTED_JAR after the extract"; EXTRACTED_JAR=""; return 1; }
}
aot_prepare() {
  [[ -n "$AOT_CACHE" ]] && return 0
  [[ -z "$AOT_REASON" ]] || return 1
  aot_extract || return 1
  local cache="$RUN_DIR/aot/gateway.aot" port token key url t0 t1
  free_port port
  token="$(rand_token 48)"
  url="http://127.0.0.1:$port"
  log "AOT cache: training run (extracted jar, -XX:AOTCacheOutput, $BENCH_AOT_TRAIN of load)"
  launch_gateway aot-train "$port" "$token" "$EXTRACTED_JAR" -XX:AOTCacheOutput="$cache"
  if ! wait_http "$url/actuator/health" 180 aot-train; then AOT_REASON="training run: $WAIT_ERROR"; stop_process aot-train; return 1; fi
  if ! key="$(gateway_min_setup "$url" "$token")"; then AOT_REASON="training run: no request passed"; stop_process aot-train; return 1; fi
  run_wrk aot-train-load "$url/v1/chat/completions" 32 "$BENCH_AOT_TRAIN" "$BENCH_DIR/lua/post.lua" BENCH_BODY="$BODY" BENCH_AUTH="$key"
  t0="$(now_s)"
  stop_process aot-train 600
  t1="$(now_s)"
  if [[ ! -s "$cache" ]]; then
    AOT_REASON="the training run wrote no AOT cache (log: $RUN_DIR/aot-train.log: $(grep -m1 -iE 'aot|error' "$RUN_DIR/aot-train.log" | cut -c1-200))"
    return 1
  fi
  AOT_JAR="$EXTRACTED_JAR"; AOT_CACHE="$cache"
  AOT_NOTE="training: $BENCH_AOT_TRAIN at 32 connections (${R[aot-train-load.rps]} req/s); writing the cache at exit took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s; cache $(du -m "$cache" | cut -f1) MiB"
  log "AOT cache: $cache ($AOT_NOTE)"
}

# cold_run VARIANT ROUND: a fresh gateway JVM (own H2 / database), set up as an operator would, then wrk at 32
# connections in BENCH_COLD_SLICES consecutive slices of BENCH_COLD_SLICE s; R[cold-VARIANT-rROUND.*] (and -sI.*)
cold_run() {
  local v="$1" name="cold-$1-r$2" jar opts=() port token url key t0 t_ready t_first i id
  case "$v" in
    jar) jar="$GATEWAY_JAR" ;;
    extracted) aot_extract || { skip "cold start, extracted jar: $AOT_REASON"; return 1; }; jar="$EXTRACTED_JAR" ;;
    aot) aot_prepare || { skip "cold start with the AOT cache: $AOT_REASON"; return 1; }
         jar="$AOT_JAR"; opts=(-XX:AOTCache="$AOT_CACHE") ;;
    *) die "unknown cold-start variant $v (expected: jar extracted aot)" ;;
  esac
  free_port port
  token="$(rand_token 48)"
  url="http://127.0.0.1:$port"
  log "cold start $v, round $2: $jar ${opts[*]}"
  t0="$(now_s)"
  launch_gateway "$name" "$port" "$token" "$jar" "${opts[@]}"
  if ! wait_http "$url/actuator/health" 180 "$name"; then skip "cold start $v: $WAIT_ERROR"; stop_process "$name"; return 1; fi
  t_ready="$(now_s)"
  if ! key="$(gateway_min_setup "$url" "$token")"; then skip "cold start $v: no request passed"; stop_process "$name"; return 1; fi
  t_first="$(now_s)"
  local ticks ticks0
  ticks0="$(proc_ticks "${PID[$name]}")"
  R["$name.cpu_first"]="$(awk -v t="$ticks0" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }')"
  for (( i = 1; i <= BENCH_COLD_SLICES; i++ )); do
    id="$name-s$i"
    run_wrk "$id" "$url/v1/chat/completions" 32 "${BENCH_COLD_SLICE}s" "$BENCH_DIR/lua/post.lua" BENCH_BODY="$BODY" BENCH_AUTH="$key"
    R["$id.end_s"]="$(awk -v a="$t_first" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')"
    # CPU per request of the slice (JIT compiler threads included): less moved by other work on the box than req/s
    ticks="$(proc_ticks "${PID[$name]}")"
    R["$id.cpu_ms"]="$(awk -v a="$ticks0" -v b="$ticks" -v n="${R[$id.requests]}" -v hz="$CLK_TCK" 'BEGIN { if (n > 0) printf "%.3f", (b - a) * 1000 / hz / n }')"
    ticks0="$ticks"
  done
  R["$name.rss"]="$(rss_mb "${PID[$name]}")"
  R["$name.cpu_s"]="$(awk -v t="$(proc_ticks "${PID[$name]}")" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }')"
  stop_process "$name"
  R["$name.ready_s"]="$(awk -v a="$t0" -v b="$t_ready" 'BEGIN { printf "%.2f", b - a }')"
  R["$name.first_s"]="$(awk -v a="$t0" -v b="$t_first" 'BEGIN { printf "%.2f", b - a }')"
  R["$name.spring"]="$(grep -m1 -oE 'Started [A-Za-z]+ in [0-9.]+ seconds' "$RUN_DIR/$name.log" | sed -E 's/.* in ([0-9.]+) seconds/\1/')"
  R["$name.jvm"]="$(grep -m1 -oE 'process running for [0-9.]+' "$RUN_DIR/$name.log" | sed -E 's/.* for //')"
  local rates=() final=$(( BENCH_COLD_SLICES / 3 > 0 ? BENCH_COLD_SLICES / 3 : 1 ))
  for (( i = BENCH_COLD_SLICES - final + 1; i <= BENCH_COLD_SLICES; i++ )); do rates+=("${R[$name-s$i.rps]}"); done
  R["$name.final"]="$(stat_median "${rates[@]}")"
  R["$name.steady"]="never"
  for (( i = 1; i <= BENCH_COLD_SLICES; i++ )); do
    if awk -v r="${R[$name-s$i.rps]}" -v f="${R[$name.final]}" 'BEGIN { exit !(r >= 0.9 * f) }'; then
      R["$name.steady"]="${R[$name-s$i.end_s]}"; break
    fi
  done
  R["$name.s1"]="${R[$name-s1.rps]}"
  # the same by CPU per request: the first slice within 1/0.9 of the final slices' median CPU per request
  local cpus=()
  for (( i = BENCH_COLD_SLICES - final + 1; i <= BENCH_COLD_SLICES; i++ )); do cpus+=("${R[$name-s$i.cpu_ms]}"); done
  R["$name.final_cpu"]="$(stat_median "${cpus[@]}")"
  R["$name.steady_cpu"]="never"
  for (( i = 1; i <= BENCH_COLD_SLICES; i++ )); do
    if awk -v c="${R[$name-s$i.cpu_ms]}" -v f="${R[$name.final_cpu]}" 'BEGIN { exit !(c != "" && c <= f / 0.9) }'; then
      R["$name.steady_cpu"]="${R[$name-s$i.end_s]}"; break
    fi
  done
  return 0
}

# cold_values FIELD VARIANT: the field of each round of a variant
cold_values() {
  local r
  for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do [[ -n "${R[cold-$2-r$r.$1]:-}" ]] && echo "${R[cold-$2-r$r.$1]}"; done
  return 0
}

case_coldstart() {
  local final=$(( BENCH_COLD_SLICES / 3 > 0 ? BENCH_COLD_SLICES / 3 : 1 ))
  md "" "## Cold start: a fresh gateway JVM under load (native key, 32 connections, $BENCH_COLD_SLICES slices of $BENCH_COLD_SLICE s, $BENCH_COLD_ROUNDS round(s))" ""
  if [[ -n "$GATEWAY_REASON" ]]; then skip "cold start: $GATEWAY_REASON"; return 0; fi
  md "Each variant: a new gateway process (fresh database) in front of the same mock, set up over its API; load starts"
  md "with the first request that passes. Steady state = the first slice reaching 90 % of the median of the last $final"
  md "slices of the same process (seconds of load at the end of that slice). Variants: \`jar\` = the fat jar as shipped"
  md "(\`java -jar gateway.jar\`); \`extracted\` = the jar extracted by \`java -Djarmode=tools -jar gateway.jar extract\`, no"
  md "cache; \`aot\` = the extracted jar with \`-XX:AOTCache\` from a training run (\`-XX:AOTCacheOutput\`, JDK 25) under load."
  md "Rounds interleave the variants (jar, extracted, aot, jar, ...); the other processes of the run are idle meanwhile."
  md "CPU ms/request of a slice = the gateway process's CPU time during the slice (JIT compiler threads included) /"
  md "its requests: warm-up seen through what other work on the machine moves less than req/s; \"steady by CPU\" = the"
  md "end of the first slice within 1/0.9 of the final slices' median CPU per request."
  local v r ran=() ids=()
  for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do
    for v in $BENCH_COLD_VARIANTS; do
      if cold_run "$v" "$r"; then
        [[ " ${ran[*]} " == *" $v "* ]] || ran+=("$v")
        local i; for (( i = 1; i <= BENCH_COLD_SLICES; i++ )); do ids+=("cold-$v-r$r-s$i"); done
      fi
    done
  done
  (( ${#ran[@]} > 0 )) || return 0
  [[ -n "$AOT_NOTE" ]] && md "" "AOT cache: $AOT_NOTE."
  local warm
  warm="$(stat_median $(round_values rps native 32))"
  md "" "Per variant, min / median / max over the rounds (times in seconds; \"exec\" = the \`java\` command started):" ""
  md "| variant | Spring \"Started in\" | JVM up at \"Started\" | health up after exec | first 200 after exec | CPU s to the first 200 | slice 1 req/s | final req/s (last $final slices) | steady state: s of load | final CPU ms/request | steady by CPU/request: s of load | RSS at end MiB | gateway CPU s (start + load) |"
  md "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  local f line
  for v in "${ran[@]}"; do
    line="| $v |"
    for f in spring jvm ready_s first_s cpu_first s1 final steady final_cpu steady_cpu rss cpu_s; do
      local st fmt=%.1f; st="$(stats $(cold_values "$f" "$v"))"
      [[ "$f" == s1 || "$f" == final || "$f" == rss ]] && fmt=%.0f
      [[ "$f" == final_cpu ]] && fmt=%.3f
      if [[ -z "$st" ]]; then line+=" $(cold_values "$f" "$v" | tr '\n' ' ')|"; continue; fi
      line+=" $(awk -v s="$st" -v f="$fmt" 'BEGIN { split(s, a, " "); if (a[1] == a[3]) printf f, a[2]; else printf f " / " f " / " f, a[1], a[2], a[3] }')"
      [[ "$f" == steady* ]] && cold_values "$f" "$v" | grep -q never && line+=" ($(cold_values "$f" "$v" | grep -c never) never)"
      line+=" |"
    done
    md "$line"
    local nv; nv="$(cold_values steady "$v" | grep -c never || true)"
    local med; med="$(stat_median $(cold_values steady "$v"))"
    local verdict_cold="**missed**"
    [[ "$nv" == 0 && -n "$med" ]] && awk -v s="$med" 'BEGIN { exit !(s <= 30) }' && verdict_cold=met
    SPEC_ROWS+=("| steady state after a cold start, $v (median of $BENCH_COLD_ROUNDS) | ${med:-never} s of load$( [[ "$nv" != 0 ]] && echo " ($nv round(s) never)") (by CPU per request: $(stat_median $(cold_values steady_cpu "$v")) s); first 200 $(stat_median $(cold_values first_s "$v")) s after exec | <= 30 s of load | $verdict_cold |")
  done
  [[ -n "$warm" ]] && md "" "For scale: the warmed gateway's native key at 32 connections in the relay rounds: median $warm req/s."
  local head="| slice | s of load |" sep="|---:|---:|"
  for v in "${ran[@]}"; do head+=" $v req/s (median) |"; sep+="---:|"; done
  for v in "${ran[@]}"; do head+=" $v CPU ms/req (median) |"; sep+="---:|"; done
  for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do for v in "${ran[@]}"; do head+=" $v r$r |"; sep+="---:|"; done; done
  md "" "$head" "$sep"
  local i
  for (( i = 1; i <= BENCH_COLD_SLICES; i++ )); do
    line="| $i | $(( i * BENCH_COLD_SLICE )) |"
    for v in "${ran[@]}"; do
      local vals=()
      for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do [[ -n "${R[cold-$v-r$r-s$i.rps]:-}" ]] && vals+=("${R[cold-$v-r$r-s$i.rps]}"); done
      line+=" $(stat_median "${vals[@]}" | awk '{ printf "%.0f", $1 }') |"
    done
    for v in "${ran[@]}"; do
      local vals=()
      for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do [[ -n "${R[cold-$v-r$r-s$i.cpu_ms]:-}" ]] && vals+=("${R[cold-$v-r$r-s$i.cpu_ms]}"); done
      line+=" $(stat_median "${vals[@]}" | awk '{ printf "%.3f", $1 }') |"
    done
    for (( r = 1; r <= BENCH_COLD_ROUNDS; r++ )); do for v in "${ran[@]}"; do line+=" ${R[cold-$v-r$r-s$i.rps]:-} |"; done; done
    md "$line"
  done
  check_no_failures coldstart "${ids[@]}"
}

# ------------------------------------------------------------------------------------------------ main
main() {
  ensure_tools
  ensure_wrk
  if [[ "$BENCH_DB" == postgres ]] && ! pg_ready; then die "BENCH_DB=postgres but no PostgreSQL at $BENCH_PG_URL_HOST:$BENCH_PG_PORT (user $BENCH_PG_USER)"; fi
  build_jars
  UPTIME_START="$(uptime)"
  STARTED_AT="$(date '+%Y-%m-%d %H:%M:%S %Z')"
  log "run dir $RUN_DIR; duration $BENCH_DURATION, warm-up $BENCH_WARMUP, rounds $BENCH_ROUNDS, db $BENCH_DB, cases: $BENCH_CASES"
  log "uptime: $UPTIME_START"
  start_mock
  start_nginx
  start_gateway
  setup_gateway_native
  setup_credit_platform
  [[ -n "$CREDIT_MODE_REASON" ]] && log "credit cases: $CREDIT_MODE_REASON"
  detect_lease
  [[ -n "$LEASE_REASON" ]] && log "lease target: $LEASE_REASON"
  local c
  for c in $BENCH_CASES; do
    case "$c" in
      relay) case_relay ;;
      stream) case_stream ;;
      streams_held) case_streams_held ;;
      holds) case_holds ;;
      outage) case_outage ;;
      coldstart) case_coldstart ;;
      *) die "unknown case $c (expected: relay stream streams_held holds outage coldstart)" ;;
    esac
  done

  # ---- checks of what the gateway recorded
  md "" "## Accounting checks" ""
  md "Log rows (type 2) and used quota per gateway key, read back through the management API after the run."
  md "\"2xx seen by wrk\" excludes requests still in flight when wrk stopped: those reached the upstream and are logged."
  md "" "| key | 2xx seen by wrk | upstream calls | log rows | quota in log rows | token used_quota |"
  md "|---|---:|---:|---:|---:|---:|"
  local k id sent
  for k in native native_stream held letaicode letaicode_stream lease; do
    [[ -n "${KEY_ID[$k]:-}" && -n "${TALLY[$k]:-}" ]] || continue
    [[ "$k" == letaicode* || "$k" == lease ]] && [[ -n "$CREDIT_MODE_REASON" ]] && continue
    sent=0
    for id in "${!R[@]}"; do   # every wrk run through the gateway with this key (gw_wrk records R[ID.key])
      [[ "$id" == *.key && "${R[$id]}" == "$k" ]] || continue
      id="${id%.key}"
      sent=$(( sent + ${R[$id.ok]:-0} ))
    done
    verify_gateway_key "$k" "$sent"
  done
  if [[ -n "${KEY_ID[letaicode]:-}" && -n "${TALLY[letaicode]:-}" && -z "$CREDIT_MODE_REASON" ]]; then
    verify_credit_debit letaicode "$RICH_USER" "$RICH_BEFORE"
  fi
  if [[ -n "${KEY_ID[letaicode_stream]:-}" && -n "${TALLY[letaicode_stream]:-}" && -z "$CREDIT_MODE_REASON" ]]; then
    verify_credit_debit letaicode_stream "$STREAM_USER" "$STREAM_BEFORE"
  fi
  if [[ "$LEASE_KNOWN" == 1 && -n "${KEY_ID[lease]:-}" && -n "${TALLY[lease]:-}" ]]; then
    verify_credit_debit lease "$LEASE_USER" "$LEASE_BEFORE"
    lease_returns
  fi

  # ---- processes
  md "" "## Processes after the run" ""
  md "| process | pid | RSS MiB | peak RSS (VmHWM) MiB |"
  md "|---|---:|---:|---:|"
  local name
  for name in mock nginx gateway credits credits-postgres credits-h2; do
    [[ -n "${PID[$name]:-}" ]] || continue
    md "| $name | ${PID[$name]} | $(rss_mb "${PID[$name]}") | $(hwm_mb "${PID[$name]}") |"
  done
  local w
  for w in "${NGINX_WORKER_PIDS[@]}"; do md "| nginx worker | $w | $(rss_mb "$w") | $(hwm_mb "$w") |"; done

  UPTIME_END="$(uptime)"
  write_results
}

# lease_returns: with letaicode_lease=off again, the lease user's held credit must come back to 0 (unused credit
# returns); how long it takes is reported (INFO: the release policy is the gateway's)
lease_returns() {
  set_credit_mode reserve off
  local url="${CR_URL[credits]}" bal held avail t0="$LEASE_OFF_AT" deadline=$(( SECONDS + 60 ))
  while (( SECONDS < deadline )); do
    read -r bal held avail <<<"$(credits_balance "$url" "$LEASE_USER")"
    [[ "$(echo "$held == 0" | bc)" == 1 ]] && break
    sleep 0.5
  done
  if [[ "$(echo "$held == 0" | bc)" == 1 ]]; then
    CHECKS+=("INFO: lease user: held credit back to 0 at most $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }') s after letaicode_lease=off (read after the accounting checks)")
  else
    CHECKS+=("INFO: lease user: still $held credits held 60 s after letaicode_lease=off (a lease not returned; it may expire by TTL)")
  fi
}

write_results() {
  mkdir -p "$RESULTS_DIR"
  local file="$RESULTS_DIR/$STAMP.md" failures=0 c
  for c in "${CHECKS[@]}"; do [[ "$c" == FAIL* ]] && failures=$(( failures + 1 )); done
  {
    echo "# Benchmark $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "Command: \`$(env | grep -E '^BENCH_(QUICK|DURATION|WARMUP|DB|CASES|CONNS|ROUNDS|NGINX_WORKERS|LEASE|COLD_SLICE|COLD_SLICES|COLD_VARIANTS|COLD_ROUNDS|AOT|AOT_TRAIN|STREAMS|STREAM_CONNS|STREAM_CHUNK_MS|HOLD_CONNS|JAVA_OPTS|OUTAGE_TIMEOUT_MS|OPTION_WAIT|REBUILD|GATEWAY_JAR|CREDITS_JAR|MOCK_JAR|LOG_SUM_MAX|JFR)=' | sort | sed -E "s/=(.*)/='\\1'/" | tr '\n' ' ')$COMMAND_LINE\`"
    echo
    echo "| machine | |"
    echo "|---|---|"
    echo "| nproc | $(nproc) |"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
    echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
    echo "| JDK | $("$JAVA" -version 2>&1 | sed -n 1,3p | tr '\n' ' ' | sed 's/ *$//') |"
    echo "| JVM options (each service) | \`$BENCH_JAVA_OPTS\` |"
    echo "| gateway launch | ${GATEWAY_LAUNCH:-fat jar} |"
    echo "| nginx | ${NGINX_VERSION:-not run ($NGINX_REASON)}$( [[ -n "$NGINX_VERSION" ]] && echo ", worker_processes $BENCH_NGINX_WORKERS ($(( ${#NGINX_WORKER_PIDS[@]} )) workers), config: $RUN_DIR/nginx/nginx.conf") |"
    echo "| wrk | $(wrk -v 2>&1 | head -1 | cut -c1-60) |"
    echo "| kernel | $(uname -r) |"
    echo "| \`uptime\` at start ($STARTED_AT) | $UPTIME_START |"
    echo "| \`uptime\` at end | $UPTIME_END |"
    echo "| commit | $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?')$( [[ -n "$(git status --porcelain 2>/dev/null | grep -v '^?? bench/results' || true)" ]] && echo ' (uncommitted changes)') |"
    echo "| jars | gateway $(basename "$GATEWAY_JAR") ($(date -r "$GATEWAY_JAR" '+%Y-%m-%d %H:%M')), credits $( [[ -f "$CREDITS_JAR" ]] && date -r "$CREDITS_JAR" '+%Y-%m-%d %H:%M' || echo absent) |"
    echo "| storage | $BENCH_DB (fresh per run) |"
    echo "| durations | $BENCH_DURATION per measurement, $BENCH_WARMUP warm-up per target, $BENCH_ROUNDS rounds |"
    echo "| lease target | $( [[ -z "$LEASE_REASON" ]] && echo "measured (letaicode_lease=on)" || echo "$LEASE_REASON") |"
    echo
    echo "All processes (wrk, mock upstream, gateway, credit platform) share the same $(nproc) cores: compare the"
    echo "ratios measured side by side in this run, not the absolute numbers. Latencies are wrk's (HdrHistogram)."
    if (( ${#SPEC_ROWS[@]} > 0 )); then
      echo
      echo "## SPEC 7 targets (raised) in this run"
      echo
      echo "| what | measured | target | verdict |"
      echo "|---|---|---|---|"
      for c in "${SPEC_ROWS[@]}"; do echo "$c"; done
    fi
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
  RESULTS_WRITTEN=1
  log "results: $file (and bench/results/latest.md); $failures failed checks"
}

main "$@"
