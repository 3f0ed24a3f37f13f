#!/usr/bin/env python3
"""Driver of scripts/bench: starts the bench-server processes, runs wrk on each endpoint,
reads each server's CPU time from /proc before and after, and writes docs/BENCHMARKS.md
and its SVG charts. Standard library only."""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER_CPU, CLIENT_CPU = "0", "1"
PORTS = {"raw": 3911, "mizan": 3912, "mizan-redis": 3913}
REDIS_URL = "redis://127.0.0.1:6379/0"
ADD = '{"a":1,"b":2}'
POST_INPUT = "%7B%22id%22%3A42%7D"  # {"id":42}
BATCH = '{"calls":[' + ",".join(['{"fn":"add","input":' + ADD + "}"] * 10) + "]}"
COMPOSE = '{"inputs":{"add":' + ADD + ',"add2":' + ADD + ',"add3":' + ADD + "}}"

# (id, label, server, method, path, body, calls per request)
ENDPOINTS = [
    ("raw_add", "raw axum: POST add", "raw", "POST", "/raw/add", ADD, 1),
    ("add", "Mizan: POST add", "mizan", "POST", "/mizan/call/add", ADD, 1),
    ("raw_post", "raw axum: GET post by id", "raw", "GET", "/raw/post?id=42", None, 1),
    ("post_get", "Mizan: GET post (uncached)", "mizan", "GET", "/mizan/call/post?input=" + POST_INPUT, None, 1),
    ("post_post", "Mizan: POST post (uncached)", "mizan", "POST", "/mizan/call/post", '{"id":42}', 1),
    ("post_hit", "Mizan: GET post, cached hit", "mizan", "GET", "/mizan/call/post_cached?input=" + POST_INPUT, None, 1),
    ("signed_post_hit", "Mizan: GET post, cached hit, signed in", "mizan", "GET",
     "/mizan/call/post_cached?input=" + POST_INPUT, None, 1),
    ("raw_trivial", "raw axum: GET trivial", "raw", "GET", "/raw/trivial", None, 1),
    ("trivial_hit", "Mizan: GET trivial, cached hit", "mizan", "GET", "/mizan/call/trivial_cached", None, 1),
    ("batch", "Mizan: batch of 10 add", "mizan", "POST", "/mizan/batch", BATCH, 10),
    ("compose", "Mizan: composition of 3 add", "mizan", "POST", "/mizan/compose/three", COMPOSE, 3),
    ("redis_post_hit", "Mizan (Redis): GET post, cached hit", "mizan-redis", "GET", "/mizan/call/post_cached?input=" + POST_INPUT, None, 1),
    ("redis_trivial_hit", "Mizan (Redis): GET trivial, cached hit", "mizan-redis", "GET", "/mizan/call/trivial_cached", None, 1),
    ("redis_add", "Mizan (Redis): POST add", "mizan-redis", "POST", "/mizan/call/add", ADD, 1),
]

# (label, numerator, denominator, goal, what the ratio counts)
RATIOS = [
    ("POST add", "add", "raw_add", 0.90),
    ("GET post (uncached)", "post_get", "raw_post", 0.90),
    ("POST post (uncached) vs raw GET", "post_post", "raw_post", 0.90),
    ("cached hit, 1 KB post", "post_hit", "raw_post", 1.0),
    ("cached hit, trivial", "trivial_hit", "raw_trivial", 0.95),
    ("signed-in cached hit vs anonymous hit, post", "signed_post_hit", "post_hit", None),
    ("batch of 10 vs 10 single calls", "batch", "add", 5.0),
    ("composition of 3 vs 3 single calls", "compose", "add", 2.5),
    ("Redis cached hit vs memory hit, post", "redis_post_hit", "post_hit", None),
    ("Redis cached hit vs memory hit, trivial", "redis_trivial_hit", "trivial_hit", None),
]


def cpu_seconds(pid):
    """utime + stime of every thread of `pid`, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1))


# Endpoints called with a token (`bench-server token` prints one), and the headers they send.
SIGNED = {"signed_post_hit"}
TOKEN = {}


def headers_of(key):
    headers = {"Content-Type": "application/json"}
    if key in SIGNED:
        headers["Authorization"] = "Bearer " + TOKEN["token"]
    return headers


def request(url, method, body, headers=None):
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers=headers or {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return response.status, response.headers, response.read()


def wait_ready(url):
    for _ in range(100):
        try:
            request(url, "GET", None)
            return
        except urllib.error.HTTPError:  # answered, if only with 404
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server at {url} did not start")


def check(endpoint):
    """The endpoint answers 200, and a cached one hits on the second call: the benchmark
    measures what its label says."""
    key, _, server, method, path, body, _ = endpoint
    url = f"http://127.0.0.1:{PORTS[server]}{path}"
    status, headers, _ = request(url, method, body, headers_of(key))
    if status != 200:
        sys.exit(f"{key}: status {status}")
    if key.endswith("_hit"):
        _, headers, _ = request(url, method, body, headers_of(key))
        if headers.get("Mizan-Cache") != "hit":
            sys.exit(f"{key}: expected a cache hit, got {headers.get('Mizan-Cache')}")


def lua_script(directory, key, method, body):
    path = Path(directory) / f"{key}.lua"
    lines = [f'wrk.method = "{method}"'] + [f'wrk.headers["{name}"] = "{value}"'
                                             for name, value in headers_of(key).items()]
    if body is not None:
        lines.append(f"wrk.body = '{body}'")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def run_wrk(endpoint, pid, args, scripts):
    key, _, server, method, path, body, _ = endpoint
    url = f"http://127.0.0.1:{PORTS[server]}{path}"
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s",
         "-s", scripts[key], url],
        check=True, capture_output=True, text=True,
    ).stdout
    cpu = cpu_seconds(pid) - before
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"{key}: wrk saw errors:\n{out}")
    done = int(re.search(r"(\d+) requests in", out).group(1))
    wall = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"per_cpu": done / cpu if cpu > 0 else 0.0, "rps": wall, "cpu": cpu / args.seconds}


def redis_up():
    try:
        return subprocess.run(["redis-cli", "-u", REDIS_URL, "ping"], capture_output=True, text=True,
                              timeout=2).stdout.strip() == "PONG"
    except (OSError, subprocess.TimeoutExpired):
        return False


def machine(args):
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrk = (wrk.stdout + wrk.stderr).splitlines()[0].split(" [")[0]
    return {
        "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "rustc": rustc, "wrk": wrk,
        "load": os.getloadavg(), "settings": f"wrk -t1 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds",
    }


def bar_chart(title, rows, unit, goal_of=None):
    """A horizontal bar chart as SVG text: rows are (label, value)."""
    width, left, bar, gap = 760, 330, 18, 8
    top = 40
    height = top + len(rows) * (bar + gap) + 30
    biggest = max([v for _, v in rows] + [g for g in (goal_of or {}).values() if g] + [1e-9])
    scale = (width - left - 90) / biggest
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{title}</text>']
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar + gap)
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="{bar}" fill="#4a7bb7"/>')
        out.append(f'<text x="{left + value * scale + 5:.1f}" y="{y + 13}">{value:,.2f}{unit}</text>'
                   if value < 100 else
                   f'<text x="{left + value * scale + 5:.1f}" y="{y + 13}">{value:,.0f}{unit}</text>')
        goal = (goal_of or {}).get(label)
        if goal:
            x = left + goal * scale
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar + 2}" stroke="#c0392b" '
                       f'stroke-width="2"/>')
    if goal_of:
        out.append(f'<text x="{left}" y="{height - 10}" fill="#c0392b">red mark: goal</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--out", default="docs")
    parser.add_argument("--channel-bench", help="examples/channel-bench binary: adds the channels table")
    parser.add_argument("--channel-connections", type=int, default=10000)
    args = parser.parse_args()

    endpoints = ENDPOINTS if redis_up() else [e for e in ENDPOINTS if e[2] != "mizan-redis"]
    if len(endpoints) < len(ENDPOINTS):
        print("Redis is not reachable at", REDIS_URL, "- the Redis rows are left out", file=sys.stderr)
    info = machine(args)
    TOKEN["token"] = subprocess.run([args.server, "token"], capture_output=True, text=True,
                                    check=True).stdout.strip()
    servers = {}
    try:
        for kind in sorted({e[2] for e in endpoints}):
            command = ["taskset", "-c", SERVER_CPU, args.server, kind, f"127.0.0.1:{PORTS[kind]}"]
            if kind == "mizan-redis":
                command.append(REDIS_URL)
            servers[kind] = subprocess.Popen(command)
        for kind in servers:
            wait_ready(f"http://127.0.0.1:{PORTS[kind]}/")
        for endpoint in endpoints:
            check(endpoint)
        results = {e[0]: [] for e in endpoints}
        with tempfile.TemporaryDirectory() as directory:
            scripts = {e[0]: lua_script(directory, e[0], e[3], e[5]) for e in endpoints}
            warm = argparse.Namespace(**{**vars(args), "seconds": 1})
            for endpoint in endpoints:
                run_wrk(endpoint, servers[endpoint[2]].pid, warm, scripts)
            # Endpoints interleaved within each round, so a change of machine load spreads
            # over all of them.
            for round_ in range(1, args.rounds + 1):
                for endpoint in endpoints:
                    result = run_wrk(endpoint, servers[endpoint[2]].pid, args, scripts)
                    results[endpoint[0]].append(result)
                    print(f"round {round_}  {endpoint[1]:<42} {result['per_cpu']:>9,.0f} req/CPU-s"
                          f"  {result['rps']:>9,.0f} req/s  cpu {result['cpu']:.0%}", flush=True)
        rss = {kind: peak_rss_kib(p.pid) for kind, p in servers.items()}
    finally:
        for p in servers.values():
            p.terminate()
        for p in servers.values():
            p.wait(timeout=10)
    channels = [run_channels(args) for _ in range(args.rounds)] if args.channel_bench else []
    info["load_after"] = os.getloadavg()
    write_report(args, info, endpoints, results, rss, channels)


CHANNEL_FIGURES = [
    # (key, label, regex over channel-bench's report, goal text, met(value))
    ("rss", "memory per connection, RSS (KiB)", r"memory per connection\s+([\d.]+) KiB RSS",
     "<= 9.8 KiB (10 KB)", lambda v: v <= 10000 / 1024),
    ("heap", "memory per connection, heap in use (KiB)", r"KiB RSS, ([\d.]+) KiB heap", "", None),
    ("p50", "fan-out latency p50 (ms)", r"p50 ([\d.]+) ms", "", None),
    ("p99", "fan-out latency p99 (ms)", r"p99 ([\d.]+) ms", "< 100 ms", lambda v: v < 100),
    ("max", "fan-out latency max (ms)", r"max ([\d.]+) ms", "", None),
    ("cpu", "server CPU per delivery (us)", r"CPU per delivery\s+([\d.]+) us", "", None),
    ("recovery", "recovery of 1,000 missed (ms)", r"recovery of 1000 missed\s+([\d.]+) ms",
     "< 50 ms", lambda v: v < 50),
]


def run_channels(args):
    """One run of the channel benchmark: its figures, by key."""
    out = subprocess.run([args.channel_bench, str(args.channel_connections), "20"],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    print(out, flush=True)
    figures = {}
    for key, _, pattern, _, _ in CHANNEL_FIGURES:
        match = re.search(pattern, out)
        if match is None:
            raise SystemExit(f"channel-bench printed no {key}:\n{out}")
        figures[key] = float(match.group(1))
    return figures


def calls_per_cpu(endpoints, results, key, round_):
    calls = next(e[6] for e in endpoints if e[0] == key)
    return results[key][round_]["per_cpu"] * calls


def write_report(args, info, endpoints, results, rss, channels):
    rounds = range(args.rounds)
    median = {k: statistics.median(r["per_cpu"] for r in v) for k, v in results.items()}
    ratio_rows = []
    for label, num, den, goal in RATIOS:
        if num not in results or den not in results:
            continue
        per_round = [calls_per_cpu(endpoints, results, num, i) / calls_per_cpu(endpoints, results, den, i)
                     for i in rounds]
        ratio_rows.append((label, per_round, statistics.median(per_round), goal))
    if "mizan" in rss:
        ratio_rows.append(("peak RSS, Mizan vs raw axum (lower is better)", [rss["mizan"] / rss["raw"]],
                           rss["mizan"] / rss["raw"], None))

    out = Path(args.out)
    out.mkdir(exist_ok=True)
    (out / "bench-throughput.svg").write_text(bar_chart(
        "Requests per server CPU second (median of rounds)",
        [(e[1], median[e[0]]) for e in endpoints], ""))
    (out / "bench-ratios.svg").write_text(bar_chart(
        "Ratios (median of rounds)",
        [(label, value) for label, _, value, goal in ratio_rows if "RSS" not in label], "x",
        {label: goal for label, _, _, goal in ratio_rows}))

    lines = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench` (do not edit by hand; rerun it). Every figure is requests per",
        "second of **server CPU time** (the server's `utime + stime` from `/proc/PID/stat`, read",
        "before and after each run), so a busy machine slows a run down without changing its cost",
        "much. Each server kind runs in its own process (`examples/bench-server`) pinned to CPU 0",
        "with `taskset`; `wrk` runs pinned to CPU 1. Raw axum serves the same work in the same run:",
        "`{\"a\":1,\"b\":2}` -> sum, a 1 KB post by id from an in-memory map, a tiny output.",
        "Batches and compositions count calls (members), not requests.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']} ({info['cores']} cores)",
        f"- kernel {info['kernel']}, {info['rustc']}, {info['wrk']}",
        f"- {info['settings']}, release build",
        f"- load average before: {' '.join(f'{x:.2f}' for x in info['load'])}, "
        f"after: {' '.join(f'{x:.2f}' for x in info['load_after'])}",
        "",
        "Command: `scripts/bench " + f"{args.seconds} {args.rounds} {args.connections}`",
        "",
        "## Ratios",
        "",
        "![ratios](bench-ratios.svg)",
        "",
        "| ratio | " + " | ".join(f"round {i + 1}" for i in rounds) + " | median | goal |",
        "| --- | " + " | ".join("---:" for _ in rounds) + " | ---: | ---: |",
    ]
    for label, per_round, value, goal in ratio_rows:
        cells = [f"{x:.2f}x" for x in per_round] + [""] * (args.rounds - len(per_round))
        verdict = "" if goal is None else (f">= {goal}x, {'met' if value >= goal else 'not met'}")
        if "RSS" in label:
            verdict = f"<= 2x, {'met' if value <= 2 else 'not met'}"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {value:.2f}x | {verdict} |")
    lines += [
        "",
        "## Throughput",
        "",
        "![throughput](bench-throughput.svg)",
        "",
        "| endpoint | " + " | ".join(f"round {i + 1}" for i in rounds)
        + " | median req/CPU-s | median req/s (wall) | server CPU |",
        "| --- | " + " | ".join("---:" for _ in rounds) + " | ---: | ---: | ---: |",
    ]
    for key, label, *_ in endpoints:
        runs = results[key]
        cells = [f"{r['per_cpu']:,.0f}" for r in runs]
        wall = statistics.median(r["rps"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {median[key]:,.0f} | {wall:,.0f} | {cpu:.0%} |")
    lines += ["", "## Peak RSS under load (VmHWM)", "", "| server | KiB |", "| --- | ---: |"]
    lines += [f"| {kind} | {kib:,} |" for kind, kib in sorted(rss.items())]
    if channels:
        lines += [
            "",
            "## Channels",
            "",
            f"`examples/channel-bench {args.channel_connections} 20`, {len(channels)} runs: one server"
            f" holding {args.channel_connections:,} WebSocket subscribers to one topic with a history,"
            " a client process (unpinned: both share the two cores) reading them; 20 publishes",
            " 200 ms apart, latency from the publish to each delivery; then a client that was away",
            " while 1,000 were published resubscribes with `since`.",
            "",
            "| figure | " + " | ".join(f"run {i + 1}" for i in range(len(channels))) + " | median | goal |",
            "| --- | " + " | ".join("---:" for _ in channels) + " | ---: | ---: |",
        ]
        for key, label, _, goal, met in CHANNEL_FIGURES:
            values = [run[key] for run in channels]
            value = statistics.median(values)
            verdict = "" if met is None else f"{goal}, {'met' if met(value) else 'not met'}"
            lines.append(f"| {label} | " + " | ".join(f"{v:,.1f}" for v in values) + f" | {value:,.1f} | {verdict} |")
    lines += [
        "",
        "## Other benchmarks",
        "",
        "- `cargo bench -p mizan-core` (criterion): key derivation, MWT verification and canonical",
        "  JSON (`--bench keys`); an uncached call and a cached hit without HTTP (`--bench executor`).",
        "- `cargo bench -p bench-server --bench http` (criterion, in CPU time of the thread): the",
        "  endpoints above through the router without sockets, raw axum and Mizan alike.",
        "- Channels alone, one run with its whole report: `scripts/bench-channels`.",
        "",
    ]
    (out / "BENCHMARKS.md").write_text("\n".join(lines))
    print("\n".join(lines[lines.index("## Ratios"):]))


if __name__ == "__main__":
    main()
