'use strict';
// Handing an event to the core: one JSON text per event (two for an error whose trigger
// was not recorded yet: the core records the trigger first and links them).

const { Event, ErrorEvent, wireText, RECORDED } = require('./events.js');
const { invalidArgument, describe } = require('./errors.js');

/** Records `event` into `target` (a native client: its only session; or a native session). */
function recordInto(target, event) {
  if (!(event instanceof Event)) {
    throw invalidArgument(`record() expects an agentops event (Event, ActionEvent, ...); got ${describe(event)}`);
  }
  const trigger = event instanceof ErrorEvent ? event.triggerEvent : undefined;
  if (trigger !== undefined && !trigger[RECORDED]) {
    target.recordError(wireText(event), wireText(trigger));
    trigger[RECORDED] = true;
  } else {
    target.record(wireText(event));
  }
  event[RECORDED] = true;
}

module.exports = { recordInto };
