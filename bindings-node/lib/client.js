'use strict';
// The module functions of the SDK (agentops 0.3's, in camelCase) over one native client
// per JavaScript realm: the main thread and each worker thread have their own. CommonJS
// and ESM entry points both use this module, so an app that mixes them records once.
// Like 0.3, setup problems are logged and give `null`; they never throw.

const { randomUUID } = require('node:crypto');
const native = require('../native.js');
const log = require('./log.js');
const hooks = require('./process-hooks.js');
const { recordInto } = require('./record.js');
const { wrap } = require('./session.js');
const { INVALID_ARGUMENT, invalidArgument, expectString, optionalString, tagList, describe } = require('./errors.js');

const state = {
  /** @type {import('../native').NativeClient | null} */
  client: null,
  /** Options given to `configure` before `init`. */
  pending: {},
  /** Agents created before `init`: [name, id]. */
  agents: [],
};

function optionsArg(options, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(`${what} expects an options object, got ${describe(options)}`);
  }
  return options;
}

/**
 * Starts the SDK with `options` (the core's option table in camelCase, over the
 * AGENTOPS_* environment) and, unless `autoStartSession: false`, a session, which it
 * returns. `null` (with one logged error) when it cannot start.
 */
function init(options) {
  try {
    if (state.client !== null) {
      log.warn('AgentOps has already been initialized. If you are trying to start a session, call agentops.startSession() instead.');
      return null;
    }
    const { tags, inheritedSessionId, ...table } = optionsArg(options, 'init()');
    if (tags !== undefined) {
      log.warn("The 'tags' option is deprecated. Use 'defaultTags' instead");
      table.defaultTags ??= tagList(tags, 'tags');
    }
    const client = new native.NativeClient(JSON.stringify({ ...state.pending, ...table }));
    state.client = client;
    state.pending = {};
    hooks.install(() => state.client);
    if (client.instrumentLlmCalls) require('./llms/index.js').instrumentInstalled();
    for (const [name, id] of state.agents.splice(0)) client.createAgent(name, id);
    if (inheritedSessionId !== undefined && inheritedSessionId !== null) {
      if (table.autoStartSession === false) {
        log.warn('autoStartSession is set to false - inheritedSessionId will not be used to automatically start a session');
        return null;
      }
      return startSession({ inheritedSessionId });
    }
    return client.autoStartSession ? startSession() : null;
  } catch (err) {
    log.error(`Could not initialize AgentOps client - ${err?.message ?? err}`);
    return null;
  }
}

/** Sets options: before `init`, for it; after, for the next sessions (none may be open). */
function configure(options) {
  try {
    const values = optionsArg(options, 'configure()');
    if (state.client === null) {
      Object.assign(state.pending, values);
    } else if (state.client.sessionCount > 0) {
      log.warn('Cannot configure while session is active. Please end all sessions first.');
    } else {
      state.client.reconfigure(JSON.stringify(values));
    }
  } catch (err) {
    log.warn(`configure(): ${err?.message ?? err} (ignored)`);
  }
}

/** Starts a session (tags: the default tags and these); `null` with a logged reason. */
function startSession(options) {
  const client = state.client;
  if (client === null) {
    log.warn('AgentOps has not been initialized yet. Please call agentops.init() before starting a session');
    return null;
  }
  try {
    const { tags, inheritedSessionId } = optionsArg(options, 'startSession()');
    const session = wrap(client.startSession(tagList(tags), optionalString(inheritedSessionId, 'inheritedSessionId')));
    log.info(session._native.replayLine);
    return session;
  } catch (err) {
    if (err?.code === INVALID_ARGUMENT) log.warn(`Failed to start session - ${err.message}`);
    else log.error(`Could not start session - ${err?.message ?? err}`);
    return null;
  }
}

/** The only open session, else `null` after a warning saying why `action` was not done. */
function onlySession(action) {
  if (state.client === null) {
    log.warn(`Could not ${action} - AgentOps has not been initialized`);
    return null;
  }
  try {
    return wrap(state.client.onlySession());
  } catch (err) {
    log.warn(`Could not ${action} - ${err.message}`);
    return null;
  }
}

/** Ends the only open session; resolves to its token cost, or null. */
function endSession(endState = 'Indeterminate', endStateReason) {
  expectString(endState, 'endState');
  const session = onlySession('end session');
  return session === null ? Promise.resolve(null) : session.endSession(endState, endStateReason);
}

/** Records an event into the only open session (never blocks). */
function record(event) {
  if (state.client === null) {
    recordInto(NOT_INITIALIZED, event);
    return;
  }
  recordInto(state.client, event);
}

// Checks the event like a real target, then says why nothing was recorded.
const warnNotInitialized = () => log.warn('Could not record event - AgentOps has not been initialized');
const NOT_INITIALIZED = { record: warnNotInitialized, recordError: warnNotInitialized };

function addTags(tags) {
  onlySession('add tags')?.addTags(tags);
}

function setTags(tags) {
  onlySession('set tags')?.setTags(tags);
}

/** Registers an agent with the only open session (else the next one); returns its id. */
function createAgent(name, agentId) {
  expectString(name, 'name');
  optionalString(agentId, 'agentId');
  if (state.client === null) {
    const id = agentId ?? randomUUID();
    state.agents.push([name, id]);
    return id;
  }
  return state.client.createAgent(name, agentId);
}

/** The open session with this id, or null. */
function getSession(sessionId) {
  if (state.client === null || sessionId === undefined || sessionId === null) return null;
  return wrap(state.client.getSession(String(sessionId)));
}

/** Ends every open session; resolves to how many were ended. */
function endAllSessions(endState = 'Indeterminate', endStateReason) {
  if (state.client === null) return Promise.resolve(0);
  return state.client.endAllSessions(expectString(endState, 'endState'), optionalString(endStateReason, 'endStateReason'));
}

function timeoutArg(timeoutMs) {
  if (timeoutMs === undefined || timeoutMs === null) return undefined;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw invalidArgument(`timeoutMs must be a non-negative number, got ${describe(timeoutMs)}`);
  }
  return timeoutMs;
}

/** Resolves true once everything recorded so far is delivered (false after timeoutMs). */
function flush(timeoutMs) {
  const timeout = timeoutArg(timeoutMs);
  return state.client === null ? Promise.resolve(true) : state.client.flush(timeout);
}

/** Ends open sessions (Indeterminate), delivers within timeoutMs and stops the uploader. */
function shutdown(timeoutMs) {
  const timeout = timeoutArg(timeoutMs);
  if (state.client === null) return Promise.resolve({ completed: true, left: 0, stats: emptyStats() });
  return state.client.shutdown(timeout);
}

/** Delivery counts: delivered, queued, retried, dropped per reason. */
function stats() {
  return state.client === null ? emptyStats() : state.client.stats();
}

function emptyStats() {
  return { delivered: 0, queued: 0, queuedBytes: 0, retried: 0, dropped: {}, droppedTotal: 0, truncated: 0, truncatedBytes: 0 };
}

/** The native client of this realm, or null (for wrappers and hooks). */
function currentClient() {
  return state.client;
}

module.exports = {
  init,
  configure,
  startSession,
  endSession,
  record,
  addTags,
  setTags,
  createAgent,
  getSession,
  endAllSessions,
  flush,
  shutdown,
  stats,
  currentClient,
};
