'use strict';
// Payloads as JSON text, the way the core stores them. The fast path is one
// JSON.stringify; what makes it throw (a cycle, a BigInt, a toJSON that throws) takes the
// careful walk below, which puts the core's placeholder strings where those values were
// and keeps everything else as JSON.stringify would have written it (functions, symbols
// and undefined inside objects are left out, inside arrays become null). A payload that
// has no JSON form at all (a function, a symbol) becomes its placeholder.

const MAX_DEPTH = 64; // as the Python binding
const MAX_VALUES = 1_000_000; // per payload

const nonSerializable = (typeName) => `<<non-serializable: ${typeName}>>`;
const circular = (typeName) => `<<circular reference: ${typeName}>>`;
const serializationError = (message) => `<<serialization-error: ${message}>>`;
const NESTED_TOO_DEEPLY = '<<serialization-error: nested too deeply>>';
const TOO_MANY_VALUES = '<<truncated: too many values to convert>>';

function typeName(value) {
  if (typeof value === 'bigint') return 'BigInt';
  if (typeof value === 'symbol') return 'Symbol';
  if (typeof value === 'function') return value.constructor?.name || 'Function';
  return value?.constructor?.name || 'Object';
}

/** JSON text of one payload: one JSON.stringify, or the careful walk if that throws. */
function payloadJson(value) {
  const type = typeof value;
  if (type === 'function' || type === 'symbol') return JSON.stringify(nonSerializable(typeName(value)));
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = JSON.stringify(new Careful().convert(value, '', 0));
  }
  return text ?? 'null'; // a toJSON() that gave undefined
}

/** JSON text of one value (`undefined` for nothing to record). */
function toJson(value) {
  return value === undefined || value === null ? undefined : payloadJson(value);
}

/**
 * Writes one JSON object field by field, leaving out absent values: the text an event
 * crosses into the core as. Concatenation is about twice as fast as JSON.stringify of
 * an object literal with the same (partly undefined) keys.
 */
class ObjectWriter {
  constructor(kind) {
    this.out = `{"kind":"${kind}"`;
  }

  /** A string, number or boolean field (anything else as its string; NaN and ±Infinity left out). */
  value(key, value) {
    switch (typeof value) {
      case 'undefined':
        break;
      case 'number':
        if (Number.isFinite(value)) this.out += `,"${key}":${value}`;
        break;
      case 'boolean':
        this.out += `,"${key}":${value}`;
        break;
      case 'string':
        this.out += `,"${key}":${JSON.stringify(value)}`;
        break;
      default:
        if (value !== null) this.out += `,"${key}":${JSON.stringify(String(value))}`;
    }
    return this;
  }

  /** A string that needs no escaping (one this package made: an id, a name of its own). */
  plain(key, text) {
    this.out += `,"${key}":"${text}"`;
    return this;
  }

  /** A payload field: any value, as JSON. */
  json(key, value) {
    if (value !== undefined && value !== null) this.out += `,"${key}":${payloadJson(value)}`;
    return this;
  }

  /** A list of strings. */
  strings(key, list) {
    if (list !== undefined && list !== null && list.length > 0) this.out += `,"${key}":${JSON.stringify(list.map(String))}`;
    return this;
  }

  end() {
    return `${this.out}}`;
  }
}

/** A copy of a value that JSON.stringify can write, placeholders in place of the rest. */
class Careful {
  constructor() {
    this.ancestors = [];
    this.count = 0;
  }

  convert(value, key, depth) {
    if (++this.count > MAX_VALUES) return TOO_MANY_VALUES;
    if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
      try {
        value = value.toJSON(key);
      } catch (err) {
        return serializationError(err?.message ?? String(err));
      }
    }
    switch (typeof value) {
      case 'bigint':
        return nonSerializable('BigInt');
      case 'object':
        return value === null ? null : this.container(value, depth);
      default:
        return value; // strings, numbers, booleans; undefined/functions/symbols as JSON does
    }
  }

  container(value, depth) {
    if (this.ancestors.includes(value)) return circular(typeName(value));
    if (depth >= MAX_DEPTH) return NESTED_TOO_DEEPLY;
    this.ancestors.push(value);
    try {
      if (Array.isArray(value)) return value.map((item, i) => this.convert(item, String(i), depth + 1));
      const copy = {};
      for (const key of Object.keys(value)) {
        let item;
        try {
          item = value[key];
        } catch (err) {
          item = serializationError(err?.message ?? String(err)); // a throwing getter
        }
        copy[key] = this.convert(item, key, depth + 1);
      }
      return copy;
    } finally {
      this.ancestors.pop();
    }
  }
}

module.exports = { toJson, payloadJson, ObjectWriter, nonSerializable, typeName };
