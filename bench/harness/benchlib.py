"""Shared harness for the anchor benchmarks (stdlib only).

A bench script defines an *adapter* for one SDK and calls ``benchlib.main(adapter)``.
The adapter interface (duck-typed) is:

    name: str                      # e.g. "agentops-0.3"
    idle_s: float                  # no-new-arrivals time after which delivery is deemed finished
                                   # (must exceed the SDK's flush interval / schedule delay)
    modes: tuple[str, ...]         # e.g. ("default", "nodrop"); first one is the default
    add_args(ap)                   # optional: extra argparse options
    setup(sink_url, mode, expected, args) -> dict   # init the SDK, return effective config
    versions() -> dict             # exact package versions
    record_fn() -> callable()      # one call == one telemetry event/span (workload "record")
    extra_workloads: dict          # optional: {"workload-name": "method_name"}; method returns a
                                   # zero-arg callable emitting one event per call (like record_fn)
    decorated_pair() -> (plain, decorated)   # zero-arg callables; decorated emits one event/call
    decorator_items_per_call: int  # optional (default 1): sink items one decorated call produces
    extra_items_on_shutdown: int   # optional (default 0): items shutdown() adds (e.g. a root span)
    flush()                        # ask the SDK to push what it has (no shutdown)
    shutdown()                     # end session / shut the pipeline down (flushes)

Workloads (``--workload``):
    record     N calls of record_fn()            -> caller ns/event, delivery, loss, RSS
    decorator  N calls of plain, N of decorated  -> added ns/call, delivery of the decorated events
    noop       N calls of an empty lambda        -> harness loop baseline (no SDK)

Method: warm-up W calls (events also sent), flush, wait until the sink is quiet,
take the sink's item count as baseline; then t0 = time.time(), run the N timed
calls in chunks of ``--chunk`` (perf_counter_ns around each chunk), then poll
the sink until it has N new items or nothing new arrived for ``idle_s``
(the residue below one batch waits for the SDK's timer, which is part of the
end-to-end latency), then call shutdown() and count again. Loss = N minus
items delivered after shutdown. The sink runs in a separate process (spawned
here unless --sink URL is given) so that the bench process RSS is the SDK's.

Output: one line ``RESULT {json}`` on stdout (also appended to --out if given).
All network traffic is confined to loopback: non-loopback connects and DNS
lookups are refused in-process and counted in "blocked".
"""

from __future__ import annotations

import argparse
import gc
import http.client
import ipaddress
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------- loopback guard
BLOCKED: list[str] = []
_blocked_lock = threading.Lock()


def _host_is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None:
        return True
    host = str(host).strip("[]").split("%")[0]
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install_loopback_guard() -> None:
    """Refuse every IP connect / DNS lookup that is not loopback (phone-home checks etc.)."""
    for k in list(os.environ):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[k]
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

    orig_connect = socket.socket.connect
    orig_connect_ex = socket.socket.connect_ex
    orig_gai = socket.getaddrinfo

    def _check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not _host_is_loopback(address[0]):
                with _blocked_lock:
                    BLOCKED.append(f"connect:{address[0]}:{address[1] if len(address) > 1 else ''}")
                raise ConnectionRefusedError(f"anchor loopback guard: {address!r} is not loopback")

    def connect(self, address):
        _check(self, address)
        return orig_connect(self, address)

    def connect_ex(self, address):
        _check(self, address)
        return orig_connect_ex(self, address)

    def getaddrinfo(host, *a, **kw):
        if not _host_is_loopback(host):
            with _blocked_lock:
                BLOCKED.append(f"dns:{host}")
            raise socket.gaierror(socket.EAI_NONAME, f"anchor loopback guard: {host!r} refused")
        return orig_gai(host, *a, **kw)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo


# ------------------------------------------------------------------------- sink
class SinkClient:
    def __init__(self, url: str, proc: subprocess.Popen | None = None):
        self.url = url.rstrip("/")
        hp = self.url.split("://", 1)[1]
        self.host, port = hp.split(":")
        self.port = int(port)
        self.proc = proc

    def _req(self, method: str, path: str):
        c = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            c.request(method, path, body=b"" if method == "POST" else None)
            r = c.getresponse()
            return json.loads(r.read() or b"{}")
        finally:
            c.close()

    def stats(self, log: bool = False) -> dict:
        return self._req("GET", "/stats?log=1" if log else "/stats")

    def reset(self) -> None:
        self._req("POST", "/reset")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_sink(max_seconds: float = 900.0) -> SinkClient:
    proc = subprocess.Popen(
        [
            sys.executable,
            os.path.join(HERE, "sink.py"),
            "--parent-pid",
            str(os.getpid()),
            "--max-seconds",
            str(max_seconds),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"sink did not start: {line!r}")
    sc = SinkClient(f"http://127.0.0.1:{int(line.split()[1])}", proc)
    for _ in range(100):
        try:
            sc.stats()
            break
        except OSError:
            time.sleep(0.05)
    return sc


# ---------------------------------------------------------------------- helpers
def rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def time_loop(fn, n: int, chunk: int):
    """Run fn() n times; return (total_ns, [ns/call per chunk])."""
    pc = time.perf_counter_ns
    per = []
    done = 0
    t_start = pc()
    while done < n:
        k = min(chunk, n - done)
        r = range(k)
        t0 = pc()
        for _ in r:
            fn()
        per.append((pc() - t0) / k)
        done += k
    return pc() - t_start, per


def summarize_chunks(per: list[float]) -> dict:
    s = sorted(per)
    q = lambda p: s[min(len(s) - 1, int(p * len(s)))]  # noqa: E731
    return {
        "chunk_median_ns": round(statistics.median(s), 1),
        "chunk_p10_ns": round(q(0.10), 1),
        "chunk_p90_ns": round(q(0.90), 1),
        "chunk_max_ns": round(s[-1], 1),
    }


def wait_until_quiet(
    sink: SinkClient, baseline: int, expected: int | None, idle_s: float, timeout_s: float, poll_s: float = 0.05
) -> dict:
    """Poll the sink until `expected` new items arrived or nothing new for idle_s."""
    start = time.time()
    last_items, last_change = None, time.time()
    while True:
        st = st_last = sink.stats()
        got = st["items"] - baseline
        now = time.time()
        if expected is not None and got >= expected:
            break
        if got != last_items:
            last_items, last_change = got, now
        elif now - last_change >= idle_s:
            break
        if now - start >= timeout_s:
            st_last["timed_out"] = True
            break
        time.sleep(poll_s)
    st_last["got"] = got
    return st_last


# ------------------------------------------------------------------------- main
def main(adapter) -> None:
    ap = argparse.ArgumentParser(description=f"anchor bench: {adapter.name}")
    extra = dict(getattr(adapter, "extra_workloads", {}) or {})
    ap.add_argument("--workload", default="record", choices=["record", "decorator", "noop"] + list(extra))
    ap.add_argument("--mode", default=adapter.modes[0], choices=list(adapter.modes))
    ap.add_argument("--n", type=int, default=100_000, help="timed calls (events)")
    ap.add_argument("--warmup", type=int, default=2_000)
    ap.add_argument("--chunk", type=int, default=1_000, help="calls per timing chunk")
    ap.add_argument("--sink", default=None, help="use a running sink at URL instead of spawning one")
    ap.add_argument("--deliver-timeout", type=float, default=300.0, help="max seconds to wait for delivery")
    ap.add_argument("--idle", type=float, default=None, help="override adapter.idle_s")
    ap.add_argument("--no-deliver", action="store_true", help="skip the delivery wait (caller-side only)")
    ap.add_argument("--out", default=None, help="append the JSON result line to this file")
    ap.add_argument("--tag", default="", help="free-form label copied into the result")
    if hasattr(adapter, "add_args"):
        adapter.add_args(ap)
    args = ap.parse_args()

    install_loopback_guard()
    idle_s = args.idle if args.idle is not None else adapter.idle_s
    res: dict = {
        "sdk": adapter.name,
        "workload": args.workload,
        "mode": args.mode,
        "n": args.n,
        "warmup": args.warmup,
        "chunk": args.chunk,
        "tag": args.tag,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rss_start_mb": round(rss_now_mb(), 1),
    }

    sink = SinkClient(args.sink) if args.sink else start_sink(max_seconds=args.deliver_timeout + 600)
    try:
        if args.sink:
            sink.reset()
        if args.workload == "noop":
            fn = lambda: None  # noqa: E731
            time_loop(fn, args.warmup, args.chunk)
            gc.collect()
            total, per = time_loop(fn, args.n, args.chunk)
            res.update(
                {
                    "ns_per_call": round(total / args.n, 1),
                    **summarize_chunks(per),
                    "peak_rss_mb": round(peak_rss_mb(), 1),
                }
            )
            _emit(res, args)
            return

        t_setup = time.perf_counter()
        cfg = adapter.setup(sink.url, args.mode, args.n + args.warmup, args) or {}
        res["setup_s"] = round(time.perf_counter() - t_setup, 3)
        res["config"] = cfg
        res["versions"] = adapter.versions()
        res["rss_after_setup_mb"] = round(rss_now_mb(), 1)

        # loop baseline (same harness, empty lambda) measured in-process for the net figure
        nop = lambda: None  # noqa: E731
        time_loop(nop, 20_000, args.chunk)
        tot, _ = time_loop(nop, 100_000, args.chunk)
        res["loop_baseline_ns"] = round(tot / 100_000, 1)

        res["sys_modules"] = len(sys.modules)
        if args.workload == "record":
            fn = adapter.record_fn()
            time_loop(fn, args.warmup, args.chunk)
        elif args.workload in extra:
            fn = getattr(adapter, extra[args.workload])()
            time_loop(fn, args.warmup, args.chunk)
        else:
            plain, fn = adapter.decorated_pair()
            time_loop(plain, args.warmup, args.chunk)
            time_loop(fn, args.warmup, args.chunk)

        # let warm-up events drain so they do not pollute the timed phase
        adapter.flush()
        st = wait_until_quiet(sink, 0, None, idle_s=min(idle_s, 2.0), timeout_s=60)
        baseline = st["items"]
        res["warmup_delivered"] = baseline

        if args.workload == "decorator":
            gc.collect()
            tot_p, per_p = time_loop(plain, args.n, args.chunk)
            res["plain_ns_per_call"] = round(tot_p / args.n, 1)
            res["plain"] = summarize_chunks(per_p)
            # drain anything that arrived meanwhile (nothing should: plain emits no events)
            baseline = sink.stats()["items"]

        per_call = getattr(adapter, "decorator_items_per_call", 1) if args.workload == "decorator" else 1
        expected = args.n * per_call
        res["expected_items"] = expected

        gc.collect()
        t0 = time.time()
        total, per = time_loop(fn, args.n, args.chunk)
        t_loop_end = time.time()
        res["ns_per_call"] = round(total / args.n, 1)
        res["net_ns_per_call"] = round(total / args.n - res["loop_baseline_ns"], 1)
        res.update(summarize_chunks(per))
        res["produce_s"] = round(t_loop_end - t0, 3)
        if args.workload == "decorator":
            res["decorator_overhead_ns"] = round(res["ns_per_call"] - res["plain_ns_per_call"], 1)
            res["decorator_overhead_chunk_median_ns"] = round(
                res["chunk_median_ns"] - res["plain"]["chunk_median_ns"], 1
            )
        res["peak_rss_after_produce_mb"] = round(peak_rss_mb(), 1)

        if not args.no_deliver:
            st = wait_until_quiet(sink, baseline, expected, idle_s=idle_s, timeout_s=args.deliver_timeout)
            got_pre = st["got"]
            last_ts = st["last_item_ts"] or t0
            res["delivered_before_shutdown"] = got_pre
            res["e2e_s"] = round(max(last_ts - t0, 1e-9), 3) if got_pre else None
            res["deliver_eps"] = round(got_pre / (last_ts - t0), 1) if got_pre and last_ts > t0 else None
            res["drain_after_produce_s"] = round(last_ts - t_loop_end, 3) if got_pre else None
            res["wait_timed_out"] = bool(st.get("timed_out"))
            log = sink.stats(log=True).get("log", [])
            during = sum(k for ts, k in log if t0 <= ts <= t_loop_end)
            res["delivered_during_produce"] = during
            res["deliver_eps_during_produce"] = round(during / max(t_loop_end - t0, 1e-9), 1)
            # "bulk" delivery: excludes a final partial batch that arrived > 1 s after the previous
            # one, i.e. the residue that waited for the SDK's flush timer (e.g. 5 s schedule delay)
            ent = [(ts, k) for ts, k in log if ts >= t0]
            if ent:
                tail = ent[-1][1] if len(ent) >= 2 and ent[-1][0] - ent[-2][0] > 1.0 else 0
                t_bulk = ent[-2][0] if tail else ent[-1][0]
                bulk = sum(k for _, k in ent) - tail
                res["timer_tail_items"] = tail
                res["t_bulk_s"] = round(t_bulk - t0, 3)
                res["deliver_eps_bulk"] = round(bulk / (t_bulk - t0), 1) if t_bulk > t0 else None

        res["peak_rss_mb"] = round(peak_rss_mb(), 1)
        t_sd = time.perf_counter()
        adapter.shutdown()
        res["shutdown_s"] = round(time.perf_counter() - t_sd, 3)
        if not args.no_deliver:
            st = wait_until_quiet(sink, baseline, expected, idle_s=1.0, timeout_s=60)
            got = max(0, st["got"] - getattr(adapter, "extra_items_on_shutdown", 0))
            res["delivered"] = got
            res["lost"] = expected - got
            res["loss_pct"] = round(100.0 * (expected - got) / expected, 3)
            res["dup_ids"] = st.get("dup_ids", 0)
            res["sink_requests"] = st["requests"]
            res["sink_bytes"] = st["bytes"]
            res["sink_errors"] = st["errors"]
            res["by_path"] = st["by_path"]
        res["blocked"] = sorted(set(BLOCKED))
        _emit(res, args)
    finally:
        if not args.sink:
            sink.stop()


def _emit(res: dict, args) -> None:
    line = json.dumps(res, sort_keys=False)
    print("RESULT " + line, flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")
