// The mock AgentOps backend (tests/mock_backend/mock_backend.py, a real loopback HTTP
// server) started from Node tests, with helpers for its control API.
import { startPythonServer } from './python-server.mjs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = path.join(ROOT, 'tests/mock_backend/mock_backend.py');
export const API_KEY = '2b4f6c1e-8a9d-4e3f-b5c7-1d2e3f4a5b6c';

export class MockBackend {
  static async start({ tokenCost } = {}) {
    const args = tokenCost === undefined ? [] : ['--token-cost', String(tokenCost)];
    const [proc, port] = await startPythonServer(SERVER, args, 'mock backend');
    return new MockBackend(proc, port);
  }

  constructor(proc, port) {
    this.proc = proc;
    this.url = `http://127.0.0.1:${port}`;
  }

  async get(route) {
    const res = await fetch(`${this.url}${route}`);
    return res.json();
  }

  async post(route, body = {}) {
    const res = await fetch(`${this.url}${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return res.json();
  }

  reset() {
    return this.post('/_mock/reset');
  }

  /** {accepted, unique_ids, duplicates, by_session: {session_id: [events]}} */
  events() {
    return this.get('/_mock/events');
  }

  /** {session_id: latest session body} */
  sessions() {
    return this.get('/_mock/sessions');
  }

  async requests(route) {
    const query = route ? `?path=${encodeURIComponent(route)}` : '';
    return (await this.get(`/_mock/requests${query}`)).requests;
  }

  script(route, faults) {
    return this.post('/_mock/script', { route, faults });
  }

  /** Polls `check` (async) until it returns a truthy value; throws after `timeoutMs`. */
  async waitFor(check, timeoutMs = 15000, what = 'condition') {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop() {
    if (this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await once(this.proc, 'exit');
    }
  }
}

export { ROOT };
