// recordAction / recordTool / trackAgent against the mock backend: sync, async, throwing
// and rejecting functions; the TypeScript 5 and legacy decorator forms; agents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as agentops from 'agentops';
import { MockBackend, API_KEY } from './support/mock-backend.mjs';

let mock;
let session;

const events = async () => {
  assert.equal(await agentops.flush(10000), true);
  return (await mock.events()).by_session[session.id] ?? [];
};
const named = async (name) => (await events()).filter((e) => e.action_type === name || e.name === name);

before(async () => {
  mock = await MockBackend.start();
  session = agentops.init({ apiKey: API_KEY, endpoint: mock.url, maxWaitTime: 50 });
});

after(async () => {
  await agentops.shutdown(5000);
  await mock.stop();
});

test('a sync function: same result, arguments and return value recorded, this kept', async () => {
  const self = { base: 10 };
  const add = agentops.recordAction('add', function (a, b) {
    return this.base + a + b;
  });
  assert.equal(add.call(self, 1, 2), 13);
  assert.equal(add.name, '');
  const [event] = await named('add');
  assert.deepEqual([event.event_type, event.params, event.returns], ['actions', [1, 2], 13]);
  assert.ok(event.end_timestamp >= event.init_timestamp);
});

test('an async function: the promise is awaited, its settlement time is the end time', async () => {
  const slow = agentops.recordTool('slow', async (ms) => {
    await new Promise((r) => setTimeout(r, ms));
    return { done: true };
  });
  assert.deepEqual(await slow(60), { done: true });
  const [event] = await named('slow');
  assert.equal(event.event_type, 'tools');
  assert.deepEqual(event.returns, { done: true });
  const ms = Date.parse(event.end_timestamp) - Date.parse(event.init_timestamp);
  assert.ok(ms >= 55, `duration ${ms} ms covers the wait`);
});

test('a throw and a rejection record a linked ErrorEvent and propagate the same error', async () => {
  const failure = new TypeError('bad input');
  const thrower = agentops.recordAction('thrower', () => {
    throw failure;
  });
  assert.throws(() => thrower(1), (err) => err === failure);
  const rejection = new Error('later');
  const rejecter = agentops.recordAction('rejecter', async () => {
    throw rejection;
  });
  await assert.rejects(rejecter(), (err) => err === rejection);
  const all = await events();
  for (const [name, err] of [['thrower', failure], ['rejecter', rejection]]) {
    const trigger = all.find((e) => e.action_type === name);
    const error = all.find((e) => e.trigger_event_id === trigger.id);
    assert.deepEqual([error.event_type, error.error_type, error.details, error.trigger_event_type], ['errors', err.name, err.message, 'actions']);
    assert.ok(all.indexOf(error) > all.indexOf(trigger));
  }
});

test('a thenable that is not a plain Promise is returned as it is', async () => {
  class Api extends Promise {
    withResponse() {
      return 'raw';
    }
  }
  const call = agentops.recordAction('api', () => Api.resolve(7));
  const result = call();
  assert.ok(result instanceof Api);
  assert.equal(result.withResponse(), 'raw');
  assert.equal(await result, 7);
  const [event] = await named('api');
  assert.equal(event.returns, 7);
});

test('TypeScript 5 method decorators, the legacy form, and trackAgent', async () => {
  // What `@trackAgent('researcher') class ... { @recordAction('think') think() }` compiles to.
  class Plain {
    constructor(topic) {
      this.topic = topic;
    }

    think(depth) {
      return `${this.topic}/${depth}`;
    }

    search(q) {
      return [q];
    }
  }
  Plain.prototype.think = agentops.recordAction('think')(Plain.prototype.think, { kind: 'method', name: 'think' });
  const legacy = Object.getOwnPropertyDescriptor(Plain.prototype, 'search');
  Object.defineProperty(Plain.prototype, 'search', agentops.recordTool()(Plain.prototype, 'search', legacy));
  const Researcher = agentops.trackAgent('researcher')(Plain, { kind: 'class', name: 'Plain' });
  const r = new Researcher('rust');
  assert.equal(r.think(2), 'rust/2');
  assert.deepEqual(r.search('q'), ['q']);
  assert.match(r.agentopsAgentId, /^[0-9a-f-]{36}$/);
  assert.equal(Researcher.name, 'Plain');
  const [think] = await named('think');
  const [search] = await named('search');
  assert.equal(think.agent_id, r.agentopsAgentId);
  assert.equal(search.agent_id, r.agentopsAgentId);
  assert.equal(search.event_type, 'tools');
  const agents = await mock.requests('/v2/create_agent');
  const created = agents.find((a) => a.body.id === r.agentopsAgentId);
  assert.equal(created.body.name, 'researcher');
  assert.ok(created.seq < (await mock.requests('/v2/create_events')).at(-1).seq, 'the agent exists before its events');
});

test('instrumentation never throws into user code: hostile arguments and return values', async () => {
  const cyclic = {};
  cyclic.me = cyclic;
  const hostile = agentops.recordAction('hostile', (a) => ({ a, big: 2n ** 70n }));
  const result = hostile(cyclic);
  assert.equal(result.a, cyclic, 'the very object returned');
  const [event] = await named('hostile');
  assert.deepEqual(event.params, [{ me: '<<circular reference: Object>>' }]);
  assert.equal(event.returns.big, '<<non-serializable: BigInt>>');
});

test('wrappers check their arguments when they are made, not when called', () => {
  const code = { code: 'ERR_AGENTOPS_INVALID_ARGUMENT' };
  assert.throws(() => agentops.recordAction(5, () => 1), code);
  assert.throws(() => agentops.trackAgent('x')(42), code);
  assert.throws(() => agentops.recordTool('t')(42, { kind: 'method' }), code);
});
