#!/usr/bin/env bash
# The holds case of run.sh, alone and side by side: several credit-platform jars (e.g. before/after a change) each
# on a fresh database, loaded in alternating rounds by wrk with lua/holds.lua (64 connections, one hot key), so that
# the other load on a shared machine hits every jar alike. Reports each round and the median per jar, then the
# drain check of run.sh (a 20-credit user under the same load: never negative). No gateway: a stub on loopback
# answers the platform's key-creation call.
#
#   bench/holds-ab.sh base=/tmp/credits-base.jar new=credits/target/credits.jar
#   HOLDS_DB=h2 HOLDS_ROUNDS=3 bench/holds-ab.sh new=credits/target/credits.jar
#
# HOLDS_DB (postgres | h2, default postgres), HOLDS_ROUNDS (5), HOLDS_DURATION (10s), HOLDS_WARMUP (20s),
# HOLDS_CONNS (64), HOLDS_JAVA_OPTS (-Xms256m -Xmx1g), HOLDS_JFR (1: a JFR recording per jar, settings=profile,
# taken during the measured rounds, with `jfr view hot-methods` next to it), HOLDS_OUT (a Markdown file to write the
# tables to). CPU per call: the JVM's and its database backends' user + system time over the round (/proc), divided by
# the calls: on a shared machine it varies less than the throughput. Process logs and recordings stay in the run directory printed at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LUA="$ROOT/bench/lua/holds.lua"
HOLDS_DB="${HOLDS_DB:-postgres}"
HOLDS_ROUNDS="${HOLDS_ROUNDS:-5}"
HOLDS_DURATION="${HOLDS_DURATION:-10s}"
HOLDS_WARMUP="${HOLDS_WARMUP:-20s}"
HOLDS_CONNS="${HOLDS_CONNS:-64}"
HOLDS_JAVA_OPTS="${HOLDS_JAVA_OPTS:--Xms256m -Xmx1g}"
HOLDS_JFR="${HOLDS_JFR:-0}"
HOLDS_OUT="${HOLDS_OUT:-}"
PG="psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qAt"
[[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[[ $# -ge 1 ]] || { echo "usage: $0 label=jar [label=jar ...]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

RUN_DIR="$(mktemp -d /tmp/creditgate-holds.XXXXXX)"
LABELS=(); declare -A JAR=() PID=() URL=() KEYID=() USERID=() HPS=() DBNAME=() CPUS=()
STUB_PID=""
log() { printf '[holds %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
rand_token() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 48; }
ADMIN="$(rand_token)"; SERVICE="$(rand_token)"; SECRET="$(rand_token)"

cleanup() {
  set +e
  local p
  for p in "${PID[@]}" $STUB_PID; do kill "$p" 2>/dev/null; done
  for p in "${PID[@]}" $STUB_PID; do for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
  if [[ "$HOLDS_JFR" == 1 ]]; then
    for f in "$RUN_DIR"/*.jfr; do
      [[ -f "$f" ]] && "${JAVA_HOME:+$JAVA_HOME/bin/}jfr" view --width 200 hot-methods "$f" > "${f%.jfr}-hot-methods.txt" 2>&1
    done
  fi
  for db in "${DBNAME[@]}"; do $PG -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; done
  log "run directory: $RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { local p; while :; do p=$(( 15000 + RANDOM % 15000 )); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
wait_http() { local i; for i in $(seq 1 400); do curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.3; done; return 1; }
api() { # api URL METHOD PATH [BODY]: admin API, dies unless 2xx; prints the body
  local out
  out="$(curl -sS -m 30 -X "$2" -H 'Content-Type: application/json' -H "Authorization: Bearer $ADMIN" \
    ${4:+--data-binary "$4"} -w '\n%{http_code}' "$1$3")"
  [[ "${out##*$'\n'}" == 2* ]] || { log "ERROR: $2 $3 -> ${out##*$'\n'} ${out%$'\n'*}"; exit 1; }
  echo "${out%$'\n'*}"
}
new_user() { # new_user URL CREDITS: prints "userId keyId"
  local uid kid
  uid="$(api "$1" POST /api/users "{\"email\":\"u$RANDOM$RANDOM@bench.invalid\",\"name\":\"bench\"}" | jq -r .data.id)"
  api "$1" POST "/api/users/$uid/credits" "{\"amount\":$2,\"type\":\"RECHARGE\",\"desc\":\"bench\",\"ref\":\"b-$uid\"}" >/dev/null
  kid="$(api "$1" POST /api/keys "{\"userId\":\"$uid\",\"label\":\"bench\"}" | jq -r .data.id)"
  echo "$uid $kid"
}
balance() { api "$1" GET "/api/users/$2" | jq -r '"\(.data.balance) \(.data.held) \(.data.available)"'; }
# wrk_holds LABEL ID DURATION KEY: prints the BENCH line of lua/holds.lua
wrk_holds() {
  local out
  out="$(env BENCH_KEY_ID="$4" BENCH_SERVICE_TOKEN="$SERVICE" BENCH_RUN_ID="$2$RANDOM" \
    wrk -t2 -c"$HOLDS_CONNS" -d"$3" --latency --timeout 30s -s "$LUA" "${URL[$1]}/api/credits/holds" 2>&1)"
  printf '%s\n' "$out" > "$RUN_DIR/wrk-$1-$2.txt"
  grep '^BENCH ' <<<"$out" || { printf '%s\n' "$out" >&2; exit 1; }
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# batches LABEL: "count sum" of the platform's group-commit batch sizes (credits_holds_batch_size), 0 0 if absent
batches() {
  curl -fsS -m 5 "${URL[$1]}/actuator/prometheus" 2>/dev/null | awk '
    /^credits_holds_batch_size_count/ { c = $2 } /^credits_holds_batch_size_sum/ { s = $2 }
    END { printf "%d %d\n", c, s }'
}
# cpu_ticks LABEL: CPU time (clock ticks, user + system) of the jar's JVM and of the PostgreSQL backends serving its
# database, as "jvm pg"
cpu_ticks() {
  local jvm pg=0 p
  jvm="$(awk '{ print $14 + $15 }' "/proc/${PID[$1]}/stat")"
  if [[ "$HOLDS_DB" == postgres ]]; then
    for p in $($PG -c "SELECT pid FROM pg_stat_activity WHERE datname = '${DBNAME[$1]}'"); do
      pg=$(( pg + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) ))
    done
  fi
  echo "$jvm $pg"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# a stub of the gateway's token API: the platform creates every key's gateway token through it
STUB_PORT="$(free_port)"
python3 - "$STUB_PORT" > "$RUN_DIR/stub.log" 2>&1 <<'EOF' &
import http.server, itertools, sys
ids = itertools.count(1)
class H(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        n = int(self.headers.get('Content-Length') or 0)
        if n: self.rfile.read(n)
        b = body.encode(); self.send_response(200)
        self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', str(len(b)))
        self.end_headers(); self.wfile.write(b)
    def do_POST(self): self.answer('{"success":true,"data":{"id":%d}}' % next(ids))
    def do_GET(self): self.answer('{"success":true,"data":{"items":[],"total":0}}')
    def do_PUT(self): self.answer('{"success":true}')
    def do_DELETE(self): self.answer('{"success":true}')
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
EOF
STUB_PID=$!

for arg in "$@"; do
  label="${arg%%=*}"; jar="${arg#*=}"
  [[ -f "$jar" ]] || { log "ERROR: no jar $jar"; exit 1; }
  LABELS+=("$label"); JAR[$label]="$(readlink -f "$jar")"
done

for label in "${LABELS[@]}"; do
  port="$(free_port)"; URL[$label]="http://127.0.0.1:$port"; mkdir -p "$RUN_DIR/$label"
  ds=()
  if [[ "$HOLDS_DB" == postgres ]]; then
    DBNAME[$label]="cgholds_${label//[^a-z0-9]/_}_$(date +%s)_$RANDOM"
    $PG -c "CREATE DATABASE ${DBNAME[$label]}" >/dev/null
    ds=(SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:5432/${DBNAME[$label]}" SPRING_DATASOURCE_USERNAME=postgres SPRING_DATASOURCE_PASSWORD=)
  fi
  (cd "$RUN_DIR/$label" && exec env "${ds[@]}" SERVER_PORT="$port" SERVER_ADDRESS=127.0.0.1 CREDITS_ADMIN_TOKEN="$ADMIN" \
    CREDITS_SERVICE_TOKEN="$SERVICE" CREDITS_WEBHOOK_SECRET="$SECRET" CREDITS_GATEWAY_URL="http://127.0.0.1:$STUB_PORT" \
    CREDITS_GATEWAY_ADMIN_TOKEN="$(rand_token)" "$JAVA" $HOLDS_JAVA_OPTS -jar "${JAR[$label]}") > "$RUN_DIR/$label.log" 2>&1 &
  PID[$label]=$!
  wait_http "${URL[$label]}/actuator/health" || { tail -30 "$RUN_DIR/$label.log" >&2; exit 1; }
  read -r USERID[$label] KEYID[$label] <<<"$(new_user "${URL[$label]}" 100000000)"
  log "$label: pid ${PID[$label]} at ${URL[$label]} ($HOLDS_DB), jar ${JAR[$label]}"
done

for label in "${LABELS[@]}"; do
  log "$label: warm-up $HOLDS_WARMUP"
  wrk_holds "$label" warm "$HOLDS_WARMUP" "${KEYID[$label]}" >/dev/null
done
if [[ "$HOLDS_JFR" == 1 ]]; then
  for label in "${LABELS[@]}"; do
    "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "${PID[$label]}" JFR.start name=holds settings=profile \
      filename="$RUN_DIR/$label.jfr" >/dev/null
  done
fi

ROWS=()
for r in $(seq 1 "$HOLDS_ROUNDS"); do
  order=("${LABELS[@]}")
  if (( r % 2 == 0 )); then order=(); for (( i=${#LABELS[@]}-1; i>=0; i-- )); do order+=("${LABELS[$i]}"); done; fi
  for label in "${order[@]}"; do
    read -r j0 p0 <<<"$(cpu_ticks "$label")"; read -r bc0 bs0 <<<"$(batches "$label")"
    line="$(wrk_holds "$label" "r$r" "$HOLDS_DURATION" "${KEYID[$label]}")"
    read -r j1 p1 <<<"$(cpu_ticks "$label")"; read -r bc1 bs1 <<<"$(batches "$label")"
    avgb="$(awk -v c="$bc0" -v s="$bs0" -v C="$bc1" -v S="$bs1" 'BEGIN { if (C > c) printf "%.1f", (S - s) / (C - c); else print "?" }')"
    d="$(field "$line" duration_us)"; g="$(field "$line" granted)"; n="$(field "$line" requests)"
    tick="$(getconf CLK_TCK)"
    cpu="$(awk -v j=$(( j1 - j0 )) -v p=$(( p1 - p0 )) -v n="$n" -v t="$tick" 'BEGIN { printf "%.0f | %.0f", j / t * 1e6 / n, p / t * 1e6 / n }')"
    hps="$(awk -v g="$g" -v d="$d" 'BEGIN { printf "%.0f", g / (d / 1e6) }')"
    cps="$(awk -v g="$n" -v d="$d" 'BEGIN { printf "%.0f", g / (d / 1e6) }')"
    HPS[$label]+="$hps "
    CPUS[$label]+="$(awk -v c="$cpu" 'BEGIN { split(c, a, " [|] "); print a[1] + a[2] }') "
    bad=$(( $(field "$line" failed) + $(field "$line" unparsed) + $(field "$line" connect) + $(field "$line" read) \
      + $(field "$line" write) + $(field "$line" timeout) ))
    row="| $r | $label | $hps | $cps | $(awk -v u="$(field "$line" p50)" 'BEGIN { printf "%.2f", u / 1000 }') | $(awk -v u="$(field "$line" p99)" 'BEGIN { printf "%.2f", u / 1000 }') | $(field "$line" refused) | $bad | $cpu | $avgb | $(cut -d' ' -f1 /proc/loadavg) |"
    ROWS+=("$row"); log "$row"
  done
done

if [[ "$HOLDS_JFR" == 1 ]]; then
  for label in "${LABELS[@]}"; do "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "${PID[$label]}" JFR.stop name=holds >/dev/null; done
fi

CHECKS=()
for label in "${LABELS[@]}"; do
  read -r b h a <<<"$(balance "${URL[$label]}" "${USERID[$label]}")"
  ok=FAIL; awk -v b="$b" -v h="$h" -v a="$a" 'BEGIN { exit !(b >= 0 && h >= 0 && a >= 0) }' && ok=PASS
  CHECKS+=("$ok: $label hot user: balance $b, held $h, available $a (none negative)")
  read -r uid kid <<<"$(new_user "${URL[$label]}" 20)"
  line="$(wrk_holds "$label" drain 3s "$kid")"
  read -r b h a <<<"$(balance "${URL[$label]}" "$uid")"
  neg="$(api "${URL[$label]}" GET "/api/users/$uid/transactions?page=1&pageSize=100" \
    | jq '[.data.items[]? | (.balanceAfter // .balance) | select(type == "number" and . < 0)] | length')"
  ok=FAIL; awk -v b="$b" -v h="$h" -v a="$a" 'BEGIN { exit !(b >= 0 && h >= 0 && a >= 0) }' && [[ "$neg" == 0 ]] && ok=PASS
  CHECKS+=("$ok: $label drain: 20-credit user under $HOLDS_CONNS connections: $(field "$line" granted) granted, $(field "$line" refused) refused; final balance $b, held $h, available $a; $neg negative ledger rows")
done

{
  echo "Command: \`HOLDS_DB=$HOLDS_DB HOLDS_ROUNDS=$HOLDS_ROUNDS HOLDS_DURATION=$HOLDS_DURATION HOLDS_WARMUP=$HOLDS_WARMUP HOLDS_CONNS=$HOLDS_CONNS bench/holds-ab.sh $*\`"
  echo "Started $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo ""
  echo "| round | jar | holds/s | calls/s | p50 ms | p99 ms | refused | failed or socket errors | JVM CPU us/call | PostgreSQL CPU us/call | units per batch | load 1 min |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo ""
  echo "| jar | median holds/s | rounds | median CPU us/call (JVM + PostgreSQL) |"
  echo "|---|---:|---|---:|"
  for label in "${LABELS[@]}"; do
    echo "| $label | $(median <<<"${HPS[$label]}") | ${HPS[$label]}| $(median <<<"${CPUS[$label]}") |"
  done
  echo ""
  for c in "${CHECKS[@]}"; do echo "- $c"; done
} | tee "${HOLDS_OUT:-/dev/null}"
for c in "${CHECKS[@]}"; do [[ "$c" == PASS* ]] || exit 1; done
