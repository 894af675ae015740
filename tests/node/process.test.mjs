// Process life, each case in a child process against the mock backend: a script that
// records and returns exits on its own and delivers; signals end sessions as Fail and keep
// Node's own outcome; uncaught exceptions and rejections; worker threads; forked children.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MockBackend } from './support/mock-backend.mjs';
import { runChild } from './support/child.mjs';

let mock;

before(async () => {
  mock = await MockBackend.start();
});

after(() => mock.stop());

/** A child script: init against the mock, record `count` actions named after `tag`. */
const prelude = (tag, count = 3) => `
  import * as agentops from 'agentops';
  const session = agentops.init({ endpoint: ${JSON.stringify(mock.url)}, maxWaitTime: 60000, defaultTags: [${JSON.stringify(tag)}] });
  for (let i = 0; i < ${count}; i++) agentops.record(new agentops.ActionEvent({ actionType: ${JSON.stringify(tag)} }));
  console.log('SESSION ' + session.id);
`;

const sessionIdOf = (stdout) => /SESSION (\S+)/.exec(stdout)?.[1];

async function endedSession(stdout) {
  const id = sessionIdOf(stdout);
  assert.ok(id, `no session in ${stdout}`);
  const body = (await mock.sessions())[id];
  const delivered = (await mock.events()).by_session[id] ?? [];
  return { body, delivered };
}

test('a script that records and returns exits on its own, delivering and ending the session', async () => {
  const { code, signal, stdout, stderr } = await runChild(prelude('returns', 5)); // bounded by runChild's timeout
  assert.deepEqual([code, signal], [0, null], stderr);
  const { body, delivered } = await endedSession(stdout);
  assert.equal(delivered.length, 5, 'pending events (maxWaitTime 60 s) delivered at exit');
  assert.equal(body.end_state, 'Indeterminate');
  assert.match(body.end_state_reason, /process exited without calling/);
});

test('process.exit() delivers too', async () => {
  const { code, stdout } = await runChild(`${prelude('exit', 2)}\n process.exit(3);`);
  assert.equal(code, 3);
  const { body, delivered } = await endedSession(stdout);
  assert.equal(delivered.length, 2);
  assert.equal(body.end_state, 'Indeterminate');
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} without a listener of the app: the session ends as Fail and the signal ends the process`, async () => {
    const source = `${prelude(signal)}\n setInterval(() => {}, 1000); console.log('READY');`;
    const result = await runChild(source, { onStdout: (line, child) => line === 'READY' && child.kill(signal) });
    assert.deepEqual([result.code, result.signal], [null, signal], result.stderr);
    const { body, delivered } = await endedSession(result.stdout);
    assert.deepEqual([body.end_state, body.end_state_reason], ['Fail', `Signal ${signal} detected`]);
    assert.equal(delivered.length, 3);
  });
}

test('a second SIGTERM while the first one waits on a hung backend ends the process at once', async () => {
  await mock.script('/v2/create_events', [{ hang: 40 }]);
  const source = `${prelude('second-signal')}
    setInterval(() => {}, 1000);
    console.log('READY');`;
  // The second signal goes once the first one's shutdown is stuck on the hung request; without
  // it the shutdown would wait for that request (request and shutdown timeouts 60 s), past
  // runChild's 20 s bound.
  const hung = async () => (await mock.get('/_mock/script'))['/v2/create_events']?.length === 0;
  const running = runChild(source, {
    env: { AGENTOPS_SHUTDOWN_TIMEOUT: '60', AGENTOPS_REQUEST_TIMEOUT: '60' },
    timeoutMs: 20000,
    onStdout: (line, child) => {
      if (line !== 'READY') return;
      child.kill('SIGTERM');
      mock.waitFor(hung, 15000, 'the hung request').then(() => child.kill('SIGTERM'), () => {});
    },
  });
  const result = await running;
  assert.deepEqual([result.code, result.signal], [null, 'SIGTERM'], result.stderr);
  assert.ok(await hung(), 'the hung request was consumed, so no later test meets it');
});

test('SIGTERM with a listener of the app: sessions end as Fail, the app goes on and decides', async () => {
  const source = `${prelude('listener')}
    process.on('SIGTERM', () => console.log('APP GOT SIGTERM'));
    const timer = setInterval(() => {}, 1000);
    console.log('READY');
    setTimeout(async () => { clearInterval(timer); console.log('STILL HERE'); }, 1500);`;
  const result = await runChild(source, { onStdout: (line, child) => line === 'READY' && child.kill('SIGTERM') });
  assert.deepEqual([result.code, result.signal], [0, null], result.stderr);
  assert.match(result.stdout, /APP GOT SIGTERM[\s\S]*STILL HERE/);
  const { body } = await endedSession(result.stdout);
  assert.deepEqual([body.end_state, body.end_state_reason], ['Fail', 'Signal SIGTERM detected']);
});

test('an uncaught exception ends the session as Fail and keeps Node\'s exit code and message', async () => {
  const result = await runChild(`${prelude('uncaught')}\n setTimeout(() => { throw new Error('kaboom'); }, 10);`);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Error: kaboom/);
  const { body, delivered } = await endedSession(result.stdout);
  assert.equal(body.end_state, 'Fail');
  assert.match(body.end_state_reason, /^kaboom: Error: kaboom/);
  assert.equal(delivered.length, 3);
});

test('an unhandled rejection ends the session as Fail and keeps Node\'s behaviour', async () => {
  const result = await runChild(`${prelude('rejection')}\n Promise.reject(new Error('nobody catches me'));`);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /nobody catches me/);
  const { body } = await endedSession(result.stdout);
  assert.equal(body.end_state, 'Fail');
  assert.match(body.end_state_reason, /nobody catches me/);
});

test('worker threads each record into their own session', async () => {
  const source = `
    import { Worker } from 'node:worker_threads';
    const code = ${JSON.stringify(prelude('worker', 4).replace("from 'agentops'", `from ${JSON.stringify(`${process.cwd()}/bindings-node/lib/index.mjs`)}`))};
    const ids = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true, stdout: true });
      let out = '';
      w.stdout.on('data', (d) => (out += d));
      w.on('error', reject);
      w.on('exit', () => resolve(out));
    })));
    console.log(ids.join(''));`;
  const result = await runChild(source);
  assert.equal(result.code, 0, result.stderr);
  const ids = [...result.stdout.matchAll(/SESSION (\S+)/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, 2);
  const events = (await mock.events()).by_session;
  const sessions = await mock.sessions();
  for (const id of ids) {
    assert.equal(events[id]?.length, 4, `worker session ${id}`);
    assert.equal(sessions[id].end_state, 'Indeterminate');
  }
});

test('a child_process.fork child records on its own', async () => {
  const entry = `${process.cwd()}/bindings-node/lib/index.mjs`;
  const childCode = prelude('forked', 2).replace("from 'agentops'", `from ${JSON.stringify(entry)}`);
  const source = `
    import { fork } from 'node:child_process';
    import fs from 'node:fs';
    import os from 'node:os';
    import path from 'node:path';
    ${prelude('parent', 1)}
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-fork-')), 'child.mjs');
    fs.writeFileSync(file, ${JSON.stringify(childCode)});
    const child = fork(file, [], { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout.on('data', (d) => process.stdout.write(String(d).replace('SESSION', 'CHILD')));
    await new Promise((r) => child.on('exit', r));`;
  const result = await runChild(source);
  assert.equal(result.code, 0, result.stderr);
  const parent = sessionIdOf(result.stdout);
  assert.match(result.stdout, /CHILD/, result.stderr);
  const child = /CHILD (\S+)/.exec(result.stdout)?.[1];
  assert.ok(parent && child && parent !== child, result.stdout);
  const events = (await mock.events()).by_session;
  assert.deepEqual([events[parent]?.length, events[child]?.length], [1, 2]);
  assert.equal((await mock.sessions())[child].end_state, 'Indeterminate');
});

test('cluster workers each record on their own', async () => {
  const entry = `${process.cwd()}/bindings-node/lib/index.mjs`;
  // A cluster worker's IPC channel keeps it alive; it ends when it lets go of it.
  const workerCode = `${prelude('cluster', 2).replace("from 'agentops'", `from ${JSON.stringify(entry)}`)}\n process.disconnect();`;
  const source = `
    import cluster from 'node:cluster';
    import fs from 'node:fs';
    import os from 'node:os';
    import path from 'node:path';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-cluster-')), 'worker.mjs');
    fs.writeFileSync(file, ${JSON.stringify(workerCode)});
    cluster.setupPrimary({ exec: file, execArgv: [], silent: true });
    const outputs = await Promise.all([0, 1].map(() => new Promise((resolve) => {
      const worker = cluster.fork();
      let out = '';
      worker.process.stdout.on('data', (d) => (out += d));
      worker.on('exit', () => resolve(out));
    })));
    console.log(outputs.join(''));`;
  const result = await runChild(source);
  assert.equal(result.code, 0, result.stderr);
  const ids = [...result.stdout.matchAll(/SESSION (\S+)/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, 2, result.stdout);
  const events = (await mock.events()).by_session;
  for (const id of ids) assert.equal(events[id]?.length, 2, `cluster worker session ${id}`);
});
