#!/usr/bin/env bash
# Creditgate walkthrough: run it against the running demo (java -jar demo/target/demo.jar).
#
#   bash demo/walkthrough.sh [data-dir]        # data-dir defaults to ./data (where the demo wrote demo.env)
#
# It calls the gateway with the demo key, watches the credit platform's balance drop, spends the credit until the
# gateway refuses (403 insufficient_user_quota), tops up, then stops the credit platform and shows the gateway's
# fallback (local vs deny) and, once the platform is back, the usage served during the outage being charged.
# Every step checks its answer and stops with "FAILED: ..." (exit 1) when it differs from what is expected.
# Needs: bash, curl, sed, awk (no jq, no python).
set -euo pipefail

DATA_DIR="${1:-${CG_DATA_DIR:-./data}}"
if [ -z "${CG_GATEWAY:-}" ]; then
  if [ ! -f "$DATA_DIR/demo.env" ]; then
    echo "no $DATA_DIR/demo.env: start the demo first (java -jar demo/target/demo.jar) or pass its data directory" >&2
    exit 2
  fi
  # shellcheck disable=SC1091
  . "$DATA_DIR/demo.env"
fi
for tool in curl sed awk; do
  command -v "$tool" >/dev/null || { echo "this walkthrough needs $tool" >&2; exit 2; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
STATUS=0
BODY=""
STEP=0

step() { STEP=$((STEP + 1)); printf '\n== %d. %s\n' "$STEP" "$*"; }
show() { printf '   %s\n' "$*"; }
ok()   { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*"; exit 1; }

# http METHOD URL [BODY] [HEADER...]: sets STATUS and BODY (never fails on a refused connection: STATUS=000)
http() {
  local method="$1" url="$2" data="${3:-}"; shift 3 || shift $#
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" --max-time 30 -H 'Content-Type: application/json')
  for h in "$@"; do args+=(-H "$h"); done
  [ -n "$data" ] && args+=(--data "$data")
  STATUS="$(curl "${args[@]}" "$url" 2>/dev/null || true)"
  [ -z "$STATUS" ] && STATUS=000
  BODY="$(cat "$TMP/body" 2>/dev/null || true)"
  : > "$TMP/body"
}

# field NAME: the value of "NAME": in BODY (string quotes removed); empty when absent
field() {
  printf '%s' "$BODY" | sed -n 's/.*"'"$1"'":"\{0,1\}\([^",}]*\).*/\1/p' | head -n 1
}

# calc EXPR: decimal arithmetic for display and comparison (awk; money itself is exact on the servers)
calc() { awk "BEGIN { v = $1; printf \"%.6f\", v }" | sed 's/0*$//; s/\.$//'; }
same() { awk "BEGIN { d = ($1) - ($2); exit !(d < 0.0000005 && d > -0.0000005) }"; }
holds() { awk "BEGIN { exit !($1) }"; }

chat() { # chat KEY MODEL: one chat completion through the gateway
  http POST "$CG_GATEWAY/v1/chat/completions" \
    '{"model":"'"$2"'","messages":[{"role":"user","content":"Hello"}]}' "Authorization: Bearer $1"
}

balance() { # sets CREDIT from the platform's balance endpoint (the seed's endpoint, with the service token)
  http GET "$CG_CREDITS/api/credits/balance/$CG_DEMO_KEY_ID" "" "X-API-Key: $CG_SERVICE_TOKEN"
  [ "$STATUS" = 200 ] || fail "balance: HTTP $STATUS $BODY"
  CREDIT="$(field credit)"
}

expect_credit() { # expect_credit VALUE: polls the balance until it equals VALUE (usage may be charged a moment later)
  local want; want="$(calc "$1")"
  for _ in $(seq 1 120); do
    balance
    if same "$CREDIT" "$want"; then ok "credit is $CREDIT"; return; fi
    sleep 0.5
  done
  fail "credit is $CREDIT, expected $want"
}

option() { # option KEY VALUE: a gateway option, as an operator sets it
  http PUT "$CG_GATEWAY/api/option/" '{"key":"'"$1"'","value":"'"$2"'"}' "Authorization: Bearer $CG_GATEWAY_ADMIN_TOKEN"
  [ "$STATUS" = 200 ] || fail "PUT /api/option/ $1: HTTP $STATUS $BODY"
  show "gateway option $1 = $2"
}

control() { # control stop|start: the demo's switch for the credit platform
  http POST "$CG_CONTROL/platform/$1" "" "Authorization: Bearer $CG_CREDITS_ADMIN_TOKEN"
  [ "$STATUS" = 200 ] || fail "POST /platform/$1: HTTP $STATUS $BODY"
  show "demo control: $BODY"
}

outbox() { # sets PENDING: usage events the gateway still has to deliver to the platform
  http GET "$CG_GATEWAY/api/usage_event/?status=pending" "" "Authorization: Bearer $CG_GATEWAY_ADMIN_TOKEN"
  [ "$STATUS" = 200 ] || fail "GET /api/usage_event/: HTTP $STATUS $BODY"
  PENDING="$(field total)"
}

step "The demo key's balance at the credit platform"
show "GET $CG_CREDITS/api/credits/balance/<demo key id>   (X-API-Key: <service token>)"
balance
show "$BODY"
START="$CREDIT"
ok "credit is $START (credits; 100 credits = 1 USD)"
holds "$START >= 2" || fail "this tour needs at least 2 credits on the demo key (credit $START): top up first"

step "Call the model with the demo key (demo-fixed: 0.01 USD per call = 1 credit)"
show "POST $CG_GATEWAY/v1/chat/completions   (Authorization: Bearer <demo key>)"
chat "$CG_DEMO_KEY" demo-fixed
show "HTTP $STATUS $BODY"
[ "$STATUS" = 200 ] || fail "expected 200"
case "$BODY" in *"Hello from the mock upstream."*) ok "the mock upstream answered";; *) fail "unexpected reply";; esac
expect_credit "$START - 1"

step "A ratio-priced model (gpt-4o-mini: 2 prompt + 5 completion tokens x 4 x 0.075 = 1.65 quota = 0.0000033 USD, exact)"
chat "$CG_DEMO_KEY" gpt-4o-mini
show "HTTP $STATUS, usage $(printf '%s' "$BODY" | sed -n 's/.*"usage":\({[^}]*}\).*/\1/p')"
[ "$STATUS" = 200 ] || fail "expected 200: $BODY"
expect_credit "$START - 1.00033"

step "Spend the credit until the gateway refuses"
CALLS=0
while :; do
  chat "$CG_DEMO_KEY" demo-fixed
  [ "$STATUS" = 200 ] || break
  CALLS=$((CALLS + 1))
  [ "$CALLS" -le 500 ] || fail "still answering after 500 calls: is the credit check on?"
done
show "$CALLS more calls answered 200, then HTTP $STATUS $BODY"
[ "$STATUS" = 403 ] || fail "expected 403"
[ "$(field code)" = insufficient_user_quota ] || fail "expected code insufficient_user_quota"
ok "403 insufficient_user_quota: the upstream was not called"
LEFT="$(calc "$START - 1.00033 - $CALLS")"
expect_credit "$LEFT"

step "Top up 5 credits at the platform, and continue"
show "POST $CG_CREDITS/api/users/<demo user id>/credits {amount: 5, type: RECHARGE, ref: ...}   (Bearer <admin token>)"
http POST "$CG_CREDITS/api/users/$CG_DEMO_USER_ID/credits" \
  '{"amount":5,"type":"RECHARGE","desc":"walkthrough top-up","ref":"walkthrough-'"$(date +%s)-$RANDOM"'"}' \
  "Authorization: Bearer $CG_CREDITS_ADMIN_TOKEN"
[ "$STATUS" = 201 ] || [ "$STATUS" = 200 ] || fail "top-up: HTTP $STATUS $BODY"
show "HTTP $STATUS"
expect_credit "$LEFT + 5"
chat "$CG_DEMO_KEY" demo-fixed
[ "$STATUS" = 200 ] || fail "expected 200 after the top-up: $STATUS $BODY"
ok "the demo key works again"
expect_credit "$LEFT + 4"

step "A native gateway key (new-api's quota, no credit platform involved): 0.01 USD = 5000 quota"
http GET "$CG_GATEWAY/api/user/$CG_NATIVE_USER_ID" "" "Authorization: Bearer $CG_GATEWAY_ADMIN_TOKEN"
Q0="$(field quota)"
chat "$CG_NATIVE_KEY" demo-fixed
[ "$STATUS" = 200 ] || fail "native key: HTTP $STATUS $BODY"
http GET "$CG_GATEWAY/api/user/$CG_NATIVE_USER_ID" "" "Authorization: Bearer $CG_GATEWAY_ADMIN_TOKEN"
Q1="$(field quota)"
show "native user quota $Q0 -> $Q1"
[ "$((Q0 - Q1))" = 5000 ] || fail "expected the quota to drop by 5000"
ok "charged 5000 quota"

step "Stop the credit platform; fallback 'local' (the default): last known balance, minus what the outage spent"
option letaicode_fallback local
control stop
http GET "$CG_CREDITS/api/credits/balance/$CG_DEMO_KEY_ID" "" "X-API-Key: $CG_SERVICE_TOKEN"
show "credit platform: HTTP $STATUS (connection refused)"
[ "$STATUS" = 000 ] || fail "the platform still answers"
chat "$CG_DEMO_KEY" demo-fixed
show "HTTP $STATUS $BODY"
[ "$STATUS" = 200 ] || fail "expected 200 under fallback local"
ok "served from the last known balance; the usage waits in the gateway's outbox"
outbox
show "gateway outbox: $PENDING usage event(s) waiting for the platform (GET /api/usage_event/?status=pending)"

step "Fallback 'deny': refuse while the platform is down"
option letaicode_fallback deny
sleep 2 # options reach every instance within a second or two
chat "$CG_DEMO_KEY" demo-fixed
show "HTTP $STATUS $BODY"
[ "$STATUS" = 503 ] || fail "expected 503"
[ "$(field code)" = credit_service_unavailable ] || fail "expected code credit_service_unavailable"
ok "503 credit_service_unavailable"
option letaicode_fallback local

step "Start the credit platform again: the outage's usage is charged (outbox drains)"
control start
expect_credit "$LEFT + 3"
outbox
show "gateway outbox: $PENDING usage event(s) waiting"
chat "$CG_DEMO_KEY" demo-fixed
[ "$STATUS" = 200 ] || fail "expected 200 after the outage: $STATUS $BODY"
expect_credit "$LEFT + 2"

printf '\nWalkthrough complete: every answer was as expected.\n'
