"""bench/harness.py: runs the servers one at a time under wrk and records
requests/s, latency percentiles, server CPU per request and memory per idle
connection. bench/run.sh builds everything and calls it; see bench/README.md.

Runs on Debian's /usr/bin/python3 with the standard library only.

Method, per (server, scenario, connections):
  1. start the server (in its own process group, so its whole process tree
     can be stopped), pinned with taskset where the scenario pins;
  2. wait until `GET /` answers "You requested /";
  3. warm up: wrk for --warmup seconds with the same settings;
  4. read user+sys of every process in the server's tree from
     /proc/<pid>/stat (utime+stime+cutime+cstime), run wrk for --duration
     seconds, read them again; CPU per request = delta / wrk's request count.
"""
import argparse
import atexit
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
BODY = b"You requested /\n"


# ---------------------------------------------------------------- /proc ----

def children_map():
    """ppid -> [pid] for every process now alive."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def process_tree(root):
    kids = children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(kids.get(pid, []))
    return tree


def cpu_ticks(root, per_process=None):
    """(user, sys) clock ticks of root's tree, reaped children included.
    With a dict, also records each process's user+sys ticks in it."""
    user = system = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17
        user += int(fields[11]) + int(fields[13])
        system += int(fields[12]) + int(fields[14])
        if per_process is not None:
            per_process[pid] = sum(int(x) for x in fields[11:15])
    return user, system


def rss_bytes(root):
    total = 0
    for pid in process_tree(root):
        try:
            with open("/proc/%d/statm" % pid) as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            continue
    return total


# -------------------------------------------------------------- servers ----

class Server:
    """One server configuration: how to start it and what to call it."""

    def __init__(self, name, label, processes, argv, env=None, setup=None):
        self.name = name          # limit, nginx, tornado, eddy
        self.label = label        # shown in tables
        self.processes = processes
        self.argv = argv          # a function of the port
        self.env = env or {}
        self.setup = setup        # optional: prepares files, given the port
        self.proc = None
        self.log = None

    def start(self, port, core, logdir):
        if self.setup:
            self.setup(port)
        argv = self.argv(port)
        if core is not None:
            argv = ["taskset", "-c", str(core)] + argv
        argv = niced(argv)
        env = dict(os.environ)
        env.update(self.env)
        self.log = open(os.path.join(logdir, "%s-%d.log" % (self.label, port)), "w")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     preexec_fn=os.setpgrp)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s (see %s)" %
                                   (self.label, self.proc.returncode, self.log.name))
            if probe(port):
                # Multi-process servers: wait until every worker is up.
                time.sleep(0.5 if self.processes > 1 else 0.1)
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("%s did not answer on port %d" % (self.label, port))

    def stop(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        # Orphaned workers (nginx's, after the master) share the session.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
        self.log.close()


def restore_group_nice(value):
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(value))
    except OSError:
        pass


def niced(argv):
    """With --nice N (root only for N < 0), servers and wrk run at that
    priority, so that other work on a shared machine takes less of their
    CPU. nice execs the command: the pid stays the server's."""
    if args_global.nice == 0:
        return argv
    return ["nice", "-n", str(args_global.nice)] + argv


def probe(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            got = b""
            while BODY not in got:
                chunk = s.recv(4096)
                if not chunk:
                    return False
                got += chunk
            return True
    except OSError:
        return False


def nginx_slot_bytes(args, tmp, port):
    """What one worker_connections slot costs nginx before any connection:
    idle RSS with worker_connections 20000 minus with 1024, per slot. nginx
    allocates and initialises its connection and event arrays at start, so
    scenario 4's before/after difference does not include them."""
    rss = {}
    for slots in (1024, 20000):
        prefix = os.path.join(tmp, "nginx-slots%d" % slots)
        os.makedirs(prefix, exist_ok=True)
        with open(os.path.join(BENCH_DIR, "nginx.conf.in")) as f:
            conf = f.read()
        conf = (conf.replace("@WORKERS@", "1").replace("@PORT@", str(port))
                .replace("@PREFIX@", prefix)
                .replace("worker_connections 20000", "worker_connections %d" % slots))
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf)
        server = Server("nginx", "nginx-slots", 1,
                        lambda p: [args.nginx, "-p", prefix, "-c",
                                   os.path.join(prefix, "nginx.conf")])
        server.start(port, None, tmp)
        time.sleep(0.5)
        rss[slots] = rss_bytes(server.proc.pid)
        server.stop()
    return round((rss[20000] - rss[1024]) / (20000 - 1024), 1)


def make_servers(args, tmp):
    servers = {}

    def nginx(workers):
        prefix = os.path.join(tmp, "nginx%d" % workers)

        def setup(port):
            os.makedirs(prefix, exist_ok=True)
            with open(os.path.join(BENCH_DIR, "nginx.conf.in")) as f:
                conf = f.read()
            conf = (conf.replace("@WORKERS@", str(workers))
                    .replace("@PORT@", str(port)).replace("@PREFIX@", prefix))
            with open(os.path.join(prefix, "nginx.conf"), "w") as f:
                f.write(conf)

        return Server("nginx", "nginx" if workers == 1 else "nginx-%dw" % workers,
                      workers,
                      lambda port: [args.nginx, "-p", prefix, "-c",
                                    os.path.join(prefix, "nginx.conf")],
                      setup=setup)

    for processes in (1, 2):
        suffix = "" if processes == 1 else "-%dp" % processes
        servers["limit" + suffix] = Server(
            "limit", "limit" + suffix, processes,
            lambda port, n=processes: [args.limit, str(port), str(n)])
        servers["nginx" + suffix] = nginx(processes)
        servers["tornado" + suffix] = Server(
            "tornado", "tornado" + suffix, processes,
            lambda port, n=processes: [args.python, os.path.join(BENCH_DIR, "tornado_hello.py"),
                                       "--port=%d" % port, "--processes=%d" % n])
    eddy_env = {"EDDY_LOG_LEVEL": "warning"}
    if args.eddy_hello:
        servers["eddy"] = Server(
            "eddy", "eddy", 1,
            lambda port: [args.eddy_hello, "--port=%d" % port, "--address=127.0.0.1"],
            env=eddy_env)
    if args.eddy_process:
        servers["eddy-2p"] = Server(
            "eddy", "eddy-2p", 2,
            lambda port: [args.eddy_process, "--port=%d" % port,
                          "--address=127.0.0.1", "--processes=2"],
            env=eddy_env)
        # The same with a SO_REUSEPORT socket per worker: the kernel spreads
        # connections by hash instead of letting the first worker to wake
        # take the whole accept backlog.
        servers["eddy-2p-rp"] = Server(
            "eddy-rp", "eddy-2p-reuseport", 2,
            lambda port: [args.eddy_process, "--port=%d" % port,
                          "--address=127.0.0.1", "--processes=2", "--reuse_port"],
            env=eddy_env)
    return servers


# ------------------------------------------------------------------ wrk ----

def run_wrk(port, conns, threads, seconds, script, core):
    argv = [args_global.wrk, "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
            "--latency", "--timeout", "5s", "-s", os.path.join(BENCH_DIR, script),
            "http://127.0.0.1:%d/" % port]
    if core is not None:
        argv = ["taskset", "-c", str(core)] + argv
    argv = niced(argv)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    m = re.search(r"^WRK_JSON (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk produced no result:\n" + out)
    result = json.loads(m.group(1))
    result["client_cpu_s"] = usage.ru_utime + usage.ru_stime
    result["non2xx"] = int(re.search(r"Non-2xx or 3xx responses: (\d+)", out).group(1)) \
        if "Non-2xx" in out else 0
    return result


def measure(server, port, scenario, conns, threads, script, client_core):
    run_wrk(port, conns, threads, args_global.warmup, script, client_core)
    time.sleep(0.2)
    root = server.proc.pid
    before, after = {}, {}
    u0, s0 = cpu_ticks(root, before)
    t0 = time.time()
    w = run_wrk(port, conns, threads, args_global.duration, script, client_core)
    wall = time.time() - t0
    u1, s1 = cpu_ticks(root, after)
    # How the work was shared between the processes (supervisor first).
    split = [(after[pid] - before.get(pid, 0)) / CLK_TCK for pid in sorted(after)]
    requests = max(w["requests"], 1)
    user_s, sys_s = (u1 - u0) / CLK_TCK, (s1 - s0) / CLK_TCK
    seconds = w["duration_us"] / 1e6
    row = {
        "scenario": scenario, "server": server.name, "label": server.label,
        "processes": server.processes, "connections": conns,
        "requests": w["requests"], "seconds": round(seconds, 3),
        "rps": round(w["requests"] / seconds, 1),
        "p50_us": w["latency_us"]["p50"], "p75_us": w["latency_us"]["p75"],
        "p90_us": w["latency_us"]["p90"], "p99_us": w["latency_us"]["p99"],
        "p999_us": w["latency_us"]["p999"], "max_us": w["latency_us"]["max"],
        "mean_us": w["latency_us"]["mean"],
        "errors": w["errors"], "non2xx": w["non2xx"],
        "server_user_s": user_s, "server_sys_s": sys_s,
        "server_cpu_pct": round(100 * (user_s + sys_s) / wall, 1),
        "cpu_us_per_req": round(1e6 * (user_s + sys_s) / requests, 3),
        "user_us_per_req": round(1e6 * user_s / requests, 3),
        "sys_us_per_req": round(1e6 * sys_s / requests, 3),
        "client_cpu_pct": round(100 * w["client_cpu_s"] / wall, 1),
        "cpu_s_by_process": "/".join("%.2f" % x for x in split),
        "loadavg": os.getloadavg()[0],
    }
    print("  %-10s %-10s c=%-4d %10.0f req/s  p50 %6d us  p99 %7d us  "
          "cpu %6.2f us/req (server %5.1f%%, wrk %5.1f%%)  errors %d" %
          (scenario, server.label, conns, row["rps"], row["p50_us"], row["p99_us"],
           row["cpu_us_per_req"], row["server_cpu_pct"], row["client_cpu_pct"],
           row["errors"] + row["non2xx"]), flush=True)
    return row


def measure_memory(server, port):
    """RSS per idle keep-alive connection, from a fresh server."""
    probe(port)  # one request on a connection that then closes
    time.sleep(0.5)
    before = rss_bytes(server.proc.pid)
    client = subprocess.Popen([args_global.idle_client, str(port), str(args_global.idle)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    line = client.stdout.readline().split()
    if not line or line[0] != "ready":
        client.kill()
        raise RuntimeError("idle_client failed: %s" % client.stderr.read())
    opened = int(line[1])
    time.sleep(1.0)
    after = rss_bytes(server.proc.pid)
    client.stdin.write("check\n")
    client.stdin.flush()
    alive = int(client.stdout.readline().split()[1])
    client.wait()
    row = {
        "scenario": "memory", "server": server.name, "label": server.label,
        "processes": server.processes, "connections": opened, "alive": alive,
        "rss_before_kib": before // 1024, "rss_after_kib": after // 1024,
        "bytes_per_conn": round((after - before) / opened, 1),
        "loadavg": os.getloadavg()[0],
    }
    print("  memory     %-10s %d idle connections (%d alive): RSS %d -> %d KiB, "
          "%.0f bytes per connection" % (server.label, opened, alive, before // 1024,
                                         after // 1024, row["bytes_per_conn"]), flush=True)
    return row


# ----------------------------------------------------------------- main ----

SCENARIOS = {
    # name: (server suffix, pinned, wrk threads, script)
    "keepalive": ("", True, 1, "keepalive.lua"),
    "pipelined": ("", True, 1, "pipeline.lua"),
    "two_process": ("-2p", False, 2, "keepalive.lua"),
}


def machine_info():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stderr.strip() or \
                subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "missing"
    return {
        "date_utc": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu_model": model, "kernel": os.uname().release,
        "loadavg_start": os.getloadavg(),
        "nginx": version([args_global.nginx, "-v"]),
        "wrk": version([args_global.wrk, "-v"]).splitlines()[0],
        "tornado": subprocess.run([args_global.python, "-c",
                                   "import tornado; print(tornado.version)"],
                                  capture_output=True, text=True).stdout.strip(),
        "python": subprocess.run([args_global.python, "--version"],
                                 capture_output=True, text=True).stdout.strip(),
        "duration_s": args_global.duration, "warmup_s": args_global.warmup,
        "idle_connections": args_global.idle, "rounds": args_global.rounds,
        "nice": args_global.nice,
    }


def main():
    global args_global
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="directory for results.json/csv")
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--connections", default="50,256")
    p.add_argument("--idle", type=int, default=10000)
    p.add_argument("--nice", type=int, default=0,
                   help="run the servers and wrk under `nice -n N` (e.g. -10 on a busy machine)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds over all servers; the report takes medians")
    p.add_argument("--servers", default="limit,nginx,tornado,eddy")
    p.add_argument("--scenarios", default="keepalive,pipelined,two_process,memory")
    p.add_argument("--port", type=int, default=18080, help="first port; each start takes the next")
    p.add_argument("--limit", required=True)
    p.add_argument("--idle-client", required=True)
    p.add_argument("--eddy-hello", default="")
    p.add_argument("--eddy-process", default="")
    p.add_argument("--nginx", default="/usr/sbin/nginx")
    p.add_argument("--wrk", default="/usr/bin/wrk")
    p.add_argument("--python", default="/usr/bin/python3")
    args = args_global = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.idle + 100:
        sys.exit("RLIMIT_NOFILE hard limit %d is below --idle %d" % (hard, args.idle))

    if args.nice:
        # With the kernel's autogroups, nice only ranks tasks of one session
        # against each other; the session's group (the harness, wrk and the
        # servers, which stay in it) gets the same nice for the run, and its
        # old value back at the end (the group is the calling shell's too).
        try:
            with open("/proc/self/autogroup") as f:
                old_group_nice = int(f.read().split()[-1])
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(args.nice))
            atexit.register(restore_group_nice, old_group_nice)
        except (OSError, ValueError) as e:
            print("  cannot set the autogroup's nice: %s" % e, flush=True)
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="eddy-bench-")
    servers = make_servers(args, tmp)
    wanted = args.servers.split(",")
    scenarios = args.scenarios.split(",")
    conns = [int(c) for c in args.connections.split(",")]
    meta = machine_info()
    print("machine: %(nproc)s x %(cpu_model)s, kernel %(kernel)s, load %(loadavg_start)s" % meta)
    rows, memory, skipped = [], [], []
    port = args.port
    # Rounds interleave the servers, so that a change in the machine's load
    # (it is shared) hits every server alike; the report takes medians.
    for round_ in range(args.rounds):
        print("round %d of %d (load %.2f)" % (round_ + 1, args.rounds, os.getloadavg()[0]),
              flush=True)
        for name in wanted:
            # Scenarios 1 and 2 share one start of the single-process server.
            groups = []
            single = [s for s in ("keepalive", "pipelined") if s in scenarios]
            if single:
                groups.append((name, single, 0, 1))
            if "two_process" in scenarios:
                groups.append((name + "-2p", ["two_process"], None, None))
                if name + "-2p-rp" in servers:
                    groups.append((name + "-2p-rp", ["two_process"], None, None))
            if "memory" in scenarios and round_ == 0:
                groups.append((name, ["memory"], None, None))
            for key, group, server_core, client_core in groups:
                server = servers.get(key)
                if server is None:
                    if round_ == 0:
                        skipped.append(key)
                        print("  skipping %s: not built" % key, flush=True)
                    continue
                port += 1
                try:
                    server.start(port, server_core, tmp)
                except RuntimeError as e:
                    skipped.append(key)
                    print("  skipping %s: %s" % (key, e), flush=True)
                    continue
                try:
                    for scenario in group:
                        if scenario == "memory":
                            memory.append(measure_memory(server, port))
                            continue
                        _, _, threads, script = SCENARIOS[scenario]
                        for c in conns:
                            row = measure(server, port, scenario, c, threads, script,
                                          client_core)
                            row["round"] = round_ + 1
                            rows.append(row)
                except RuntimeError as e:
                    print("  %s failed: %s" % (key, e), flush=True)
                    skipped.append(key)
                finally:
                    server.stop()
    if "memory" in scenarios and "nginx" in wanted:
        port += 1
        meta["nginx_bytes_per_preallocated_slot"] = nginx_slot_bytes(args, tmp, port)
        print("  memory     nginx: %.0f bytes per preallocated worker_connections slot" %
              meta["nginx_bytes_per_preallocated_slot"], flush=True)
    meta["loadavg_end"] = os.getloadavg()
    meta["skipped"] = skipped
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": meta, "summary": summarize(rows), "runs": rows,
                   "memory": memory}, f, indent=1)
    write_csv(os.path.join(args.out, "results.csv"), rows)
    write_csv(os.path.join(args.out, "summary.csv"), summarize(rows))
    write_csv(os.path.join(args.out, "memory.csv"), memory)
    shutil.rmtree(tmp, ignore_errors=True)
    print("results in %s" % args.out)


def summarize(rows):
    """One row per (scenario, server, connections): the median of each
    measured value over the rounds, and the spread of requests/s."""
    groups = {}
    for r in rows:
        groups.setdefault((r["scenario"], r["label"], r["connections"]), []).append(r)
    out = []
    for key, runs in groups.items():
        row = dict(runs[0])
        row.pop("round", None)
        for k, v in runs[0].items():
            if isinstance(v, (int, float)) and k not in ("connections", "processes", "round"):
                values = sorted(x[k] for x in runs)
                n = len(values)
                row[k] = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        rps = [x["rps"] for x in runs]
        row["rounds"] = len(runs)
        row["rps_min"], row["rps_max"] = min(rps), max(rps)
        row["cpu_us_per_req_all"] = "/".join("%.2f" % x["cpu_us_per_req"] for x in runs)
        out.append(row)
    return out


def write_csv(path, rows):
    if not rows:
        return
    keys = list(rows[0].keys())
    with open(path, "w") as f:
        f.write(",".join(keys) + "\n")
        for r in rows:
            f.write(",".join(str(r.get(k, "")) for k in keys) + "\n")


args_global = None

if __name__ == "__main__":
    main()
