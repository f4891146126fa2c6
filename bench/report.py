"""bench/report.py: turns results.json into Markdown tables (tables.md), the
target check, and gnuplot plots (PNG). Called by bench/run.sh; can be re-run
on a saved results directory:

    /usr/bin/python3 bench/report.py bench/results
"""
import json
import os
import subprocess
import sys

ORDER = ["limit", "nginx", "eddy", "eddy-rp", "tornado"]
SCENARIO_TITLES = {
    "keepalive": "1. keep-alive, one process (server on core 0, wrk on core 1)",
    "pipelined": "2. pipelined x16, one process (server on core 0, wrk on core 1)",
    "two_process": "3. two processes, unpinned (wrk: 2 threads)",
}


def index(runs):
    return {(r["scenario"], r["server"], r["connections"]): r for r in runs}


def ratio(a, b):
    return a / b if b else float("nan")


def fmt_ratio(x):
    return "—" if x != x else "%.2f×" % x


def tables(data):
    runs, memory, m = data.get("summary", data["runs"]), data["memory"], data["machine"]
    by = index(runs)
    out = []
    out.append("Run of %s: %s × %s, kernel %s; load average %.2f at start, %.2f at end; "
               "%d s per measurement after a %d s warm-up; medians of %d rounds that "
               "interleave the servers.\n" %
               (m["date_utc"], m["nproc"], m["cpu_model"], m["kernel"],
                m["loadavg_start"][0], m["loadavg_end"][0], m["duration_s"], m["warmup_s"],
                m.get("rounds", 1)) +
               ("Servers and wrk ran under `nice -n %d`.\n" % m["nice"] if m.get("nice") else ""))
    for scenario, title in SCENARIO_TITLES.items():
        rows = [r for r in runs if r["scenario"] == scenario]
        if not rows:
            continue
        out.append("\n**%s**\n" % title)
        split = scenario == "two_process"
        out.append("| server | conns | req/s (range) | × nginx | × limit | p50 µs | p99 µs | "
                   "server CPU µs/req (user+sys) | × nginx | server CPU % | errors |" +
                   (" CPU s per process |" if split else ""))
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" +
                   (" ---: |" if split else ""))
        conns = sorted({r["connections"] for r in rows})
        for c in conns:
            for name in ORDER:
                r = by.get((scenario, name, c))
                if not r:
                    continue
                n = by.get((scenario, "nginx", c))
                lim = by.get((scenario, "limit", c))
                rps = "%.0f" % r["rps"]
                if r.get("rounds", 1) > 1:
                    rps += " (%.0f–%.0f)" % (r["rps_min"], r["rps_max"])
                def us(v):  # wrk reports 0 when its histogram has too few samples
                    return "%d" % v if v > 0 else "—"
                out.append("| %s | %d | %s | %s | %s | %s | %s | %.2f (%.2f+%.2f) | %s | %.0f | %d |" % (
                    r["label"], c, rps,
                    fmt_ratio(ratio(r["rps"], n["rps"])) if n else "—",
                    fmt_ratio(ratio(r["rps"], lim["rps"])) if lim else "—",
                    us(r["p50_us"]), us(r["p99_us"]), r["cpu_us_per_req"],
                    r["user_us_per_req"], r["sys_us_per_req"],
                    fmt_ratio(ratio(r["cpu_us_per_req"], n["cpu_us_per_req"])) if n else "—",
                    r["server_cpu_pct"], r["errors"] + r["non2xx"]) +
                    (" %s |" % r.get("cpu_s_by_process", "") if split else ""))
    if memory:
        out.append("\n**4. memory: %d idle keep-alive connections, each after one request**\n" %
                   memory[0]["connections"])
        out.append("| server | RSS before KiB | RSS after KiB | bytes per idle connection | × nginx | still open |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        mem = {r["server"]: r for r in memory}
        for name in ORDER:
            r = mem.get(name)
            if not r:
                continue
            n = mem.get("nginx")
            out.append("| %s | %d | %d | %.0f | %s | %d |" % (
                r["label"], r["rss_before_kib"], r["rss_after_kib"], r["bytes_per_conn"],
                fmt_ratio(ratio(r["bytes_per_conn"], n["bytes_per_conn"])) if n else "—",
                r["alive"]))
        slot = m.get("nginx_bytes_per_preallocated_slot")
        if slot:
            out.append("\nnginx also allocates and touches %.0f bytes per `worker_connections` slot "
                       "when it starts (measured: idle RSS with 20,000 slots minus with 1,024); "
                       "they are in its \"before\", so its full cost per connection is about "
                       "%.0f bytes." % (slot, slot + (mem["nginx"]["bytes_per_conn"] if "nginx" in mem else 0)))
    out.append("\n**Targets** (eddy against nginx and Tornado in this run)\n")
    out.append("| target | measured | met |")
    out.append("| --- | --- | --- |")
    for line in targets(by, {r["server"]: r for r in memory}):
        out.append(line)
    return "\n".join(out) + "\n"


def targets(by, mem):
    lines = []

    def check(name, value, limit, higher_is_better, unit="×"):
        if value is None:
            lines.append("| %s | not measured | — |" % name)
            return
        ok = value >= limit if higher_is_better else value <= limit
        lines.append("| %s | %.2f%s | %s |" % (name, value, unit, "yes" if ok else "**no**"))

    def r(s, name, c, key):
        row = by.get((s, name, c))
        return row[key] if row else None

    def rel(s, c, key, other="nginx"):
        a, b = r(s, "eddy", c, key), r(s, other, c, key)
        return None if a is None or b is None or not b else a / b

    for c in (50, 256):
        check("keep-alive c=%d: CPU/request ≤ 1.0× nginx" % c, rel("keepalive", c, "cpu_us_per_req"), 1.0, False)
        check("keep-alive c=%d: req/s ≥ 0.95× nginx" % c, rel("keepalive", c, "rps"), 0.95, True)
    for c in (50, 256):
        check("pipelined c=%d: req/s ≥ 2× nginx" % c, rel("pipelined", c, "rps"), 2.0, True)
    for c in (50, 256):
        check("two processes c=%d: req/s ≥ 1.0× nginx (2 workers)" % c, rel("two_process", c, "rps"), 1.0, True)
    for c in (50, 256):
        check("keep-alive c=%d: req/s ≥ 10× Tornado" % c, rel("keepalive", c, "rps", "tornado"), 10.0, True)
    e, n = mem.get("eddy"), mem.get("nginx")
    check("memory per idle connection ≤ 1.0× nginx",
          e["bytes_per_conn"] / n["bytes_per_conn"] if e and n and n["bytes_per_conn"] else None,
          1.0, False)
    check("keep-alive c=256: p99 ≤ 1.5× nginx", rel("keepalive", 256, "p99_us"), 1.5, False)
    return lines


def ratios(data):
    """Sentences stating eddy's ratios to nginx and to the limit responder."""
    by = index(data.get("summary", data["runs"]))
    lines = []
    names = {"keepalive": "keep-alive", "pipelined": "pipelined ×16",
             "two_process": "two processes"}
    for scenario in SCENARIO_TITLES:
        for c in (50, 256):
            e = by.get((scenario, "eddy", c))
            if not e:
                continue
            parts = []
            for other, label in (("nginx", "nginx"), ("limit", "the limit"),
                                 ("tornado", "Tornado")):
                o = by.get((scenario, other, c))
                if o:
                    parts.append("%.2f× %s's requests/s at %.2f× its CPU per request" %
                                 (e["rps"] / o["rps"], label,
                                  e["cpu_us_per_req"] / o["cpu_us_per_req"]))
            if parts:
                lines.append("- %s, %d connections: eddy does %s." %
                             (names[scenario], c, "; ".join(parts)))
    return "\n".join(lines) + "\n"


def plots(data, out_dir):
    runs, memory = data.get("summary", data["runs"]), data["memory"]
    by = index(runs)
    servers = [s for s in ORDER if any(r["server"] == s for r in runs)]
    cases = []
    for scenario in SCENARIO_TITLES:
        for c in sorted({r["connections"] for r in runs if r["scenario"] == scenario}):
            cases.append((scenario, c))
    short = {"keepalive": "keep-alive", "pipelined": "pipelined x16", "two_process": "2 processes"}

    def table(key, path, scenarios=None):
        with open(path, "w") as f:
            f.write("case " + " ".join(servers) + "\n")
            for scenario, c in cases:
                if scenarios and scenario not in scenarios:
                    continue
                vals = []
                for s in servers:
                    r = by.get((scenario, s, c))
                    vals.append("%g" % r[key] if r and r[key] > 0 else "NaN")
                f.write('"%s c=%d" %s\n' % (short[scenario], c, " ".join(vals)))

    data_dir = os.path.join(out_dir, "plotdata")
    os.makedirs(data_dir, exist_ok=True)
    table("rps", os.path.join(data_dir, "rps.dat"))
    table("cpu_us_per_req", os.path.join(data_dir, "cpu.dat"))
    table("p50_us", os.path.join(data_dir, "p50.dat"), ("keepalive", "two_process"))
    table("p99_us", os.path.join(data_dir, "p99.dat"), ("keepalive", "two_process"))
    with open(os.path.join(data_dir, "memory.dat"), "w") as f:
        f.write("server bytes\n")
        for s in ORDER:
            for r in memory:
                if r["server"] == s:
                    f.write("%s %g\n" % (s, max(r["bytes_per_conn"], 1)))
    n = len(servers)
    script = """
set terminal pngcairo size 1100,520 font "sans,10"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics norotate nomirror
set logscale y
cols = {n}
set output "{o}/rps.png"
set title "requests/s (higher is better; log scale)"
plot for [i=2:cols+1] "{d}/rps.dat" using i:xtic(1) title columnheader(i)
set output "{o}/cpu_per_request.png"
set title "server CPU time per request, microseconds (user+sys; lower is better; log scale)"
plot for [i=2:cols+1] "{d}/cpu.dat" using i:xtic(1) title columnheader(i)
set terminal pngcairo size 1100,900 font "sans,10"
set output "{o}/latency.png"
set multiplot layout 2,1
set title "p50 latency, microseconds (log scale)"
plot for [i=2:cols+1] "{d}/p50.dat" using i:xtic(1) title columnheader(i)
set title "p99 latency, microseconds (log scale)"
plot for [i=2:cols+1] "{d}/p99.dat" using i:xtic(1) title columnheader(i)
unset multiplot
set output "{o}/memory.png"
set terminal pngcairo size 700,420 font "sans,10"
set title "RSS per idle keep-alive connection, bytes (log scale)"
unset key
set xtics norotate
plot "{d}/memory.dat" using 2:xtic(1) title "bytes"
""".format(n=n, o=out_dir, d=data_dir)
    if not memory:  # no scenario 4 in this run: no memory plot
        script = script[:script.index('set output "%s/memory.png"' % out_dir)]
    with open(os.path.join(data_dir, "plots.gp"), "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", os.path.join(data_dir, "plots.gp")], check=True)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results")
    with open(os.path.join(out_dir, "results.json")) as f:
        data = json.load(f)
    text = tables(data)
    with open(os.path.join(out_dir, "tables.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "ratios.md"), "w") as f:
        f.write(ratios(data))
    print(text)
    plots(data, out_dir)


if __name__ == "__main__":
    main()
