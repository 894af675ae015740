// agentops for Node.js (ESM entry): the CommonJS module itself, so an app that both
// `require`s and `import`s agentops has one client and one session.
import agentops from './index.js';

export const {
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
  recordAction,
  recordTool,
  trackAgent,
  instrumentOpenAI,
  stopInstrumenting,
  Session,
  Event,
  ActionEvent,
  LLMEvent,
  ToolEvent,
  ErrorEvent,
  EndState,
  toJson,
  coreVersion,
} = agentops;
export default agentops;
