'use strict';
// `Session`: one recording session; many may be open at once. Wraps the native session
// (the core's registry is the only list of sessions; this keeps no state of its own).

const { recordInto } = require('./record.js');
const { expectString, optionalString, tagList } = require('./errors.js');

class Session {
  /** @param native {import('../native').NativeSession} */
  constructor(native) {
    Object.defineProperty(this, '_native', { value: native });
    /** The session's UUID. */
    this.id = native.id;
  }

  /** Open and not refused by the backend. */
  get isRunning() {
    return this._native.isRunning;
  }

  get tags() {
    return this._native.tags;
  }

  /** Records an event (never blocks). */
  record(event) {
    recordInto(this._native, event);
  }

  /**
   * Ends the session ("Success", "Fail" or "Indeterminate"); resolves to the token cost the
   * backend reports, or null. The wait for delivery happens off the JS thread.
   */
  endSession(endState = 'Indeterminate', endStateReason) {
    expectString(endState, 'endState');
    return this._native.end(endState, optionalString(endStateReason, 'endStateReason'));
  }

  addTags(tags) {
    this._native.addTags(tagList(tags) ?? []);
  }

  setTags(tags) {
    this._native.setTags(tagList(tags) ?? []);
  }

  /** Registers an agent; returns its id (generated unless given). */
  createAgent(name, agentId) {
    return this._native.createAgent(expectString(name, 'name'), optionalString(agentId, 'agentId'));
  }

  /** The file the session is written to (file exporter), else null. */
  get exportPath() {
    return this._native.exportPath;
  }

  get sessionUrl() {
    return this._native.sessionUrl;
  }
}

// One JS object per session while it is referenced anywhere, so `getSession(id) === session`.
const wrappers = new Map();
const forget = new FinalizationRegistry((id) => {
  if (wrappers.get(id)?.deref() === undefined) wrappers.delete(id);
});

/** The `Session` of a native session (null stays null). */
function wrap(native) {
  if (native === null || native === undefined) return null;
  const existing = wrappers.get(native.id)?.deref();
  if (existing !== undefined) return existing;
  const session = new Session(native);
  wrappers.set(session.id, new WeakRef(session));
  forget.register(session, session.id);
  return session;
}

module.exports = { Session, wrap };
