// The TypeScript 5 decorators for real: tests/node/programs/decorated.mts is compiled by
// tsc (standard decorators, no experimentalDecorators) and run against the mock backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MockBackend, ROOT } from './support/mock-backend.mjs';
import { runChild } from './support/child.mjs';

let mock;
const OUT = path.join(ROOT, 'target/node-ts');

before(async () => {
  mock = await MockBackend.start();
  fs.rmSync(OUT, { recursive: true, force: true });
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tests/node/programs')], { stdio: 'inherit' });
});

after(() => mock.stop());

test('@trackAgent, @recordAction and @recordTool record what the methods did', async () => {
  const program = fs.readFileSync(path.join(OUT, 'decorated.mjs'), 'utf8');
  const { code, stdout, stderr } = await runChild(program.replace(/^\/\/# sourceMappingURL.*$/m, ''), { env: { AGENTOPS_API_ENDPOINT: mock.url } });
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.deepEqual([out.thought, out.found, out.caught], ['rust/2', ['q', 'rust'], 'RangeError: no']);
  const events = (await mock.events()).by_session[out.session];
  const think = events.find((e) => e.action_type === 'think');
  const search = events.find((e) => e.name === 'search');
  const fail = events.find((e) => e.action_type === 'fail');
  const error = events.find((e) => e.event_type === 'errors');
  assert.deepEqual([think.params, think.returns, think.agent_id], [[2], 'rust/2', out.agent]);
  assert.deepEqual([search.event_type, search.returns, search.agent_id], ['tools', ['q', 'rust'], out.agent]);
  assert.deepEqual([error.trigger_event_id, error.error_type, error.agent_id], [fail.id, 'RangeError', out.agent]);
  const agent = (await mock.requests('/v2/create_agent')).find((a) => a.body.id === out.agent);
  assert.equal(agent.body.name, 'researcher');
});
