'use strict';
// How the process's end ends its sessions, keeping Node's own behaviour:
// - `exit` (the loop ran dry, `process.exit()`, an uncaught exception): open sessions end
//   as Indeterminate with agentops 0.3's reason; pending events are delivered within
//   `shutdownTimeout` (the wait blocks the exiting thread, which nothing else needs now).
// - SIGINT / SIGTERM (main thread): sessions end as Fail ("Signal SIGTERM detected"),
//   waiting off the JS thread. Then, if the application listens to the signal itself, it
//   goes on; otherwise the signal's default action ends the process (its exit status shows
//   the signal), never a forced `process.exit(0)`. A second signal meanwhile ends it at once.
// - An uncaught exception or unhandled rejection that will end the process: sessions end
//   as Fail (observed with `uncaughtExceptionMonitor`, which changes nothing of Node's
//   handling); the `exit` hook then delivers.
// None of these keeps the event loop alive: only listeners are added.

const { isMainThread } = require('node:worker_threads');
const log = require('./log.js');

const SIGNALS = ['SIGINT', 'SIGTERM'];
let clientOf = () => null;
let installed = false;
const endingOn = new Set();

function running() {
  const client = clientOf();
  return client !== null && !client.isShutDown ? client : null;
}

function onExit() {
  const client = running();
  if (client === null) return;
  try {
    const report = client.shutdownSync();
    if (!report.completed) {
      log.warn(`exit: ${report.left} event(s) could not be delivered within shutdownTimeout=${client.shutdownTimeoutMs} ms`);
    }
  } catch (err) {
    log.debug(`exit: ${err?.message ?? err}`);
  }
}

function dieOf(signal) {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

function onSignal(signal) {
  if (endingOn.has(signal)) return dieOf(signal); // a second one: stop waiting
  const othersListen = process.listenerCount(signal) > 1;
  const client = running();
  if (client === null) {
    if (!othersListen) dieOf(signal);
    return;
  }
  log.info(`${signal} detected. Ending session...`);
  const reason = `Signal ${signal} detected`;
  endingOn.add(signal);
  const ended = othersListen
    ? client.autoEndSessions('Fail', reason)
    : client.shutdown(undefined, 'Fail', reason);
  ended
    .catch((err) => log.debug(`signal: ${err?.message ?? err}`))
    .finally(() => {
      endingOn.delete(signal);
      if (!othersListen) dieOf(signal);
    });
}

function onUncaught(err, origin) {
  const handled = process.listenerCount(origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException') > 0;
  const client = running();
  if (handled || client === null) return;
  try {
    const reason = `${err?.message ?? String(err)}: ${err?.stack ?? ''}`;
    client.autoEndSessionsSync('Fail', reason);
  } catch (e) {
    log.debug(`uncaught exception: ${e?.message ?? e}`);
  }
}

/** Installs the hooks once per realm; `getClient` gives the current native client. */
function install(getClient) {
  clientOf = getClient;
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('uncaughtExceptionMonitor', onUncaught);
  if (isMainThread) for (const signal of SIGNALS) process.on(signal, onSignal);
}

module.exports = { install };
