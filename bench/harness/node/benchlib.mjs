// Shared harness for the Node anchor benchmarks (node: stdlib only). Port of ../benchlib.py.
//
// agentops-rs copy: ../shared/anchors/node/benchlib.mjs, behaviour unchanged (see README.md here).
// The only change is this comment. The sink is found as before, at HERE/../sink.py, which from
// bench/harness/node/ is bench/harness/sink.py (our copy of ../shared/anchors/sink.py), so no path
// needed adapting; without HERE/.venvs/sink, sinkPython() runs it with python3 (or $SINK_PYTHON),
// which is enough for our JSON events (the venv only adds OTLP protobuf decoding). pkgVersion() reads
// HERE/node_modules, which has nothing here: our adapter reports its versions itself.
//
// A bench script defines an *adapter* for one SDK and calls `main(adapter)`. Adapter interface:
//   name: string                         e.g. "otel-js-http-json"
//   idleS: number                        no-new-arrivals time after which delivery is deemed finished
//                                        (must exceed the SDK's flush interval / schedule delay)
//   modes: string[]                      first is the default, e.g. ["default", "nodrop"]
//   needsSink: boolean                   (default true) false for in-process / no-export adapters
//   async setup(sinkUrl, mode, expected, args) -> effective config object
//   versions() -> {pkg: version}
//   recordFn() -> () => void             one call == one telemetry event (workload "record")
//   decoratedPair() -> [plain, decorated] zero-arg callables; decorated emits one event per call
//   extraWorkloads: {name: methodName}   optional; method returns a zero-arg callable
//   async flush()                        push what is buffered (no shutdown)
//   async shutdown()                     flush and stop
//   diagnostics() -> object              optional: SDK-side counters (export results, error events)
//   decoratorItemsPerCall, extraItemsOnShutdown: optional, as in ../benchlib.py
//
// Workloads (--workload): record | decorator | <extra> ; see the adapter files.
// Producer (--yield): "immediate" (default) awaits setImmediate() after every chunk of --chunk calls,
//   so the event loop (and with it the SDK's timers, serialisation and HTTP I/O) gets a turn about
//   every 1000 calls, as it would in an app that awaits anything; "none" runs all N calls as one
//   synchronous burst, so nothing can be exported until the burst ends (worst case).
// Method (same as benchlib.py): warm-up W calls, flush, wait until the sink is quiet, take the sink's
// item count as baseline; t0 = Date.now(); N timed calls in chunks (process.hrtime around each chunk);
// poll the sink until N new items or nothing new for idleS; shutdown(); count again; loss = N - delivered.
// The sink (../sink.py) runs as a separate
// process, spawned here, so this process's RSS is the SDK's.
// Output: one line `RESULT {json}` on stdout (also appended to --out).
// All network traffic is confined to loopback: non-loopback connects are refused in-process and
// recorded in "blocked".
import { spawn } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------ loopback guard
export const BLOCKED = [];
function isLoopback(host) {
  if (host == null || host === '') return true; // net defaults to localhost
  host = String(host).replace(/^\[|\]$/g, '').split('%')[0];
  if (['localhost', 'localhost.localdomain', 'ip6-localhost'].includes(host)) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}
export function installLoopbackGuard() {
  for (const k of Object.keys(process.env)) {
    if (['http_proxy', 'https_proxy', 'all_proxy'].includes(k.toLowerCase())) delete process.env[k];
  }
  process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost,::1';
  const origConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    let o = args[0];
    if (Array.isArray(o)) o = o[0]; // internal normalized args
    let host;
    if (o && typeof o === 'object') host = o.path ? null : o.host;
    else if (typeof o === 'number' || /^\d+$/.test(String(o))) host = typeof args[1] === 'string' ? args[1] : null;
    else if (typeof o === 'string') host = null; // unix socket path
    if (!isLoopback(host)) {
      BLOCKED.push(`connect:${host}`);
      const err = new Error(`anchor loopback guard: ${host} is not loopback`);
      err.code = 'ECONNREFUSED';
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return origConnect.apply(this, args);
  };
  const origLookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, ...rest) {
    if (!isLoopback(hostname)) {
      BLOCKED.push(`dns:${hostname}`);
      const cb = rest[rest.length - 1];
      const err = new Error(`anchor loopback guard: ${hostname} refused`);
      err.code = 'ENOTFOUND';
      if (typeof cb === 'function') process.nextTick(() => cb(err));
      return {};
    }
    return origLookup.call(this, hostname, ...rest);
  };
}

// -------------------------------------------------------------------------- sink
export class SinkClient {
  constructor(url, proc = null) {
    this.url = url.replace(/\/$/, '');
    const u = new URL(this.url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.proc = proc;
  }
  _req(method, p) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, path: p, method, agent: false, timeout: 30000,
        headers: { 'Content-Length': 0 } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try { resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}')); } catch (e) { reject(e); }
        });
      });
      req.on('timeout', () => req.destroy(new Error('sink request timeout')));
      req.on('error', reject);
      req.end();
    });
  }
  stats(log = false) { return this._req('GET', log ? '/stats?log=1' : '/stats'); }
  reset() { return this._req('POST', '/reset'); }
  stop() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
}

export function sinkPython() {
  if (process.env.SINK_PYTHON) return process.env.SINK_PYTHON;
  const venv = path.join(HERE, '.venvs', 'sink', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

export async function startSink(maxSeconds = 900) {
  const script = path.join(HERE, '..', 'sink.py');
  const proc = spawn(sinkPython(), [script, '--parent-pid', String(process.pid), '--max-seconds',
    String(maxSeconds), '--quiet'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('sink did not start in 20 s')), 20000);
    proc.stdout.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) { clearTimeout(t); resolve(buf.slice(0, i).trim()); }
    });
    proc.on('exit', (c) => { clearTimeout(t); reject(new Error(`sink exited ${c}`)); });
  });
  if (!line.startsWith('PORT ')) { proc.kill(); throw new Error(`sink did not start: ${line}`); }
  proc.stdout.resume();
  proc.unref();
  const sc = new SinkClient(`http://127.0.0.1:${Number(line.split(' ')[1])}`, proc);
  for (let i = 0; i < 100; i++) {
    try { await sc.stats(); break; } catch { await sleep(50); }
  }
  return sc;
}

// ----------------------------------------------------------------------- helpers
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));
const rssNowMb = () => round(process.memoryUsage().rss / 2 ** 20, 1);
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1); // maxRSS is in KiB
function round(x, d = 1) { const m = 10 ** d; return Math.round(x * m) / m; }

/** Run fn() n times in chunks; returns {totalNs, inChunkNs, per[]}. yieldMode "immediate" awaits setImmediate between chunks. */
export async function timeLoop(fn, n, chunk, yieldMode) {
  const per = [];
  let done = 0;
  let inChunk = 0n;
  const tStart = process.hrtime.bigint();
  while (done < n) {
    const k = Math.min(chunk, n - done);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < k; i++) fn();
    const dt = process.hrtime.bigint() - t0;
    inChunk += dt;
    per.push(Number(dt) / k);
    done += k;
    if (yieldMode === 'immediate') await tick();
  }
  return { totalNs: Number(process.hrtime.bigint() - tStart), inChunkNs: Number(inChunk), per };
}

export function summarizeChunks(per) {
  const s = [...per].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { chunk_median_ns: round(med), chunk_p10_ns: round(q(0.1)), chunk_p90_ns: round(q(0.9)),
    chunk_max_ns: round(s[s.length - 1]) };
}

export async function waitUntilQuiet(sink, baseline, expected, idleS, timeoutS, pollMs = 50) {
  const start = Date.now();
  let lastItems = null;
  let lastChange = Date.now();
  let st;
  let got;
  let statErrors = 0;
  for (;;) {
    try {
      st = await sink.stats();
    } catch (e) { // the sink can be swamped (e.g. thousands of concurrent connections): retry, bounded
      statErrors++;
      if (Date.now() - start >= timeoutS * 1000) throw e;
      await sleep(500);
      continue;
    }
    st.stat_errors = statErrors;
    got = st.items - baseline;
    const now = Date.now();
    if (expected != null && got >= expected) break;
    if (got !== lastItems) { lastItems = got; lastChange = now; } else if (now - lastChange >= idleS * 1000) break;
    if (now - start >= timeoutS * 1000) { st.timed_out = true; break; }
    await sleep(pollMs);
  }
  st.got = got;
  return st;
}

function parseArgs(argv, defs) {
  const a = { ...defs };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) continue;
    const key = k.slice(2).replace(/-/g, '_');
    const nxt = argv[i + 1];
    if (nxt === undefined || nxt.startsWith('--')) a[key] = true;
    else { a[key] = typeof defs[key] === 'number' ? Number(nxt) : nxt; i++; }
  }
  return a;
}

function emit(res, args) {
  const line = JSON.stringify(res);
  process.stdout.write(`RESULT ${line}\n`);
  if (args.out) fs.appendFileSync(args.out, line + '\n');
}

export function pkgVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch { return null; }
}

// -------------------------------------------------------------------------- main
export async function main(adapter) {
  const args = parseArgs(process.argv.slice(2), {
    workload: 'record', mode: adapter.modes[0], n: 100000, warmup: 2000, chunk: 1000, yield: 'immediate',
    deliver_timeout: 300, idle: null, no_deliver: false, out: null, tag: '',
  });
  installLoopbackGuard();
  const idleS = args.idle != null ? Number(args.idle) : adapter.idleS;
  const res = { sdk: adapter.name, workload: args.workload, mode: args.mode, n: args.n, warmup: args.warmup,
    chunk: args.chunk, yield: args.yield, tag: args.tag, node: process.version, v8: process.versions.v8,
    cpus: os.cpus().length, rss_start_mb: rssNowMb() };
  const needsSink = adapter.needsSink !== false && !args.no_deliver;
  const sink = needsSink ? await startSink(Number(args.deliver_timeout) + 600) : null;
  const extra = adapter.extraWorkloads || {};
  try {
    const tSetup = process.hrtime.bigint();
    res.config = (await adapter.setup(sink ? sink.url : 'http://127.0.0.1:9', args.mode, args.n + args.warmup, args)) || {};
    res.setup_s = round(Number(process.hrtime.bigint() - tSetup) / 1e9, 3);
    res.versions = adapter.versions();
    res.rss_after_setup_mb = rssNowMb();

    // harness loop baseline (empty function through the same loop, same yield mode)
    const nop = () => {};
    await timeLoop(nop, 20000, args.chunk, args.yield);
    const lb = await timeLoop(nop, 100000, args.chunk, args.yield);
    res.loop_baseline_ns = round(lb.totalNs / 100000);
    res.loop_baseline_in_chunk_ns = round(lb.inChunkNs / 100000);

    let fn;
    let plain;
    if (args.workload === 'record') fn = adapter.recordFn();
    else if (args.workload in extra) fn = adapter[extra[args.workload]]();
    else if (args.workload === 'decorator') [plain, fn] = adapter.decoratedPair();
    else throw new Error(`unknown workload ${args.workload}`);
    if (plain) await timeLoop(plain, args.warmup, args.chunk, args.yield);
    await timeLoop(fn, args.warmup, args.chunk, args.yield);

    let baseline = 0;
    let baselineUnique = 0;
    if (sink) {
      await adapter.flush();
      const st = await waitUntilQuiet(sink, 0, null, Math.min(idleS, 2.0), 60);
      baseline = st.items;
      baselineUnique = st.unique_ids;
      res.warmup_delivered = baseline;
    }
    if (plain) {
      if (global.gc) global.gc();
      const p = await timeLoop(plain, args.n, args.chunk, args.yield);
      res.plain_ns_per_call = round(p.totalNs / args.n);
      res.plain_in_chunk_ns_per_call = round(p.inChunkNs / args.n);
      res.plain = summarizeChunks(p.per);
      if (sink) { const s2 = await sink.stats(); baseline = s2.items; baselineUnique = s2.unique_ids; }
    }
    const expected = args.n * (args.workload === 'decorator' ? (adapter.decoratorItemsPerCall || 1) : 1);
    res.expected_items = expected;

    if (global.gc) global.gc();
    const t0 = Date.now() / 1000;
    const r = await timeLoop(fn, args.n, args.chunk, args.yield);
    const tLoopEnd = Date.now() / 1000;
    res.ns_per_call = round(r.totalNs / args.n);
    res.in_chunk_ns_per_call = round(r.inChunkNs / args.n);
    res.net_ns_per_call = round(r.totalNs / args.n - res.loop_baseline_ns);
    Object.assign(res, summarizeChunks(r.per));
    res.produce_s = round(tLoopEnd - t0, 3);
    if (plain) {
      res.decorator_overhead_ns = round(res.ns_per_call - res.plain_ns_per_call);
      res.decorator_overhead_in_chunk_ns = round(res.in_chunk_ns_per_call - res.plain_in_chunk_ns_per_call);
    }
    res.peak_rss_after_produce_mb = peakRssMb();
    res.heap_used_after_produce_mb = round(process.memoryUsage().heapUsed / 2 ** 20, 1);

    if (sink) {
      const st = await waitUntilQuiet(sink, baseline, expected, idleS, Number(args.deliver_timeout));
      const gotPre = st.got;
      const lastTs = st.last_item_ts || t0;
      res.delivered_before_shutdown = gotPre;
      res.e2e_s = gotPre ? round(Math.max(lastTs - t0, 1e-9), 3) : null;
      res.deliver_eps = gotPre && lastTs > t0 ? round(gotPre / (lastTs - t0)) : null;
      res.drain_after_produce_s = gotPre ? round(lastTs - tLoopEnd, 3) : null;
      res.wait_timed_out = Boolean(st.timed_out);
      res.stat_poll_errors = st.stat_errors;
      const log = (await sink.stats(true)).log || [];
      const during = log.filter(([ts]) => ts >= t0 && ts <= tLoopEnd).reduce((s, [, k]) => s + k, 0);
      res.delivered_during_produce = during;
      res.deliver_eps_during_produce = round(during / Math.max(tLoopEnd - t0, 1e-9));
      const ent = log.filter(([ts]) => ts >= t0);
      if (ent.length) {
        const m = ent.length;
        const tail = m >= 2 && ent[m - 1][0] - ent[m - 2][0] > 1.0 ? ent[m - 1][1] : 0;
        const tBulk = tail ? ent[m - 2][0] : ent[m - 1][0];
        const bulk = ent.reduce((s, [, k]) => s + k, 0) - tail;
        res.timer_tail_items = tail;
        res.t_bulk_s = round(tBulk - t0, 3);
        res.deliver_eps_bulk = tBulk > t0 ? round(bulk / (tBulk - t0)) : null;
      }
    }
    res.peak_rss_mb = peakRssMb();
    const tSd = process.hrtime.bigint();
    await Promise.race([adapter.shutdown(), sleep(60000)]);
    res.shutdown_s = round(Number(process.hrtime.bigint() - tSd) / 1e9, 3);
    if (sink) {
      const st = await waitUntilQuiet(sink, baseline, expected, 1.0, 60);
      const got = Math.max(0, st.got - (adapter.extraItemsOnShutdown || 0));
      res.delivered = got;
      res.lost = expected - got;
      res.loss_pct = round((100 * (expected - got)) / expected, 3);
      res.dup_ids = st.dup_ids ?? 0;
      // retries can deliver an item twice: count distinct ids too (event uuid / span id / item id)
      res.unique_delivered = st.unique_ids - baselineUnique;
      res.loss_unique_pct = round((100 * (expected - res.unique_delivered)) / expected, 3);
      res.sink_requests = st.requests;
      res.sink_bytes = st.bytes;
      res.sink_errors = st.errors;
      res.otlp_undecoded = st.otlp_undecoded;
      res.by_path = st.by_path;
    }
    res.peak_rss_final_mb = peakRssMb();
    if (adapter.diagnostics) res.diagnostics = adapter.diagnostics();
    res.blocked = [...new Set(BLOCKED)].sort();
    emit(res, args);
  } finally {
    if (sink) sink.stop();
  }
  // SDK timers/sockets may keep the loop alive; the result is out, so leave.
  setTimeout(() => process.exit(0), 200).unref();
}
