// Adapter for the Node benchmark harness in bench/harness/node (benchlib.mjs, a copy of the peer
// harness's in ../shared/anchors/node): runs this project's Node package (the repository root's
// `agentops`, bindings-node/lib over the release addon `npm install` builds) through the same
// workloads and method as the peers' adapters there (bench_otel.mjs, bench_posthog.mjs, ...).
//
// Workloads (see benchlib.mjs):
//   record     agentops.record(new agentops.ActionEvent({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' }))
//   decorator  f(1, 'hello') plain vs agentops.recordAction('x', f)(1, 'hello')
// Modes:
//   default    SDK defaults: only apiKey and endpoint are given (maxQueueSize 512 events per request,
//              maxWaitTime 5000 ms, a buffer of 131,072 events / 64 MiB; core/src/config/mod.rs)
//
// From the repository root, after `npm install`:
//   node --expose-gc bench/node/bench_agentops_rs.mjs --workload record --mode default --n 100000
//   node --expose-gc bench/node/bench_agentops_rs.mjs --workload record --n 100000 --yield none   # 100k synchronous burst
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { main } from '../harness/node/benchlib.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.AGENTOPS_LOGGING_LEVEL ??= 'warn'; // no per-session info lines on stderr

class AgentOpsRs {
  name = 'agentops-rs-node';
  idleS = 7.0; // longer than the 5 s maxWaitTime default
  modes = ['default'];

  async setup(sinkUrl) {
    // the package as an application requires it: the root package.json's "main"
    this.agentops = createRequire(import.meta.url)(ROOT);
    const session = this.agentops.init({ apiKey: randomUUID(), endpoint: sinkUrl });
    if (session === null) throw new Error('agentops.init did not start a session');
    return { maxQueueSize: 512, maxWaitTimeMs: 5000, maxBufferedEvents: 131072, maxBufferedBytes: 64 * 2 ** 20 };
  }

  versions() {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    return { agentops: pkg.version, 'agentops-core': this.agentops.coreVersion() };
  }

  recordFn() {
    const { record, ActionEvent } = this.agentops;
    return () => record(new ActionEvent({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' }));
  }

  decoratedPair() {
    const f = (a, b) => 'ok';
    const g = this.agentops.recordAction('x', f);
    return [() => f(1, 'hello'), () => g(1, 'hello')];
  }

  async flush() { await this.agentops.flush(); }
  async shutdown() { this.shutdownReport = await this.agentops.shutdown(); }
  diagnostics() {
    const r = this.shutdownReport;
    return { stats: this.agentops.stats(), shutdown: r && { completed: r.completed, left: r.left } };
  }
}

await main(new AgentOpsRs());
