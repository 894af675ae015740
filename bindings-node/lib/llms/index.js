'use strict';
// LLM calls recorded automatically: `init()` (with `instrumentLlmCalls`, the default)
// instruments the `openai` package the app can load — its CommonJS build at once, its ESM
// build as soon as the dynamic import resolves (a call made in the same tick as `init()`
// from ESM code is therefore not seen: `instrumentOpenAI(module)` instruments a module at
// once). A missing package is a silent no-op.

const { createRequire } = require('node:module');
const path = require('node:path');
const log = require('../log.js');
const openai = require('./openai.js');

/** Loaded `openai` modules we instrumented (CJS exports, ESM namespaces). */
const instrumented = new Set();
let warned = false;

const warnOnce = (message) => {
  if (!warned) {
    warned = true;
    log.warn(message);
  }
};

/** `require` from the app's directory first (its node_modules), then from this package. */
function requireFromApp(specifier) {
  for (const base of [path.join(process.cwd(), 'noop.js'), __filename]) {
    try {
      return createRequire(base)(specifier);
    } catch {
      // not found from here
    }
  }
  return undefined;
}

function openaiVersion() {
  return requireFromApp('openai/version')?.VERSION;
}

/** Instruments one loaded `openai` module now; returns whether it did. */
function instrumentOpenAI(module) {
  if (!openai.instrument(module, openaiVersion() ?? '6', warnOnce)) return false;
  instrumented.add(module);
  return true;
}

function instrumentInstalled() {
  const cjs = requireFromApp('openai');
  if (cjs !== undefined) instrumentOpenAI(cjs);
  import('openai').then(
    (esm) => instrumentOpenAI(esm),
    () => {}, // not installed, or not importable from here
  );
}

function stopInstrumenting() {
  for (const module of instrumented) openai.restore(module);
  instrumented.clear();
}

module.exports = { instrumentInstalled, instrumentOpenAI, stopInstrumenting };
