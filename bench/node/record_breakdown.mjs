// Where the time of one `agentops.record(new ActionEvent(...))` goes: each step of the call
// timed alone in one process, hot loops, live delivery to the loopback sink (bench/harness/sink.py)
// so the core's buffer never fills. Prints one line per step: median [min..max] ns/op over ROUNDS
// rounds of N calls each, the steps interleaved per round.
//
//   node --expose-gc bench/node/record_breakdown.mjs [--n 100000] [--rounds 7]
//
// Steps:
//   noop          the loop itself
//   event         new ActionEvent({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' })
//   wire          wireText(event): the event's JSON text as lib/events.js writes it, field by field
//   stringify     JSON.stringify of the same fields as one literal object (for comparison)
//   native        client.record(text): the napi call (string in) + the core's Event::from_json +
//                 Session::record, text made once outside the loop
//   record        agentops.record(new ActionEvent(...)), the whole call as the benchmark times it
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

import { installLoopbackGuard, startSink } from '../harness/node/benchlib.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
process.env.AGENTOPS_LOGGING_LEVEL ??= 'warn';

const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('n', 100000);
const ROUNDS = arg('rounds', 7);

installLoopbackGuard();
const sink = await startSink(600);
const agentops = require(ROOT);
const { wireText } = require(path.join(ROOT, 'bindings-node/lib/events.js'));
const { currentClient } = require(path.join(ROOT, 'bindings-node/lib/client.js'));
if (agentops.init({ apiKey: randomUUID(), endpoint: sink.url }) === null) throw new Error('init failed');
const client = currentClient();
const { ActionEvent, record } = agentops;

const fields = () => ({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' });
const sample = new ActionEvent(fields());
const text = wireText(sample);
let sinkHole;
const steps = {
  noop: () => {},
  event: () => { sinkHole = new ActionEvent({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' }); },
  wire: () => { sinkHole = wireText(sample); },
  stringify: () => {
    sinkHole = JSON.stringify({ kind: 'action', id: undefined, event_type: 'actions', params: { a: 1, b: 'hello' },
      returns: 'ok', init_timestamp: 1764600000000, end_timestamp: undefined, agent_id: undefined, action_type: 'x',
      logs: undefined, screenshot: undefined, tags: undefined });
  },
  native: () => client.record(text),
  record: () => record(new ActionEvent({ actionType: 'x', params: { a: 1, b: 'hello' }, returns: 'ok' })),
};

const tick = () => new Promise((r) => setImmediate(r));
async function timeOnce(fn) {
  let total = 0n;
  for (let done = 0; done < N; done += 1000) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) fn();
    total += process.hrtime.bigint() - t0;
    await tick(); // as the benchmark's producer: the loop gets a turn every 1000 calls
  }
  return Number(total) / N;
}

const results = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
for (const fn of Object.values(steps)) { await timeOnce(fn); await agentops.flush(60000); } // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, fn] of Object.entries(steps)) {
    if (global.gc) global.gc();
    results[k].push(await timeOnce(fn));
    await agentops.flush(60000); // keep the core's buffer (131,072 events) from filling between steps
  }
}
const f = (x) => Math.round(x).toLocaleString('en-US');
console.log(`text (${text.length} B): ${text}`);
console.log(`node ${process.version}, N=${N} per round, ${ROUNDS} rounds; ns/op in-chunk, median [min..max]`);
for (const [k, v] of Object.entries(results)) {
  const s = [...v].sort((a, b) => a - b);
  console.log(`${k.padEnd(11)} ${f(s[Math.floor(s.length / 2)]).padStart(7)} [${f(s[0])}..${f(s[s.length - 1])}]`);
}
const st = agentops.stats();
console.log(`delivered ${st.delivered}, dropped ${st.droppedTotal} ${JSON.stringify(st.dropped)}` + (st.droppedTotal ? ' (drops make the native steps cheaper: rerun on a quieter box)' : ''));
void sinkHole;
await agentops.shutdown();
sink.stop();
setTimeout(() => process.exit(0), 200).unref();
