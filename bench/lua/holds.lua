-- wrk script: credit-platform holds on one hot key. Every connection alternates
--   POST /api/credits/holds  ->  POST /api/credits/holds/:id/capture  (every other hold)
--                            ->  POST /api/credits/holds/:id/release  (the others)
-- Environment: BENCH_KEY_ID, BENCH_SERVICE_TOKEN (X-API-Key), BENCH_HOLD_USD (default 0.01),
-- BENCH_CAPTURE_USD (default 0.005), BENCH_RUN_ID (makes requestId/eventId unique per run).
-- done() prints "BENCH k=v ..." with the counts of each outcome; latencies in microseconds (all calls).
local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  key_id = os.getenv("BENCH_KEY_ID")
  hold_usd = os.getenv("BENCH_HOLD_USD") or "0.01"
  capture_usd = os.getenv("BENCH_CAPTURE_USD") or "0.005"
  run_id = os.getenv("BENCH_RUN_ID") or "run"
  hdrs = { ["Content-Type"] = "application/json", ["X-API-Key"] = os.getenv("BENCH_SERVICE_TOKEN") }
  seq = 0
  followups = 0
  queue = {}
  head = 1
  tail = 0
  -- outcome counters (globals: done() reads them with thread:get)
  granted = 0; refused = 0; settled = 0; failed = 0; unparsed = 0
  captures_sent = 0; releases_sent = 0
end

function request()
  seq = seq + 1
  if head <= tail then
    local id = queue[head]
    queue[head] = nil
    head = head + 1
    followups = followups + 1
    if followups % 2 == 0 then
      captures_sent = captures_sent + 1
      return wrk.format("POST", "/api/credits/holds/" .. id .. "/capture", hdrs, string.format(
        '{"costUsd":"%s","eventId":"%s-%d-%d","usage":{"model":"gpt-4o-mini","promptTokens":10,' ..
        '"completionTokens":5,"totalTokens":15}}', capture_usd, run_id, tid, seq))
    end
    releases_sent = releases_sent + 1
    return wrk.format("POST", "/api/credits/holds/" .. id .. "/release", hdrs, "{}")
  end
  return wrk.format("POST", "/api/credits/holds", hdrs, string.format(
    '{"keyId":"%s","requestId":"%s-%d-%d","amountUsd":"%s","ttlSeconds":120,"model":"gpt-4o-mini"}',
    key_id, run_id, tid, seq, hold_usd))
end

function response(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"holdId"%s*:%s*"([^"]+)"') or string.match(body, '"holdId"%s*:%s*(%d+)')
    if id then
      granted = granted + 1
      tail = tail + 1
      queue[tail] = id
    else
      unparsed = unparsed + 1
    end
  elseif status == 402 then
    refused = refused + 1
  elseif status >= 200 and status < 300 then
    settled = settled + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local t = { granted = 0, refused = 0, settled = 0, failed = 0, unparsed = 0, captures_sent = 0, releases_sent = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d granted=%d refused=%d settled=%d failed=%d unparsed=%d " ..
    "captures_sent=%d releases_sent=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50=%d p90=%d p99=%d p999=%d max=%d mean=%.1f\n",
    summary.requests, summary.duration, t.granted, t.refused, t.settled, t.failed, t.unparsed,
    t.captures_sent, t.releases_sent, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
