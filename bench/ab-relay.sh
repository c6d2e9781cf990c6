#!/usr/bin/env bash
# A/B of the native relay path: two (or more) gateway jars measured alternately in ONE session against the same
# mock upstream and the same nginx (the floor of what a proxy hop costs on this box), several rounds, medians.
# Only the non-stream relay with a native key; for everything else use bench/run.sh.
#
#   bench/ab-relay.sh before=/tmp/gw-before.jar after=gateway/target/gateway.jar
#   AB_ROUNDS=3 AB_WARMUP=60s AB_DURATION=10s AB_JFR=1 bench/ab-relay.sh ...
#   AB_OPTS_zgc="-XX:+UseZGC" bench/ab-relay.sh g1=gateway/target/gateway.jar zgc=gateway/target/gateway.jar
#                                       (AB_OPTS_<label>: JVM options added for that label's gateway only)
#
# Every jar runs as one gateway process on a fresh H2 file, configured through its management API (channel -> mock,
# user, native token) and warmed up at 32 connections (AB_WARMUP); then, per round and jar (order alternating every
# round: ABBA...), mock, nginx and the gateway are measured at 1 connection (latency) and at AB_CONNS (throughput). The gateway's CPU per request
# is its process's CPU ticks (/proc/<pid>/stat utime+stime) during the run divided by the requests wrk completed.
# AB_JFR=1 records the measured part of each gateway's first round (jcmd JFR.start after the warm-up) and writes
# `jfr view hot-methods` / `allocation-by-site` next to it. Output: a TSV of every run and a Markdown summary in
# the run directory (printed at the end).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AB_ROUNDS="${AB_ROUNDS:-3}"
AB_WARMUP="${AB_WARMUP:-60s}"
AB_DURATION="${AB_DURATION:-10s}"
AB_CONNS="${AB_CONNS:-32}"
AB_JFR="${AB_JFR:-0}"
AB_JFR_SETTINGS="${AB_JFR_SETTINGS:-profile}"  # a .jfc (e.g. from `jfr configure`) for lower event thresholds
AB_JAVA_OPTS="${AB_JAVA_OPTS:--Xms256m -Xmx1g}"
AB_DB="${AB_DB:-h2}"                      # h2 (a fresh file per gateway) or postgres (a fresh database at 127.0.0.1:5432)
AB_PG_HOST="${AB_PG_HOST:-127.0.0.1:5432}"         # AB_DB=postgres: the server, its user without a password
GATEWAY_SECRET_KEY="${GATEWAY_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"  # gateway.secret-key of every gateway here
AB_PG_USER="${AB_PG_USER:-postgres}"
AB_PG="postgresql://$AB_PG_USER@$AB_PG_HOST"
BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":16}'
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA="$JAVA_HOME/bin/java"
MOCK_JAR="${AB_MOCK_JAR:-$ROOT/testkit/target/testkit-0.1.0-SNAPSHOT.jar}"
LUA="$ROOT/bench/lua/post.lua"

(( $# >= 1 )) || { echo "usage: $0 label=gateway.jar [label=gateway.jar ...]" >&2; exit 2; }
LABELS=(); JARS=()
for a in "$@"; do
  LABELS+=("${a%%=*}"); JARS+=("$(realpath "${a#*=}")")
  [[ -f "${JARS[-1]}" ]] || { echo "no such jar: ${a#*=}" >&2; exit 2; }
done
for c in wrk nginx curl jq awk; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 2; }; done

RUN_DIR="$(mktemp -d /tmp/creditgate-ab.XXXXXX)"
TSV="$RUN_DIR/runs.tsv"
printf 'round\ttarget\tconns\treq_s\tp50_us\tp99_us\tp999_us\tnon2xx\terrors\tcpu_us_per_req\n' > "$TSV"
declare -a STARTED=() PG_DBS=()
log() { printf '[ab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
cleanup() {
  set +e
  for p in "${STARTED[@]}"; do kill "$p" 2>/dev/null; done
  [[ -f "$RUN_DIR/nginx/nginx.pid" ]] && kill "$(cat "$RUN_DIR/nginx/nginx.pid")" 2>/dev/null
  sleep 1
  for db in "${PG_DBS[@]}"; do psql "$AB_PG/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
  log "run directory: $RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { local i; for i in $(seq 1 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; return 1; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK="$(getconf CLK_TCK)"

# wrk_run LABEL ROUND URL CONNS DURATION AUTH [PID]: one wrk run, a TSV row
wrk_run() {
  local label="$1" round="$2" url="$3" conns="$4" dur="$5" auth="$6" pid="${7:-}" t0=0 t1=0 out line
  local threads=$(( conns < 2 ? 1 : 2 ))
  [[ -n "$pid" ]] && t0="$(ticks "$pid")"
  out="$(BENCH_BODY="$BODY" BENCH_AUTH="$auth" wrk -t"$threads" -c"$conns" -d"$dur" --latency --timeout 30s -s "$LUA" "$url" 2>&1)"
  [[ -n "$pid" ]] && t1="$(ticks "$pid")"
  line="$(grep '^BENCH ' <<<"$out")" || { echo "$out" >&2; return 1; }
  awk -v l="$label" -v r="$round" -v c="$conns" -v dt="$(( t1 - t0 ))" -v hz="$CLK_TCK" -v haspid="${pid:+1}" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      rps = v["requests"] / (v["duration_us"] / 1e6)
      cpu = (haspid && v["requests"] > 0) ? sprintf("%.0f", dt / hz * 1e6 / v["requests"]) : "-"
      printf "%s\t%s\t%s\t%.0f\t%d\t%d\t%d\t%d\t%d\t%s\n", r, l, c, rps, v["p50"], v["p99"], v["p999"], v["status"],
        v["connect"] + v["read"] + v["write"] + v["timeout"], cpu }' <<<"$line" | tee -a "$TSV" >&2
}

# ---------------------------------------------------------------------------------------------- mock + nginx
MOCK_PORT="$(free_port)"; MOCK_URL="http://127.0.0.1:$MOCK_PORT"
mkdir -p "$RUN_DIR/mock"
(cd "$RUN_DIR/mock" && exec "$JAVA" $AB_JAVA_OPTS -jar "$MOCK_JAR" --port "$MOCK_PORT" --record 0) > "$RUN_DIR/mock.log" 2>&1 &
STARTED+=($!)
wait_http "$MOCK_URL/_mock/stats" || { tail "$RUN_DIR/mock.log" >&2; exit 1; }
NGINX_PORT="$(free_port)"; NGINX_URL="http://127.0.0.1:$NGINX_PORT"
mkdir -p "$RUN_DIR/nginx"
cat > "$RUN_DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN_DIR/nginx/body; proxy_temp_path $RUN_DIR/nginx/proxy;
  fastcgi_temp_path $RUN_DIR/nginx/fcgi; uwsgi_temp_path $RUN_DIR/nginx/uwsgi; scgi_temp_path $RUN_DIR/nginx/scgi;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
nginx -c "$RUN_DIR/nginx/nginx.conf"
wait_http "$NGINX_URL/_mock/stats" || { cat "$RUN_DIR/nginx/error.log" >&2; exit 1; }
log "mock at $MOCK_URL, nginx at $NGINX_URL, run directory $RUN_DIR"

# ---------------------------------------------------------------------------------------------- gateway
GW_PID=""; GW_URL=""; GW_KEY=""
start_gateway() { # start_gateway LABEL JAR ROUND
  local port dir admin opts_var="AB_OPTS_$1" extra
  extra="${!opts_var:-}"
  port="$(free_port)"; GW_URL="http://127.0.0.1:$port"; dir="$RUN_DIR/gw-$1-$3"; mkdir -p "$dir"
  admin="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 48)"
  local ds=()
  if [[ "$AB_DB" == postgres ]]; then
    local db="cgab_$1_$(date +%s)_$RANDOM"
    psql "$AB_PG/postgres" -qc "CREATE DATABASE $db" >/dev/null
    PG_DBS+=("$db")
    ds=(SPRING_DATASOURCE_URL="jdbc:postgresql://$AB_PG_HOST/$db" SPRING_DATASOURCE_USERNAME="$AB_PG_USER"
        SPRING_DATASOURCE_PASSWORD=)
  fi
  (cd "$dir" && exec env "${ds[@]}" GATEWAY_ADMIN_TOKEN="$admin" GATEWAY_SECRET_KEY="$GATEWAY_SECRET_KEY" SERVER_PORT="$port" SERVER_ADDRESS=127.0.0.1 \
      "$JAVA" $AB_JAVA_OPTS $extra -jar "$2") > "$dir/gateway.log" 2>&1 &
  GW_PID=$!; STARTED+=($GW_PID)
  wait_http "$GW_URL/actuator/health" || { tail -40 "$dir/gateway.log" >&2; exit 1; }
  local h=(-H "Authorization: Bearer $admin" -H 'Content-Type: application/json')
  curl -fs "${h[@]}" -X POST "$GW_URL/api/channel/" -d "$(jq -nc --arg u "$MOCK_URL" \
    '{name: "mock", type: "openai", base_url: $u, key: "sk-mock", models: "gpt-4o-mini", priority: 0, weight: 1, status: 1}')" >/dev/null
  local uid
  uid="$(curl -fs "${h[@]}" -X POST "$GW_URL/api/user/" -d '{"username":"ab","quota":1000000000000,"group":"default"}' | jq -r '.data.id')"
  GW_KEY="$(curl -fs "${h[@]}" -X POST "$GW_URL/api/token/" -d "$(jq -nc --argjson u "$uid" \
    '{name: "ab-native", user_id: $u, remain_quota: 1000000000000, unlimited_quota: false, expired_time: -1}')" | jq -r '.data.key')"
  local i
  for i in $(seq 1 60); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $GW_KEY" -H 'Content-Type: application/json' \
      -d "$BODY" "$GW_URL/v1/chat/completions")" == 200 ]] && return 0
    sleep 0.5
  done
  echo "no 200 through the gateway $1" >&2; exit 1
}

# Every gateway is started and warmed up first and stays up: the rounds then alternate between warm processes (a
# JVM restarted per round spends its first minute in the JIT compiler, which on a loaded box swamps what is measured).
n=${#JARS[@]}
declare -a G_URL=() G_KEY=() G_PID=()
for j in $(seq 0 $(( n - 1 ))); do
  start_gateway "${LABELS[$j]}" "${JARS[$j]}" 0
  G_URL[$j]="$GW_URL"; G_KEY[$j]="$GW_KEY"; G_PID[$j]="$GW_PID"
  log "${LABELS[$j]}: pid $GW_PID at $GW_URL"
done
for j in $(seq 0 $(( n - 1 ))); do
  log "warm-up ${LABELS[$j]} ($AB_WARMUP at 32 connections), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  BENCH_BODY="$BODY" BENCH_AUTH="${G_KEY[$j]}" wrk -t2 -c32 -d"$AB_WARMUP" -s "$LUA" "${G_URL[$j]}/v1/chat/completions" \
    > "$RUN_DIR/warmup-${LABELS[$j]}.txt" 2>&1 || true
done
for round in $(seq 1 "$AB_ROUNDS"); do
  order=($(seq 0 $(( n - 1 ))))
  (( round % 2 == 0 )) && order=($(seq $(( n - 1 )) -1 0))
  for j in "${order[@]}"; do
    label="${LABELS[$j]}"; url="${G_URL[$j]}/v1/chat/completions"; key="${G_KEY[$j]}"; pid="${G_PID[$j]}"
    log "round $round: $label, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    BENCH_BODY="$BODY" BENCH_AUTH="$key" wrk -t2 -c32 -d5s -s "$LUA" "$url" >/dev/null 2>&1 || true # back in cache
    jfr=""
    if [[ "$AB_JFR" == 1 && "$round" == 1 ]]; then
      jfr="$RUN_DIR/$label.jfr"
      "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=ab settings="$AB_JFR_SETTINGS" filename="$jfr" >/dev/null
    fi
    wrk_run mock "$round" "$MOCK_URL/v1/chat/completions" 1 "$AB_DURATION" ""
    wrk_run nginx "$round" "$NGINX_URL/v1/chat/completions" 1 "$AB_DURATION" ""
    wrk_run "$label" "$round" "$url" 1 "$AB_DURATION" "$key" "$pid"
    wrk_run mock "$round" "$MOCK_URL/v1/chat/completions" "$AB_CONNS" "$AB_DURATION" ""
    wrk_run nginx "$round" "$NGINX_URL/v1/chat/completions" "$AB_CONNS" "$AB_DURATION" ""
    wrk_run "$label" "$round" "$url" "$AB_CONNS" "$AB_DURATION" "$key" "$pid"
    if [[ -n "$jfr" ]]; then
      "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=ab >/dev/null
      "$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$jfr" > "${jfr%.jfr}-hot-methods.txt" 2>&1 || true
      "$JAVA_HOME/bin/jfr" view --width 200 allocation-by-site "$jfr" > "${jfr%.jfr}-allocations.txt" 2>&1 || true
    fi
  done
done

# ---------------------------------------------------------------------------------------------- summary
SUMMARY="$RUN_DIR/summary.md"
{
  echo "Command: \`AB_DB=$AB_DB AB_ROUNDS=$AB_ROUNDS AB_WARMUP=$AB_WARMUP AB_DURATION=$AB_DURATION AB_CONNS=$AB_CONNS bench/ab-relay.sh $*\`"
  echo
  echo "Medians over $AB_ROUNDS rounds (min-max in brackets). Added latency = target p50/p99 minus nginx's in the same round."
  echo
  awk -F'\t' -v conns="$AB_CONNS" -v labels="mock nginx ${LABELS[*]}" '
    NR == 1 { next }
    { key = $2 SUBSEP $3; n[key]++; rps[key, n[key]] = $4; p50[key, n[key]] = $5; p99[key, n[key]] = $6
      cpu[key, n[key]] = $10; bad[key] += $8 + $9
      if ($3 == 1) { r50[$1, $2] = $5; r99[$1, $2] = $6 } rounds[$1] = 1 }
    function med(arr, key, cnt,   i, j, t, a) {
      for (i = 1; i <= cnt; i++) a[i] = arr[key, i] + 0
      for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (cnt % 2) ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
    }
    function rng(arr, key, cnt,   i, lo, hi) {
      lo = hi = arr[key, 1] + 0
      for (i = 2; i <= cnt; i++) { if (arr[key, i] + 0 < lo) lo = arr[key, i] + 0; if (arr[key, i] + 0 > hi) hi = arr[key, i] + 0 }
      return lo "-" hi
    }
    END {
      print "| target | req/s @" conns " | x nginx | p50 @1 (ms) | p99 @1 (ms) | added p50 | added p99 | CPU us/req @1 | CPU us/req @" conns " | failed |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      split(labels, L, " ")
      kn = "nginx" SUBSEP conns
      for (li = 1; li in L; li++) {
        t = L[li]; k1 = t SUBSEP 1; kc = t SUBSEP conns
        if (!(k1 in n)) continue
        # added latency per round, then the median
        m = 0; delete d50; delete d99
        for (r in rounds) if ((r, t) in r50) { m++; d50["x", m] = r50[r, t] - r50[r, "nginx"]; d99["x", m] = r99[r, t] - r99[r, "nginx"] }
        printf "| %s | %.0f [%s] | %.2f | %.3f | %.3f | %+.3f | %+.3f | %s | %s | %d |\n", t, med(rps, kc, n[kc]), rng(rps, kc, n[kc]),
          med(rps, kc, n[kc]) / med(rps, kn, n[kn]), med(p50, k1, n[k1]) / 1000, med(p99, k1, n[k1]) / 1000,
          med(d50, "x", m) / 1000, med(d99, "x", m) / 1000,
          (t == "mock" || t == "nginx") ? "-" : med(cpu, k1, n[k1]) " [" rng(cpu, k1, n[k1]) "]",
          (t == "mock" || t == "nginx") ? "-" : med(cpu, kc, n[kc]) " [" rng(cpu, kc, n[kc]) "]", bad[k1] + bad[kc]
      }
    }' "$TSV"
  echo
  echo "Every run (TSV):"
  echo
  echo '```'
  cat "$TSV"
  echo '```'
} > "$SUMMARY"
cat "$SUMMARY"
