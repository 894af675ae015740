// Runs a Node script in a child process (the SDK's process-level behaviour: exit, signals),
// with the mock backend's URL in its environment; resolves with its exit code, signal,
// stdout and stderr. `onStdout(line, child)` and `onStderr(line, child)` see each line as it comes.
import { spawn } from 'node:child_process';
import { ROOT, API_KEY } from './mock-backend.mjs';

export function runChild(source, { env = {}, timeoutMs = 30000, onStdout, onStderr } = {}) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    cwd: ROOT,
    env: { ...process.env, AGENTOPS_API_KEY: API_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  for (const [name, onLine] of [['stdout', onStdout], ['stderr', onStderr]]) {
    let pending = '';
    child[name].on('data', (chunk) => {
      out[name] += chunk;
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        onLine?.(line, child);
      }
    });
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${timeoutMs} ms; stderr: ${out.stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.stdout, stderr: out.stderr, ms: Date.now() - started });
    });
  });
}
