// The mock LLM API (tests/mock_llm/mock_llm.py: OpenAI Chat Completions and Anthropic
// Messages on a loopback port) started from Node tests, with its request log.
import { startPythonServer } from './python-server.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = path.join(ROOT, 'tests/mock_llm/mock_llm.py');

export class MockLLM {
  static async start() {
    const [proc, port] = await startPythonServer(SERVER, [], 'mock LLM API');
    return new MockLLM(proc, port);
  }

  constructor(proc, port) {
    this.proc = proc;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Every API request so far: { path, headers, body }. */
  async requests() {
    return (await (await fetch(`${this.url}/_mock/requests`)).json()).requests;
  }

  async stop() {
    this.proc.kill();
  }
}
