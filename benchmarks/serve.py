#!/usr/bin/env python3
"""The web server under load, on loopback, against the batch on the same machine.

Starts `build.py serve` on 127.0.0.1 (a free port), warms it, then drives it with 1, 4 and 16
simulated campaigners at once. Each campaigner, for each briefing: looks up a real postcode
(`GET /api/constituencies`), makes the briefing with HTML, PDF and letter (`POST /api/briefings`)
and downloads the three files. A bounded number of briefings per level (--requests), each for a
different seat. Prints per level: p50 and p95 latency of one briefing (look-up, the accepted
build, downloads), throughput (briefings per second), 503s (a full queue, answered on purpose),
any other error, and the p95 from the first click with the waits after 503s. Then runs `build.py` on the same number of briefings (--force, same --jobs) and
prints its rate: over its whole run (start-up included) and steady (first to last briefing).

    python benchmarks/serve.py                          # 2 workers, levels 1,4,16, 32 briefings each
    python benchmarks/serve.py --jobs 2 --requests 48 --users 1,4,16

Targets on a 2-core machine with 2 workers (issue 11): one user p50 <= 0.6 s; 16 users >= 80% of
the batch's throughput with p95 <= 5 s and no error other than 503s. Other processes on the
machine change the numbers: the load average is printed with them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from numpy import base_repr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from briefpack.places import postcodes  # noqa: E402

HOST = "127.0.0.1"          # loopback only
CONCERNS = ["training", "children", "policing"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(url: str, payload: dict | None = None, timeout: float = 300) -> tuple[int, bytes]:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sample_postcodes(n: int) -> list[str]:
    """n real postcodes in n different seats: range starts of the look-up table are real postcodes."""
    table = postcodes.table()
    seen, out = set(), []
    step = max(1, len(table.starts) // (n * 4))
    for start, code in zip(table.starts[::step], table.codes[::step]):
        pc = postcodes.normalise(base_repr(start, 36))
        if code and code not in seen and pc and not postcodes.is_northern_ireland(pc):
            seen.add(code)
            out.append(pc)
        if len(out) == n:
            return out
    raise SystemExit(f"benchmark: found only {len(out)} sample postcodes")



class Server:
    def __init__(self, jobs: int, work: Path):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        tmp = work / "tmp"
        tmp.mkdir()
        env = dict(os.environ, TMPDIR=str(tmp), BRIEFPACK_CACHE_DIR=str(work / "cache"), BRIEFPACK_PACK_DIR="-",
                   BRIEFPACK_LOG_LEVEL="warning",
                   BRIEFPACK_PER_CLIENT="1000")   # every simulated campaigner comes from 127.0.0.1
        self.log = open(work / "server.log", "w")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--serve", "--host", HOST, "--port",
                                      str(self.port), "--jobs", str(jobs)], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("benchmark: the server stopped:\n" + (work / "server.log").read_text()[-2000:])
            try:
                status, body = request(self.url + "/healthz", timeout=5)
                if status == 200 and json.loads(body)["workers"] >= 1:
                    self.workers = json.loads(body)["workers"]   # build.py caps --jobs to what fits in memory
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("benchmark: the server did not start in 3 minutes")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def campaigner(url: str, postcode: str) -> dict:
    """One briefing as a campaigner makes it. A 503 (queue full, on purpose) is answered as the page
    asks: wait Retry-After seconds and press the button again.

    ``seconds``: the look-up, the accepted build and the downloads; ``total``: from the first click,
    the waits after 503s included."""
    first = start = time.perf_counter()
    status, body = request(f"{url}/api/constituencies?q={quote(postcode)}")
    if status != 200 or not json.loads(body)["matches"]:
        return {"outcome": f"error: look-up {postcode} gave {status}", "busy": 0}
    code = json.loads(body)["matches"][0]["code"]
    payload = {"constituency": code, "concerns": CONCERNS, "club": "Benchmark club", "meeting_date": "2026-12-04"}
    busy = 0
    while True:
        status, body = request(f"{url}/api/briefings", payload)
        if status != 503:
            break
        busy += 1
        if busy > 20:
            return {"outcome": "error: still busy after 20 tries", "busy": busy}
        time.sleep(min(10, int(json.loads(body).get("retry_after", 1))))
        start = time.perf_counter()
    if status != 200:
        return {"outcome": f"error: build gave {status}: {body[:200]!r}", "busy": busy}
    links = json.loads(body)
    for kind in ("html", "pdf", "letter"):
        got, data = request(url + links[kind])
        if got != 200 or not data:
            return {"outcome": f"error: {kind} download gave {got}", "busy": busy}
    end = time.perf_counter()
    return {"outcome": "ok", "busy": busy, "seconds": end - start, "total": end - first}


def _p(values: list, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def level(url: str, users: int, codes: list[str]) -> dict:
    """``users`` campaigners at once until ``len(codes)`` briefings have been made."""
    lock, queue, results = threading.Lock(), list(codes), []

    def run():
        while True:
            with lock:
                if not queue:
                    return
                pc = queue.pop()
            outcome = campaigner(url, pc)
            with lock:
                results.append(outcome)

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ok = [r for r in results if r["outcome"] == "ok"]
    return {"users": users, "asked": len(codes), "built": len(ok), "wall": wall,
            "p50": _p([r["seconds"] for r in ok], 0.5), "p95": _p([r["seconds"] for r in ok], 0.95),
            "p95_total": _p([r["total"] for r in ok], 0.95), "rate": len(ok) / wall,
            "busy": sum(r["busy"] for r in results), "errors": [r["outcome"] for r in results if r["outcome"] != "ok"],
            "load": (load_before, os.getloadavg()[0])}


def batch(codes: list[str], jobs: int, work: Path) -> dict:
    """`build.py` on the same seats (HTML, PDF, letter): rate over the whole run and steady rate."""
    out = work / "batch"
    args = [sys.executable, str(ROOT / "build.py"), "--force", "--jobs", str(jobs), "--out", str(out),
            "--concerns", ",".join(CONCERNS), "--club", "Benchmark club", "--meeting-date", "2026-12-04"]
    for code in codes:
        args += ["--constituency", code]
    env = dict(os.environ, TMPDIR=str(work / "tmp"))
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stamps = []
    for line in proc.stdout:
        if re.search(r"\bbuilt: ", line):
            stamps.append(time.perf_counter())
    proc.wait()
    wall = time.perf_counter() - start
    if proc.returncode != 0 or len(stamps) != len(codes):
        raise SystemExit(f"benchmark: the batch built {len(stamps)} of {len(codes)} (exit {proc.returncode})")
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")
    return {"n": len(codes), "wall": wall, "rate": len(codes) / wall, "steady": steady}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2, help="worker processes, for the server and the batch (default 2)")
    p.add_argument("--users", default="1,4,16", help="levels of simultaneous campaigners (default 1,4,16)")
    p.add_argument("--requests", type=int, default=32, help="briefings asked for at each level (default 32)")
    p.add_argument("--no-batch", action="store_true", help="skip the batch comparison")
    args = p.parse_args(argv)
    levels = [int(u) for u in args.users.split(",") if u.strip()]
    if args.requests < 1 or args.requests > 650 or not levels or min(levels) < 1 or max(levels) > 64:
        raise SystemExit("benchmark: --requests must be 1-650 and each --users level 1-64")
    work = Path(tempfile.mkdtemp(prefix="briefpack-bench-serve-"))
    postcodes_ = sample_postcodes(args.requests + 2 * args.jobs)
    warm, sample = postcodes_[:2 * args.jobs], postcodes_[2 * args.jobs:]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    server = Server(args.jobs, work)
    try:
        print(f"server: {server.url}, {server.workers} workers; warming with {len(warm)} briefings")
        for pc in warm:
            what = campaigner(server.url, pc)["outcome"]
            if what != "ok":
                raise SystemExit(f"benchmark: warm-up failed: {what}")
        print(f"{'users':>5} {'briefings':>9} {'p50 s':>7} {'p95 s':>7} {'per s':>7} {'503s':>5} {'errors':>6}"
              f"  {'p95 with 503 waits':>18}  load")
        results = []
        for users in levels:
            r = level(server.url, users, sample)
            results.append(r)
            print(f"{r['users']:>5} {r['built']:>4}/{r['asked']:<4} {r['p50']:>7.2f} {r['p95']:>7.2f} "
                  f"{r['rate']:>7.2f} {r['busy']:>5} {len(r['errors']):>6}  {r['p95_total']:>16.2f} s"
                  f"  {r['load'][0]:.2f} -> {r['load'][1]:.2f}")
            for e in r["errors"][:3]:
                print(f"      {e}")
    finally:
        server.stop()
    if not args.no_batch:
        codes = [postcodes.constituency_code(pc) for pc in sample]
        b = batch(codes, args.jobs, work)
        print(f"batch: build.py build --jobs {args.jobs} on the same {b['n']} seats: {b['wall']:.1f} s, "
              f"{b['rate']:.2f} per s with start-up, {b['steady']:.2f} per s steady "
              f"(load {os.getloadavg()[0]:.2f})")
        top = results[-1]
        print(f"{top['users']} users: {top['rate'] / b['steady']:.0%} of the batch's steady rate, "
              f"{top['rate'] / b['rate']:.0%} of its rate with start-up")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
