// The OTLP exporter chosen through the options object (camelCase keys of the core's option
// table): no API key, headers and resource attributes as objects, spans of one trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as agentops from 'agentops';
import { MockBackend } from './support/mock-backend.mjs';

let mock;

before(async () => {
  mock = await MockBackend.start({});
});

after(async () => {
  await agentops.shutdown(5000);
  await mock.stop();
});

const attribute = (node, key) => node.attributes.find((a) => a.key === key)?.value;

test('init({ exporter: "otlp" }) sends the session as one trace with the given headers', async () => {
  const session = agentops.init({
    exporter: 'otlp',
    otlpEndpoint: mock.url,
    otlpHeaders: { 'x-tenant': 'acme' },
    otlpCompression: 'gzip',
    serviceName: 'node-agent',
    resourceAttributes: { 'deployment.environment': 'test' },
    maxWaitTime: 50,
  });
  assert.ok(session instanceof agentops.Session, 'no API key is needed');
  agentops.record(new agentops.ToolEvent({ name: 'search', params: { q: 'x' } }));
  assert.equal(await agentops.endSession('Success'), null);

  const requests = (await mock.requests('/v1/traces')).filter((r) => r.status === 200);
  assert.ok(requests.length >= 1);
  for (const r of requests) {
    assert.equal(r.headers['x-tenant'], 'acme');
    assert.equal(r.headers['content-encoding'], 'gzip');
  }
  const resource = requests[0].body.resourceSpans[0].resource;
  assert.deepEqual(attribute(resource, 'service.name'), { stringValue: 'node-agent' });
  assert.deepEqual(attribute(resource, 'telemetry.sdk.language'), { stringValue: 'nodejs' });
  assert.deepEqual(attribute(resource, 'deployment.environment'), { stringValue: 'test' });
  const spans = (await mock.events()).by_session[session.id];
  assert.deepEqual(spans.map((s) => s.name), ['execute_tool search', 'invoke_agent']);
  assert.ok(spans.every((s) => s.traceId === session.id.replaceAll('-', '')));
});
