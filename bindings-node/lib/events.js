'use strict';
// The event classes (agentops 0.3's, with camelCase fields). An event is written for the
// core as one JSON object with the wire keys the exporters use (`wireText`); the core's
// decoder reads it. Ids and ISO times are made only when needed; the core formats times.

const { ObjectWriter } = require('./json.js');
const { newId } = require('./ids.js');
const { timeArg, isoOf, nowMs } = require('./time.js');
const { invalidArgument, describe, tagList } = require('./errors.js');

const RECORDED = Symbol('agentops.recorded');
const WIRE = Symbol('agentops.wire');

function fieldsArg(fields, what) {
  if (fields === undefined || fields === null) return {};
  if (typeof fields !== 'object') throw invalidArgument(`${what} expects an object of fields, got ${describe(fields)}`);
  return fields;
}

function optionalText(value) {
  return value === undefined || value === null ? undefined : String(value);
}

/** The generic event of the original docs; the base of every other event class. */
class Event {
  constructor(eventType, fields) {
    const f = fieldsArg(fields, 'Event');
    this.eventType = eventType === undefined ? 'actions' : String(eventType);
    this.params = f.params;
    this.returns = f.returns;
    this.agentId = optionalText(f.agentId);
    this._id = optionalText(f.id);
    this._init = timeArg(f.initTimestamp) ?? nowMs();
    this._end = timeArg(f.endTimestamp);
    if (new.target === Event) {
      this.result = f.result;
      this.actionType = f.actionType;
      this.model = f.model;
      this.prompt = f.prompt;
      this.tags = tagList(f.tags);
    }
  }

  /** The event's UUID (made on first read unless given). */
  get id() {
    if (this._id === undefined) this._id = newId();
    return this._id;
  }

  set id(value) {
    this._id = optionalText(value);
  }

  get initTimestamp() {
    return isoOf(this._init);
  }

  set initTimestamp(value) {
    this._init = timeArg(value) ?? nowMs();
  }

  get endTimestamp() {
    return isoOf(this._end);
  }

  set endTimestamp(value) {
    this._end = timeArg(value);
  }

  /** The event's fields under their wire keys. */
  [WIRE]() {
    return this._base('generic')
      .value('result', this.result)
      .value('action_type', this.actionType)
      .value('model', this.model)
      .json('prompt', this.prompt)
      .strings('tags', this.tags);
  }

  /** The fields every event has; `defaultType`: the class's own event type (not written). */
  _base(kind, defaultType) {
    const writer = new ObjectWriter(kind);
    if (this._id === undefined) writer.plain('id', (this._id = newId()));
    else writer.value('id', this._id);
    return writer
      .value('event_type', this.eventType === defaultType ? undefined : this.eventType)
      .json('params', this.params)
      .json('returns', this.returns)
      .value('init_timestamp', this._init)
      .value('end_timestamp', this._end)
      .value('agent_id', this.agentId);
  }
}

class ActionEvent extends Event {
  constructor(fields) {
    const f = fieldsArg(fields, 'ActionEvent');
    super('actions', f);
    this.actionType = optionalText(f.actionType);
    this.logs = f.logs;
    this.screenshot = optionalText(f.screenshot);
    this.tags = tagList(f.tags);
  }

  [WIRE]() {
    return this._base('action', 'actions')
      .value('action_type', this.actionType)
      .json('logs', this.logs)
      .value('screenshot', this.screenshot)
      .strings('tags', this.tags);
  }
}

class LLMEvent extends Event {
  constructor(fields) {
    const f = fieldsArg(fields, 'LLMEvent');
    super('llms', f);
    this.threadId = optionalText(f.threadId);
    this.prompt = f.prompt;
    this.promptTokens = f.promptTokens;
    this.completion = f.completion;
    this.completionTokens = f.completionTokens;
    this.model = optionalText(f.model);
    this.cost = f.cost;
  }

  [WIRE]() {
    return this._base('llm', 'llms')
      .value('thread_id', this.threadId)
      .json('prompt', this.prompt)
      .value('prompt_tokens', this.promptTokens)
      .json('completion', this.completion)
      .value('completion_tokens', this.completionTokens)
      .value('model', this.model)
      .value('cost', this.cost);
  }
}

class ToolEvent extends Event {
  constructor(fields) {
    const f = fieldsArg(fields, 'ToolEvent');
    super('tools', f);
    this.name = optionalText(f.name);
    this.logs = f.logs;
  }

  [WIRE]() {
    return this._base('tool', 'tools').value('name', this.name).json('logs', this.logs);
  }
}

/** What an exception says about itself: its class, message and stack. */
function describeException(exception) {
  if (exception instanceof Error) {
    // A subclass that leaves `name` as 'Error' (as openai's errors do) is named by its class.
    const named = exception.name && exception.name !== 'Error' ? exception.name : undefined;
    const errorType = named ?? exception.constructor?.name ?? exception.name;
    return { errorType, details: exception.message, logs: exception.stack };
  }
  return { errorType: describe(exception), details: String(exception), logs: undefined };
}

/** The JSON text of the ErrorEvent for `thrown`, at `time`, of the agent `agentId`. */
function thrownErrorText(thrown, time, agentId) {
  const { errorType, details, logs } = describeException(thrown);
  return new ObjectWriter('error')
    .value('error_type', errorType)
    .value('details', details)
    .value('logs', logs)
    .value('init_timestamp', time)
    .value('agent_id', agentId)
    .end();
}

class ErrorEvent extends Event {
  constructor(fields) {
    const f = fieldsArg(fields, 'ErrorEvent');
    super('errors', f);
    const thrown = f.exception === undefined ? {} : describeException(f.exception);
    if (f.triggerEvent !== undefined && f.triggerEvent !== null && !(f.triggerEvent instanceof Event)) {
      throw invalidArgument(`ErrorEvent triggerEvent must be an agentops event, got ${describe(f.triggerEvent)}`);
    }
    this.triggerEvent = f.triggerEvent ?? undefined;
    this.errorType = optionalText(f.errorType ?? thrown.errorType);
    this.code = optionalText(f.code);
    this.details = f.details ?? thrown.details;
    this.logs = optionalText(f.logs ?? thrown.logs);
  }

  [WIRE]() {
    const trigger = this.triggerEvent;
    const details = this.details;
    const writer = this._base('error', 'errors')
      .value('trigger_event_id', trigger?.id)
      .value('trigger_event_type', trigger?.eventType)
      .value('error_type', this.errorType)
      .value('code', this.code)
      .value('logs', this.logs);
    return typeof details === 'string' ? writer.value('details', details) : writer.json('details', details);
  }
}

/** The JSON text of an event for the core. */
function wireText(event) {
  return event[WIRE]().end();
}

module.exports = { Event, ActionEvent, LLMEvent, ToolEvent, ErrorEvent, wireText, thrownErrorText, RECORDED };
