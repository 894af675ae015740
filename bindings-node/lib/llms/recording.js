'use strict';
// One LLM call as an LLMEvent: started when the call is made (its time, the request),
// finished exactly once when the answer is back or the stream ends — then recorded, with a
// linked ErrorEvent when the call failed. The event carries the request and the answer as
// they are, and names the call's API: the core reads the prompt, completion, model and token
// counts out of them by the rule it applies for every binding. Nothing here throws into the
// caller: a failure is logged once.

const log = require('../log.js');
const { currentClient } = require('../client.js');
const { ObjectWriter } = require('../json.js');
const { thrownErrorText } = require('../events.js');
const { currentAgentId } = require('../agent-context.js');

let reportedFailure = false;

class LLMCall {
  /**
   * The recorder of a call to `api` (the core's name for its request and answer shapes:
   * 'openai.chat') with the request `params`, or null when nothing records (not initialised).
   */
  static start(api, params) {
    try {
      const client = currentClient();
      return client === null ? null : new LLMCall(client, api, params);
    } catch (err) {
      LLMCall.report(err);
      return null;
    }
  }

  constructor(client, api, params) {
    this.client = client;
    this.api = api;
    this.params = params;
    this.agentId = currentAgentId();
    this.startedAt = Date.now();
    this.lastChunkAt = undefined;
    this.done = false;
  }

  static report(err) {
    if (!reportedFailure) {
      reportedFailure = true;
      log.error(`an LLM call could not be recorded (a bug in agentops): ${err?.stack ?? err}`);
    }
  }

  /** `fn()`, or undefined (logged) when it throws. */
  guard(fn) {
    try {
      return fn();
    } catch (err) {
      LLMCall.report(err);
      return undefined;
    }
  }

  /** Records the event with the call's `answer` (if any), and the error when `failure` is set. */
  finish(answer = undefined, failure = undefined) {
    if (this.done) return;
    this.done = true;
    this.guard(() => {
      const end = this.lastChunkAt ?? Date.now();
      const event = new ObjectWriter('llm')
        .plain('api', this.api)
        .json('params', this.params)
        .json('returns', answer)
        .value('init_timestamp', this.startedAt)
        .value('end_timestamp', end)
        .value('agent_id', this.agentId)
        .end();
      if (failure === undefined) {
        this.client.record(event);
        return;
      }
      this.client.recordError(thrownErrorText(failure, end, this.agentId), event);
    });
  }
}

module.exports = { LLMCall };
