'use strict';
// Event times: epoch milliseconds from the wall clock (the clock the core stamps end
// times with), ISO-8601 text only when someone reads it; the core formats them. Wrappers
// add a monotonic elapsed time to their start, so durations keep microseconds.

const nowMs = Date.now;

/** A Date, an ISO string or epoch ms as epoch ms (strings are kept for the core to read). */
function timeArg(value) {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'string') return value;
  return String(value);
}

function isoOf(time) {
  if (time === undefined) return undefined;
  if (typeof time === 'string') return time;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}

module.exports = { nowMs, timeArg, isoOf };
