// openai calls recorded as LLMEvents: the real `openai` package (its ESM and its CommonJS
// build) against the mock LLM API. The caller keeps the client's APIPromise and Stream;
// every field, errors, abandoned streams and the helpers are checked at the mock backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as openaiEsm from 'openai';
import { Stream } from 'openai/streaming';
import * as agentops from 'agentops';
import { MockBackend, API_KEY } from './support/mock-backend.mjs';
import { MockLLM } from './support/mock-llm.mjs';

const openaiCjs = createRequire(import.meta.url)('openai');
const MESSAGES = [{ role: 'user', content: 'Say hello' }];
const originalCreate = openaiEsm.OpenAI.Chat.Completions.prototype.create;
let mock;
let llm;
let alone;

const client = (build = openaiEsm) => new build.OpenAI({ baseURL: `${llm.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
const create = (c, body = {}) => c.chat.completions.create({ model: 'gpt-node', messages: MESSAGES, ...body });
const withoutTime = (value) => ({ ...JSON.parse(JSON.stringify(value)), created: 0 });

async function llmEvents(n, kind = 'llms') {
  await agentops.flush(10000);
  const events = await mock.waitFor(async () => {
    const all = Object.values((await mock.events()).by_session).flat();
    const found = all.filter((e) => e.event_type === kind);
    return found.length >= n ? found : null;
  }, 15000, `${n} ${kind} events`);
  return events;
}

before(async () => {
  mock = await MockBackend.start({});
  llm = await MockLLM.start();
  alone = withoutTime(await create(client())); // before init: the client alone
  agentops.init({ apiKey: API_KEY, endpoint: mock.url, maxWaitTime: 50 });
  await mock.waitFor(() => openaiEsm.OpenAI.Chat.Completions.prototype.create !== originalCreate, 5000, 'the ESM build instrumented');
});

after(async () => {
  await agentops.shutdown(5000);
  await mock.stop();
  await llm.stop();
});

test('both builds are instrumented, and a call returns the APIPromise with every field recorded', async () => {
  const promise = create(client());
  assert.ok(promise instanceof openaiEsm.APIPromise);
  const { data, response } = await promise.withResponse();
  assert.equal(response.status, 200);
  assert.deepEqual(withoutTime(data), alone, 'the caller gets what the client alone gives');
  await create(client(openaiCjs), { model: 'gpt-cjs' });
  const [esm, cjs] = await llmEvents(2);
  assert.equal(esm.model, 'gpt-node-2026');
  assert.deepEqual(esm.prompt, MESSAGES);
  assert.equal(esm.completion.content, 'Hello from gpt-node!');
  assert.deepEqual([esm.prompt_tokens, esm.completion_tokens], [11, 7]);
  assert.deepEqual(esm.params, { model: 'gpt-node', messages: MESSAGES });
  assert.equal(esm.returns.id, 'chatcmpl-mock');
  assert.ok(esm.init_timestamp <= esm.end_timestamp);
  assert.equal(cjs.model, 'gpt-cjs-2026');
  const [first, second] = (await llm.requests()).slice(-3, -1).map((r) => r.body);
  assert.deepEqual(first, second, 'the request is sent as written');
});

test('toReadableStream() of an instrumented stream gives every chunk', async () => {
  const stream = await create(client(), { model: 'gpt-readable', stream: true });
  const reader = stream.toReadableStream().getReader();
  let lines = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) lines += 1;
  assert.equal(lines, 5);
  const events = await llmEvents(3);
  assert.equal(events.find((e) => e.params.model === 'gpt-readable').completion.content, 'Hello from gpt-readable!');
});

test('a stream stays the client Stream (tee, controller) and records the assembled answer', async () => {
  const stream = await create(client(), { model: 'gpt-stream', stream: true, stream_options: { include_usage: true } });
  assert.ok(stream instanceof Stream && stream.controller instanceof AbortController);
  const [left, right] = stream.tee();
  const chunks = [];
  for await (const chunk of left) chunks.push(chunk);
  let copies = 0;
  for await (const _ of right) copies += 1;
  assert.equal(chunks.length, 6);
  assert.equal(copies, 6);
  const events = await llmEvents(4);
  const streamed = events.find((e) => e.params.model === 'gpt-stream');
  assert.deepEqual(streamed.completion, { role: 'assistant', content: 'Hello from gpt-stream!' });
  assert.deepEqual([streamed.prompt_tokens, streamed.completion_tokens], [11, 7]);
  assert.ok(streamed.init_timestamp < streamed.end_timestamp);
  assert.equal((await llm.requests()).at(-1).body.stream_options.include_usage, true);
});

test('tool calls are assembled; the stream() helper and parse() record one event each', async () => {
  const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];
  const runner = client().chat.completions.stream({ model: 'tool-node', messages: MESSAGES, tools });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.tool_calls[0].function.arguments, '{"city": "Paris", "days": 3}');
  const parsed = await client().chat.completions.parse({
    model: 'gpt-parse',
    messages: MESSAGES,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
  });
  assert.deepEqual(parsed.choices[0].message.parsed, { answer: 'Hello from gpt-parse!' });
  const events = await llmEvents(6);
  const tool = events.filter((e) => e.params.model === 'tool-node');
  assert.equal(tool.length, 1, 'one event for the helper');
  assert.deepEqual(tool[0].completion.tool_calls, [
    { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city": "Paris", "days": 3}' } },
  ]);
  assert.equal(events.filter((e) => e.params.model === 'gpt-parse').length, 1);
});

test('an HTTP error records a linked error event and rejects with the client error', async () => {
  await assert.rejects(create(client(), { model: 'http-400' }), openaiEsm.BadRequestError);
  const failed = (await llmEvents(7)).find((e) => e.params.model === 'http-400');
  const [error] = await llmEvents(1, 'errors');
  assert.equal(error.trigger_event_id, failed.id);
  assert.equal(error.error_type, 'BadRequestError');
});

test('an error mid-stream records the partial answer; a stream left early records once', async () => {
  const broken = await create(client(), { model: 'fail-mid-stream', stream: true });
  await assert.rejects(async () => {
    for await (const _ of broken);
  }, openaiEsm.APIError);
  const left = await create(client(), { model: 'gpt-break', stream: true });
  for await (const _ of left) break;
  const events = await llmEvents(9);
  const partial = events.find((e) => e.params.model === 'fail-mid-stream');
  assert.ok('Hello from fail-mid-stream!'.startsWith(partial.completion.content) && partial.completion.content.length > 0);
  const errors = await llmEvents(2, 'errors');
  assert.equal(errors[1].trigger_event_id, partial.id);
  assert.equal(events.filter((e) => e.params.model === 'gpt-break').length, 1);
});

test('a call made in a tracked agent\'s recorded method carries the agent id', async () => {
  class Planner {
    async plan() {
      return create(client(), { model: 'gpt-agent' });
    }
  }
  Planner.prototype.plan = agentops.recordAction('plan', Planner.prototype.plan);
  const planner = new (agentops.trackAgent('planner')(Planner))();
  await planner.plan();
  const event = (await llmEvents(10)).find((e) => e.params.model === 'gpt-agent');
  assert.equal(event.agent_id, planner.agentopsAgentId);
});

test('a call read only with asResponse() is recorded from a copy of the body, which the caller still reads', async () => {
  const raw = await create(client(), { model: 'gpt-raw' }).asResponse();
  assert.equal((await raw.json()).model, 'gpt-raw-2026', 'the caller reads an unread body');
  const streamed = await create(client(), { model: 'gpt-raw-stream', stream: true }).asResponse();
  assert.match(await streamed.text(), /^data: .*Hello/m);
  const events = await llmEvents(12);
  const plain = events.filter((e) => e.params.model === 'gpt-raw');
  assert.equal(plain.length, 1);
  assert.equal(plain[0].completion.content, 'Hello from gpt-raw!');
  assert.deepEqual([plain[0].model, plain[0].prompt_tokens, plain[0].completion_tokens], ['gpt-raw-2026', 11, 7]);
  assert.equal(plain[0].returns.id, 'chatcmpl-mock');
  const stream = events.find((e) => e.params.model === 'gpt-raw-stream');
  assert.deepEqual([stream.prompt, stream.completion], [MESSAGES, undefined], 'a raw stream: the request only');
});

test('stopInstrumenting puts back the original create of every build', async () => {
  const cjsCreate = openaiCjs.OpenAI.Chat.Completions.prototype.create;
  assert.notEqual(cjsCreate, originalCreate);
  agentops.stopInstrumenting();
  agentops.stopInstrumenting();
  assert.equal(openaiEsm.OpenAI.Chat.Completions.prototype.create, originalCreate);
  assert.equal(agentops.instrumentOpenAI(openaiEsm), true, 'the manual fallback');
  assert.notEqual(openaiEsm.OpenAI.Chat.Completions.prototype.create, originalCreate);
  agentops.stopInstrumenting();
});
