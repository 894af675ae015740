'use strict';
// The tracked agent whose recorded method is running, across awaits (AsyncLocalStorage):
// events recorded meanwhile — nested recorded functions, LLM calls — carry its id, as
// Python's contextvar does.

const { AsyncLocalStorage } = require('node:async_hooks');

const agentContext = new AsyncLocalStorage();

/** The id of the agent whose method is running here, if any. */
const currentAgentId = () => agentContext.getStore();

/** `fn()` with `agentId` as the current agent. */
function withAgent(agentId, fn) {
  return agentContext.run(agentId, fn);
}

module.exports = { currentAgentId, withAgent };
