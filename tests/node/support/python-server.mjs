// Starts one of the tests' Python loopback servers (tests/mock_backend, tests/mock_llm):
// each prints `PORT <n>` first and stops by itself when this process is gone.
import { spawn } from 'node:child_process';

const PYTHON = process.env.PYTHON ?? 'python3';

/** Spawns `script` with `args`; resolves to [process, port] once it listens. */
export async function startPythonServer(script, args, what) {
  const proc = spawn(PYTHON, [script, '--port', '0', '--max-seconds', '600', '--parent-pid', String(process.pid), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 15 s`)), 15000);
    proc.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /^PORT (\d+)/m.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  });
  return [proc, port];
}
