'use strict';
// `recordAction` / `recordTool`: a function that records each call of the one it wraps as
// an ActionEvent / ToolEvent (arguments as `params`, the value as `returns`, start and
// end times); a throw or a rejection records a linked ErrorEvent and propagates as it was
// (the same error object). Called with a name only, they are TypeScript 5 (and legacy
// `experimentalDecorators`) method decorators. `trackAgent` gives a class an agent: its
// decorated methods' events carry the instance's `agentopsAgentId`.
//
// Instrumentation never throws into user code: a failure to record is logged once.

const log = require('./log.js');
const { currentClient, createAgent } = require('./client.js');
const { ObjectWriter } = require('./json.js');
const { thrownErrorText } = require('./events.js');
const { invalidArgument, describe, expectString } = require('./errors.js');
const { currentAgentId, withAgent } = require('./agent-context.js');

let reportedFailure = false;

function reportFailure(err) {
  if (!reportedFailure) {
    reportedFailure = true;
    log.error(`a call could not be recorded (a bug in agentops): ${err?.stack ?? err}`);
  }
}

/** The JSON text of the event of one call, up to its `returns`. */
function callEvent(kind, name, self, args, start, end) {
  return new ObjectWriter(kind)
    .value(kind === 'tool' ? 'name' : 'action_type', name)
    .json('params', args)
    .value('init_timestamp', start)
    .value('end_timestamp', end)
    .value('agent_id', self?.agentopsAgentId ?? currentAgentId());
}

function recordReturn(kind, name, self, args, start, elapsed, value) {
  try {
    const client = currentClient();
    if (client !== null) client.record(callEvent(kind, name, self, args, start, start + elapsed).json('returns', value).end());
  } catch (err) {
    reportFailure(err);
  }
}

function recordThrow(kind, name, self, args, start, elapsed, thrown) {
  try {
    const client = currentClient();
    if (client === null) return;
    const end = start + elapsed;
    const trigger = callEvent(kind, name, self, args, start, end).end();
    client.recordError(thrownErrorText(thrown, end, self?.agentopsAgentId ?? currentAgentId()), trigger);
  } catch (err) {
    reportFailure(err);
  }
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** `fn` wrapped so each call is recorded as a `kind` event named `name`. */
function wrapFunction(kind, name, fn) {
  const recorded = function (...args) {
    const start = Date.now();
    const t0 = performance.now();
    let result;
    try {
      // A tracked agent's method: what it records meanwhile carries the agent's id.
      const agent = this?.agentopsAgentId;
      result = agent === undefined ? fn.apply(this, args) : withAgent(agent, () => fn.apply(this, args));
    } catch (err) {
      recordThrow(kind, name, this, args, start, performance.now() - t0, err);
      throw err;
    }
    if (!isThenable(result)) {
      recordReturn(kind, name, this, args, start, performance.now() - t0, result);
      return result;
    }
    const done = (value) => recordReturn(kind, name, this, args, start, performance.now() - t0, value);
    const failed = (err) => recordThrow(kind, name, this, args, start, performance.now() - t0, err);
    if (result instanceof Promise && result.constructor === Promise) {
      // A promise that settles as the original did, after the event is recorded; an
      // unhandled rejection stays unhandled.
      return result.then(
        (value) => {
          done(value);
          return value;
        },
        (err) => {
          failed(err);
          throw err;
        },
      );
    }
    // Another thenable (a Promise subclass with methods of its own): returned as it is.
    try {
      result.then(done, failed);
    } catch (err) {
      reportFailure(err);
    }
    return result;
  };
  Object.defineProperty(recorded, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(recorded, 'length', { value: fn.length, configurable: true });
  return recorded;
}

/** A method decorator (TypeScript 5 standard, or legacy) recording as `kind` named `name`. */
function methodDecorator(kind, name) {
  return function decorate(target, context, descriptor) {
    if (descriptor !== undefined && typeof descriptor.value === 'function') {
      // legacy: (prototype, key, descriptor)
      descriptor.value = wrapFunction(kind, name ?? String(context), descriptor.value);
      return descriptor;
    }
    if (typeof target !== 'function') {
      throw invalidArgument(`record${kind === 'tool' ? 'Tool' : 'Action'} decorates methods and functions, not ${describe(target)}`);
    }
    return wrapFunction(kind, name ?? String(context?.name ?? target.name), target);
  };
}

function recorder(kind) {
  return function (name, fn) {
    if (typeof name === 'function' && fn === undefined) return wrapFunction(kind, name.name, name);
    if (name !== undefined) expectString(name, 'name');
    if (fn === undefined) return methodDecorator(kind, name);
    if (typeof fn !== 'function') throw invalidArgument(`the function to record must be a function, got ${describe(fn)}`);
    return wrapFunction(kind, name ?? fn.name, fn);
  };
}

/** `recordAction(name, fn)` → recorded fn; `recordAction(name)` → method decorator. */
const recordAction = recorder('action');
/** `recordTool(name, fn)` → recorded fn; `recordTool(name)` → method decorator. */
const recordTool = recorder('tool');

/**
 * A class decorator: each instance is registered as an agent (named `name`, else the
 * class's name) when it is constructed, and its recorded methods' events carry its id.
 */
function trackAgent(name) {
  if (name !== undefined) expectString(name, 'name');
  return function decorate(Target) {
    if (typeof Target !== 'function') throw invalidArgument(`trackAgent decorates classes, not ${describe(Target)}`);
    const agentName = name ?? Target.name;
    const Tracked = class extends Target {
      constructor(...args) {
        super(...args);
        try {
          Object.defineProperty(this, 'agentopsAgentId', { value: createAgent(agentName), configurable: true });
          Object.defineProperty(this, 'agentopsAgentName', { value: agentName, configurable: true });
        } catch (err) {
          reportFailure(err);
        }
      }
    };
    Object.defineProperty(Tracked, 'name', { value: Target.name });
    return Tracked;
  };
}

module.exports = { recordAction, recordTool, trackAgent };
