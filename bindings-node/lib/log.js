'use strict';
// Log lines go through the native sink (stderr, "🖇 AgentOps: ", AGENTOPS_LOGGING_LEVEL),
// so JavaScript's and the core's lines look and filter alike.

const native = require('../native.js');

module.exports = {
  error: (message) => native.log('error', message),
  warn: (message) => native.log('warn', message),
  info: (message) => native.log('info', message),
  debug: (message) => native.log('debug', message),
  setLevel: (level) => native.setLogLevel(String(level)),
};
