// The mock LLM API (tests/mock_llm/mock_llm.py: OpenAI Chat Completions and Anthropic
// Messages on a loopback port) started from Node tests, with its request log.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = path.join(ROOT, 'tests/mock_llm/mock_llm.py');
const PYTHON = process.env.PYTHON ?? 'python3';

export class MockLLM {
  static async start() {
    const proc = spawn(PYTHON, [SERVER, '--port', '0', '--max-seconds', '600', '--parent-pid', String(process.pid)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('mock LLM API did not start in 15 s')), 15000);
      proc.stdout.on('data', (chunk) => {
        text += chunk;
        const match = /^PORT (\d+)/m.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      proc.once('exit', (code) => reject(new Error(`mock LLM API exited (${code})`)));
    });
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
