'use strict';
// Event ids: UUIDs (version 4 layout) made of a random prefix per JavaScript realm and a
// counter, formatted from a table of hex pairs. Unique like random ones (each realm — the
// process, each worker thread — draws its own 76-bit prefix; Node never forks a realm's
// memory), at a fraction of the cost of crypto.randomUUID() on the record path.

const { randomBytes } = require('node:crypto');

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomPrefix() {
  const hex = randomBytes(12).toString('hex');
  // xxxxxxxx-xxxx-4xxx-Vxxx-xxxx with V one of 8, 9, a, b (the RFC 4122 variant); the
  // counter's 8 hex digits complete the last group.
  const variant = '89ab'[parseInt(hex[15], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${variant}${hex.slice(16, 19)}-${hex.slice(19, 23)}`;
}

let prefix = randomPrefix();
let counter = 0;

/** A new event id. */
function newId() {
  if (counter === 0xffffffff) {
    prefix = randomPrefix();
    counter = 0;
  }
  const c = ++counter;
  return prefix + HEX[c >>> 24] + HEX[(c >>> 16) & 255] + HEX[(c >>> 8) & 255] + HEX[c & 255];
}

module.exports = { newId };
