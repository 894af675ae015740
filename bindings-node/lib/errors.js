'use strict';
// The JS errors this package throws: `TypeError`s for wrong argument types, each with a
// stable `code` (the same codes the native addon gives core errors).

const INVALID_ARGUMENT = 'ERR_AGENTOPS_INVALID_ARGUMENT';

function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/** A `TypeError` with `code` ERR_AGENTOPS_INVALID_ARGUMENT. */
function invalidArgument(message) {
  const err = new TypeError(message);
  err.code = INVALID_ARGUMENT;
  return err;
}

function expectString(value, what) {
  if (typeof value !== 'string') throw invalidArgument(`${what} must be a string, got ${describe(value)}`);
  return value;
}

function optionalString(value, what) {
  return value === undefined || value === null ? undefined : expectString(value, what);
}

/** Tags as a list of strings: one string, or any iterable of values. */
function tagList(tags, what = 'tags') {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags === 'string') return [tags];
  if (typeof tags[Symbol.iterator] !== 'function') {
    throw invalidArgument(`${what} must be a string or an array of strings, got ${describe(tags)}`);
  }
  return Array.from(tags, String);
}

module.exports = { INVALID_ARGUMENT, invalidArgument, describe, expectString, optionalString, tagList };
