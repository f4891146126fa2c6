-- wrk script for the pipelined scenarios: 16 "GET /" requests in one write.
-- wrk counts every response, and times a batch from its write to its 16th
-- response (so latency here is per batch). done() as in keepalive.lua.
local depth = 16

init = function(args)
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, "/") end
  batch = table.concat(r)
end

request = function()
  return batch
end

done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": %d, "latency_us": {"mean": %.1f, "p50": %d, "p75": %d, ' ..
    '"p90": %d, "p99": %d, "p999": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(75),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max))
end
