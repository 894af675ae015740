'use strict';
// One LLM call as an LLMEvent: started when the call is made (its time, the request),
// finished exactly once when the answer is back or the stream ends — then recorded, with a
// linked ErrorEvent when the call failed. Nothing here throws into the caller: a failure
// is logged once.

const log = require('../log.js');
const { currentClient } = require('../client.js');
const { ObjectWriter } = require('../json.js');
const { thrownErrorText } = require('../events.js');
const { currentAgentId } = require('../agent-context.js');

let reportedFailure = false;

class LLMCall {
  /** The recorder of a call, or null when nothing records (not initialised). */
  static start(model, prompt, params) {
    try {
      const client = currentClient();
      return client === null ? null : new LLMCall(client, model, prompt, params);
    } catch (err) {
      LLMCall.report(err);
      return null;
    }
  }

  constructor(client, model, prompt, params) {
    this.client = client;
    this.request = { model, prompt, params };
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

  /** Records the event with `fields` of the answer, and the error when `failure` is set. */
  finish(fields = {}, failure = undefined) {
    if (this.done) return;
    this.done = true;
    this.guard(() => {
      const end = this.lastChunkAt ?? Date.now();
      const event = new ObjectWriter('llm')
        .value('model', fields.model ?? this.request.model)
        .json('prompt', this.request.prompt)
        .json('completion', fields.completion)
        .value('prompt_tokens', fields.promptTokens)
        .value('completion_tokens', fields.completionTokens)
        .json('params', this.request.params)
        .json('returns', fields.returns)
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
