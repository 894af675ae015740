// The module API against the mock backend: init, sessions, every event class on the wire,
// agents, tags, flush/shutdown/stats, the shared CommonJS/ESM state, bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as agentops from 'agentops';
import { MockBackend, API_KEY } from './support/mock-backend.mjs';

const require = createRequire(import.meta.url);
let mock;
let session;

const eventsOf = async (sessionId) => (await mock.events()).by_session[sessionId] ?? [];
const flushed = async () => assert.equal(await agentops.flush(10000), true);

before(async () => {
  mock = await MockBackend.start({ tokenCost: 5 });
  session = agentops.init({ apiKey: API_KEY, endpoint: mock.url, maxWaitTime: 50, defaultTags: ['node'] });
});

after(async () => {
  await agentops.shutdown(5000);
  await mock.stop();
});

test('init starts a session that the backend knows, with the default tags', async () => {
  assert.ok(session instanceof agentops.Session);
  assert.match(session.id, /^[0-9a-f-]{36}$/);
  assert.equal(session.isRunning, true);
  const created = await mock.requests('/v2/create_session');
  assert.equal(created.length, 1);
  assert.equal(created[0].body.session.session_id, session.id);
  assert.deepEqual(created[0].body.session.tags, ['node']);
  assert.equal(created[0].headers['x-agentops-api-key'], API_KEY);
});

test('a second init warns and returns null; require and import share the one client', () => {
  assert.equal(agentops.init({ apiKey: API_KEY }), null);
  const cjs = require('agentops');
  assert.equal(cjs.getSession(session.id), session);
  assert.equal(cjs.init, agentops.init);
});

test('every event class arrives with its wire fields', async () => {
  const action = new agentops.ActionEvent({ actionType: 'search', params: { q: 'rust' }, returns: ['a', 1], logs: 'l', screenshot: 's.png', tags: ['t1'] });
  const llm = new agentops.LLMEvent({ prompt: [{ role: 'user', content: 'hi' }], completion: { role: 'assistant', content: 'yo' }, model: 'gpt-4o', promptTokens: 3, completionTokens: 4, cost: 0.5 });
  const tool = new agentops.ToolEvent({ name: 'grep', params: { p: 1 }, returns: 'found', logs: ['x'] });
  const generic = new agentops.Event('custom', { model: 'm1', prompt: 'p', result: 'Success', tags: ['g'] });
  const start = new Date('2026-01-02T03:04:05.678Z');
  const timed = new agentops.ActionEvent({ actionType: 'timed', initTimestamp: start, endTimestamp: '2026-01-02T03:04:06Z' });
  for (const e of [action, llm, tool, generic, timed]) agentops.record(e);
  await flushed();
  const byId = Object.fromEntries((await eventsOf(session.id)).map((e) => [e.id, e]));
  const a = byId[action.id];
  assert.deepEqual([a.event_type, a.action_type, a.params, a.returns, a.logs, a.screenshot, a.tags], ['actions', 'search', { q: 'rust' }, ['a', 1], 'l', 's.png', ['t1']]);
  assert.match(a.init_timestamp, /\+00:00$/);
  assert.ok(a.end_timestamp >= a.init_timestamp);
  const l = byId[llm.id];
  assert.deepEqual([l.event_type, l.model, l.prompt_tokens, l.completion_tokens, l.cost], ['llms', 'gpt-4o', 3, 4, 0.5]);
  assert.deepEqual(l.completion, { role: 'assistant', content: 'yo' });
  const t = byId[tool.id];
  assert.deepEqual([t.event_type, t.name, t.returns, t.logs], ['tools', 'grep', 'found', ['x']]);
  const g = byId[generic.id];
  assert.deepEqual([g.event_type, g.action_type, g.model, g.result, g.tags], ['custom', 'llm', 'm1', 'Success', ['g']]);
  assert.equal(byId[timed.id].init_timestamp, '2026-01-02T03:04:05.678000+00:00');
  assert.equal(byId[timed.id].end_timestamp, '2026-01-02T03:04:06.000000+00:00');
  assert.equal(timed.initTimestamp, '2026-01-02T03:04:05.678Z');
});

test('an event ends when record() is called, though the core decodes it later off the JS thread', async () => {
  const event = new agentops.ActionEvent({ actionType: 'later', initTimestamp: new Date(Date.now() - 3_600_000) });
  const before = Date.now();
  agentops.record(event);
  const after = Date.now();
  await flushed();
  const recorded = (await eventsOf(session.id)).find((e) => e.id === event.id);
  const end = Date.parse(recorded.end_timestamp);
  assert.ok(end >= before - 1 && end <= after + 1, `${recorded.end_timestamp} not within [${before}, ${after}]`);
});

test('an error event records its unrecorded trigger first, once, and links to it', async () => {
  const trigger = new agentops.ActionEvent({ actionType: 'risky' });
  const error = new agentops.ErrorEvent({ triggerEvent: trigger, exception: new RangeError('too far'), code: 'E42' });
  agentops.record(error);
  agentops.record(new agentops.ErrorEvent({ triggerEvent: trigger, errorType: 'Again', details: { why: 'x' } }));
  await flushed();
  const events = await eventsOf(session.id);
  assert.equal(events.filter((e) => e.id === trigger.id).length, 1);
  const errors = events.filter((e) => e.trigger_event_id === trigger.id);
  assert.equal(errors.length, 2);
  const first = errors.find((e) => e.id === error.id);
  assert.deepEqual([first.error_type, first.details, first.code, first.trigger_event_type], ['RangeError', 'too far', 'E42', 'actions']);
  assert.match(first.logs, /RangeError: too far/);
  assert.ok(events.indexOf(first) > events.findIndex((e) => e.id === trigger.id));
  assert.equal(errors.find((e) => e.id !== error.id).details, '{"why":"x"}');
});

test('values JSON cannot carry become the core placeholders; nothing throws', async () => {
  const cyclic = { name: 'c' };
  cyclic.self = cyclic;
  const e = new agentops.ActionEvent({ actionType: 'hostile', params: { cyclic, big: 10n, f() {} }, returns: () => 1, logs: Symbol('s') });
  agentops.record(e);
  await flushed();
  const got = (await eventsOf(session.id)).find((x) => x.id === e.id);
  assert.deepEqual(got.params, { cyclic: { name: 'c', self: '<<circular reference: Object>>' }, big: '<<non-serializable: BigInt>>' });
  assert.equal(got.returns, '<<non-serializable: Function>>');
  assert.equal(got.logs, '<<non-serializable: Symbol>>');
  const throwing = { toJSON() { throw new Error('nope'); } };
  assert.equal(agentops.toJson({ a: throwing }), '{"a":"<<serialization-error: nope>>"}');
  let deep = {};
  const root = deep;
  for (let i = 0; i < 100; i++) deep = deep.d = {};
  deep.big = 1n;
  assert.match(agentops.toJson(root), /nested too deeply/);
});

test('tags, agents and getSession', async () => {
  agentops.addTags(['extra']);
  await mock.waitFor(async () => (await mock.sessions())[session.id]?.tags?.includes('extra'), 10000, 'tag update');
  agentops.setTags(['only']);
  await mock.waitFor(async () => String((await mock.sessions())[session.id]?.tags) === 'only', 10000, 'set tags');
  assert.deepEqual(session.tags, ['only']);
  const agentId = agentops.createAgent('planner');
  assert.match(agentId, /^[0-9a-f-]{36}$/);
  await mock.waitFor(async () => (await mock.requests('/v2/create_agent')).some((r) => r.body.id === agentId && r.body.name === 'planner'), 10000, 'agent');
  assert.equal(agentops.getSession('not-a-uuid'), null);
  assert.equal(agentops.getSession('00000000-0000-4000-8000-000000000000'), null);
});

test('wrong argument types throw a TypeError with a stable code', () => {
  const code = { code: 'ERR_AGENTOPS_INVALID_ARGUMENT' };
  assert.throws(() => agentops.record({ eventType: 'actions' }), code);
  assert.throws(() => agentops.record(), code);
  assert.throws(() => agentops.createAgent(42), code);
  assert.throws(() => agentops.recordAction('x', 'not a function'), code);
  assert.throws(() => agentops.endSession(7), code);
  assert.throws(() => agentops.flush(-1), code);
  assert.throws(() => new agentops.ActionEvent('search'), code);
  assert.throws(() => session.createAgent('a', 'not-a-uuid'), code);
});

test('several sessions: each batch carries only its own events and its own JWT', async () => {
  const other = agentops.startSession({ tags: ['second'] });
  assert.ok(other);
  for (let i = 0; i < 50; i++) {
    session.record(new agentops.ActionEvent({ actionType: `first-${i}` }));
    other.record(new agentops.ActionEvent({ actionType: `second-${i}` }));
  }
  // With two open, the module-level record cannot choose: it warns and records nothing.
  agentops.record(new agentops.ActionEvent({ actionType: 'ambiguous' }));
  await flushed();
  for (const r of await mock.requests('/v2/create_events')) {
    const sessions = new Set(r.body.events.map((e) => e.session_id));
    assert.equal(sessions.size, 1, 'one session per batch');
    assert.deepEqual([...sessions], [r.session_id], 'the batch is sent with its session JWT');
  }
  const names = (await eventsOf(other.id)).map((e) => e.action_type);
  assert.equal(names.length, 50);
  assert.ok(names.every((n) => n.startsWith('second-')));
  assert.ok(!(await eventsOf(session.id)).some((e) => e.action_type === 'ambiguous' || e.action_type?.startsWith('second-')));
  assert.equal(await other.endSession('Fail', 'second done'), 5);
  const ended = (await mock.sessions())[other.id];
  assert.deepEqual([ended.end_state, ended.end_state_reason], ['Fail', 'second done']);
  assert.equal(other.isRunning, false);
  assert.equal(await other.endSession('Success'), null, 'ending twice gives null');
});

test('an invalid end state warns, leaves the session open and resolves null', async () => {
  assert.equal(await session.endSession('Done'), null);
  assert.equal(session.isRunning, true);
});

test('endSession resolves the token cost; stats count what was delivered', async () => {
  const stats = agentops.stats();
  assert.ok(stats.delivered > 0);
  assert.equal(stats.droppedTotal, 0);
  assert.equal(typeof stats.dropped.queue_full, 'number');
  assert.equal(await agentops.endSession('Success', 'all good'), 5);
  const body = (await mock.sessions())[session.id];
  assert.deepEqual([body.end_state, body.end_state_reason], ['Success', 'all good']);
  assert.equal(await agentops.endSession('Success'), null, 'no session left: null');
  assert.equal(await agentops.endAllSessions(), 0);
});

test('a bad option or a refused session gives null, never a throw', async () => {
  const { runChild } = await import('./support/child.mjs');
  const source = `
    import * as agentops from 'agentops';
    console.log(JSON.stringify([
      agentops.init({ maxWaitTime: 'soon' }),
      agentops.init({ noSuchOption: 1 }),
      agentops.init('nope'),
    ]));`;
  const { code, stdout, stderr } = await runChild(source);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), '[null,null,null]');
  assert.match(stderr, /Could not initialize AgentOps client - .*max_wait_time/);
  assert.match(stderr, /unknown option "noSuchOption"/);
  // A refusal the core does not retry, so the answer comes whatever the machine's load.
  await mock.script('/v2/create_session', [{ status: 401 }]);
  const refused = await runChild(`
    import * as agentops from 'agentops';
    console.log(String(agentops.init({ endpoint: ${JSON.stringify(mock.url)} })));`);
  assert.equal(refused.code, 0, refused.stderr);
  assert.equal(refused.stdout.trim(), 'null');
  await mock.post('/_mock/reset');
});

test('configure before init, endAllSessions, shutdown report, recording after shutdown', async () => {
  const { runChild } = await import('./support/child.mjs');
  const source = `
    import * as agentops from 'agentops';
    agentops.configure({ endpoint: ${JSON.stringify(mock.url)}, defaultTags: ['configured'] });
    const first = agentops.init({ maxWaitTime: 50 });
    const second = agentops.startSession({ tags: ['two'] });
    first.record(new agentops.ToolEvent({ name: 'a' }));
    second.record(new agentops.ToolEvent({ name: 'b' }));
    const ended = await agentops.endAllSessions('Success', 'batch end');
    const report = await agentops.shutdown(5000);
    agentops.startSession();
    agentops.record(new agentops.ActionEvent({ actionType: 'late' }));
    const late = agentops.stats();
    console.log(JSON.stringify({ ids: [first.id, second.id], tags: second.tags, ended, report, running: first.isRunning, afterShutdown: late.dropped.after_shutdown }));
  `;
  const { code, stdout, stderr } = await runChild(source);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.equal(out.ended, 2);
  assert.deepEqual(out.tags, ['configured', 'two']);
  assert.deepEqual([out.report.completed, out.report.left, out.report.stats.delivered >= 2], [true, 0, true]);
  assert.equal(out.running, false);
  assert.equal(out.afterShutdown, 1, 'recorded after the shutdown: counted');
  assert.match(stderr, /Could not start session/);
  const sessions = await mock.sessions();
  for (const id of out.ids) assert.deepEqual([sessions[id].end_state, sessions[id].end_state_reason], ['Success', 'batch end']);
});
