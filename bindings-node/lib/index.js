'use strict';
// agentops for Node.js (CommonJS entry; `index.mjs` re-exports this very module, so
// `require` and `import` share one SDK state). See README "Node" and index.d.ts.

const client = require('./client.js');
const events = require('./events.js');
const wrappers = require('./wrappers.js');
const llms = require('./llms/index.js');
const { Session } = require('./session.js');
const { toJson } = require('./json.js');
const native = require('../native.js');

module.exports = {
  init: client.init,
  configure: client.configure,
  startSession: client.startSession,
  endSession: client.endSession,
  record: client.record,
  addTags: client.addTags,
  setTags: client.setTags,
  createAgent: client.createAgent,
  getSession: client.getSession,
  endAllSessions: client.endAllSessions,
  flush: client.flush,
  shutdown: client.shutdown,
  stats: client.stats,
  recordAction: wrappers.recordAction,
  recordTool: wrappers.recordTool,
  trackAgent: wrappers.trackAgent,
  instrumentOpenAI: llms.instrumentOpenAI,
  stopInstrumenting: llms.stopInstrumenting,
  Session,
  Event: events.Event,
  ActionEvent: events.ActionEvent,
  LLMEvent: events.LLMEvent,
  ToolEvent: events.ToolEvent,
  ErrorEvent: events.ErrorEvent,
  EndState: Object.freeze({ SUCCESS: 'Success', FAIL: 'Fail', INDETERMINATE: 'Indeterminate' }),
  /** The JSON text a value is recorded as (placeholders included). */
  toJson,
  coreVersion: native.coreVersion,
};
