-- wrk script for the keep-alive scenarios: wrk's own static request
-- ("GET / HTTP/1.1", one per write); done() prints one JSON line that
-- bench/harness.py reads.
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
