'use strict';
// `openai` (v4 to v7): `Chat.Completions.prototype.create`, which `parse()`, `stream()` and
// the runners go through, patched on the class of each build the app loaded (CommonJS and
// ESM are separate builds with separate classes). The caller gets the very `APIPromise`
// the client made: only its `responsePromise` (to see a failure) and `parseResponse` (to
// see the answer when someone asks for it) are wrapped, and `asResponse` (whose caller reads
// the body: the answer is read from a clone), so `.asResponse()` still reads an unread body
// and `.withResponse()` works. A stream stays the client's `Stream`: its
// `iterator` is wrapped, so `tee()`, `toReadableStream()` and `controller` work, and the
// event is finished in a `finally` (end, break, abort, error) or when the stream is
// garbage-collected unread.

const { LLMCall } = require('./recording.js');

const SUPPORTED_MAJORS = [4, 5, 6, 7];
const API = 'openai.chat'; // the core reads a Chat Completions request and answer
const PATCHED = Symbol.for('agentops.original');

/** The `Chat.Completions` class of a loaded `openai` module (CJS exports or ESM namespace). */
function completionsClass(module) {
  const OpenAI = module?.OpenAI ?? module?.default;
  return OpenAI?.Chat?.Completions;
}

/** Assembles the chunks (choice 0) into the answer a plain call gives: content and tool calls. */
class ChunkAccumulator {
  constructor() {
    this.message = { role: 'assistant', content: null };
    this.toolCalls = [];
    this.answer = { id: undefined, object: 'chat.completion', model: undefined, finishReason: undefined, usage: undefined };
  }

  add(chunk) {
    this.answer.id ??= chunk?.id;
    this.answer.model = chunk?.model ?? this.answer.model;
    if (chunk?.usage) this.answer.usage = chunk.usage;
    for (const choice of chunk?.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      this.answer.finishReason = choice.finish_reason ?? this.answer.finishReason;
      const delta = choice.delta ?? {};
      if (delta.role) this.message.role = delta.role;
      if (delta.content) this.message.content = (this.message.content ?? '') + delta.content;
      for (const call of delta.tool_calls ?? []) this.addToolCall(call);
    }
  }

  addToolCall(call) {
    const index = call.index ?? 0;
    const entry = (this.toolCalls[index] ??= { id: undefined, type: 'function', function: { name: '', arguments: '' } });
    entry.id = call.id ?? entry.id;
    entry.type = call.type ?? entry.type;
    entry.function.name += call.function?.name ?? '';
    entry.function.arguments += call.function?.arguments ?? '';
  }

  assembled() {
    const message = { ...this.message };
    const toolCalls = this.toolCalls.filter(Boolean);
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const { id, object, model, finishReason, usage } = this.answer;
    return { id, object, model, choices: [{ index: 0, message, finish_reason: finishReason }], usage };
  }
}

const isStream = (value) => value !== null && typeof value === 'object' && typeof value.iterator === 'function' && 'controller' in value;

const unread = new FinalizationRegistry((call) => call.finish());

function observeStream(stream, call) {
  const accumulator = new ChunkAccumulator();
  const iterator = stream.iterator;
  stream.iterator = async function* observed() {
    let failure;
    try {
      for await (const chunk of iterator.call(this)) {
        call.guard(() => accumulator.add(chunk));
        call.lastChunkAt = Date.now();
        yield chunk;
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      unread.unregister(call);
      call.finish(call.guard(() => accumulator.assembled()), failure);
    }
  };
  unread.register(stream, call, call);
}

/** The answer as the caller will see it; a stream is observed in place. */
function settle(call, answer) {
  if (isStream(answer)) observeStream(answer, call);
  else call.finish(answer);
}

/**
 * `.asResponse()` gives the caller the raw `Response`, which the client then never parses:
 * the answer is read from a clone (the caller's body stays unread). A streamed raw answer is
 * the caller's to read, and its event holds the request only.
 */
function settleRaw(call, response, streamed) {
  if (streamed || typeof response?.clone !== 'function') {
    call.finish();
    return;
  }
  response
    .clone()
    .json()
    .then(
      (answer) => call.finish(answer),
      () => call.finish(),
    );
}

/** Wraps the APIPromise's `asResponse` so that a call read only that way is recorded too. */
function observeAsResponse(promise, call, streamed) {
  const { asResponse } = promise;
  if (typeof asResponse !== 'function') return;
  promise.asResponse = function (...args) {
    return asResponse.apply(this, args).then((response) => {
      // `withResponse()` parses as well (it starts the parse first): that records the call.
      if (this.parsedPromise === undefined) call.guard(() => settleRaw(call, response, streamed));
      return response;
    });
  };
}

function patchedCreate(original) {
  const create = function create(body, options) {
    const promise = original.call(this, body, options);
    const call = LLMCall.start(API, body);
    if (call === null || promise === null || typeof promise !== 'object') return promise;
    call.guard(() => {
      const { responsePromise, parseResponse } = promise;
      if (typeof parseResponse !== 'function' || typeof responsePromise?.then !== 'function') return;
      promise.responsePromise = responsePromise.then(undefined, (err) => {
        call.finish(undefined, err);
        throw err;
      });
      promise.parseResponse = async function (...args) {
        const answer = await parseResponse.apply(this, args);
        call.guard(() => settle(call, answer));
        return answer;
      };
      observeAsResponse(promise, call, body?.stream === true);
    });
    return promise;
  };
  create[PATCHED] = original;
  return create;
}

/**
 * Instruments one loaded `openai` module (what `require('openai')` or
 * `import * as openai from 'openai'` gives); returns whether it did. Idempotent.
 */
function instrument(module, version, warn) {
  const Completions = completionsClass(module);
  if (typeof Completions?.prototype?.create !== 'function') return false;
  const major = Number(String(version ?? '').split('.')[0]);
  if (!SUPPORTED_MAJORS.includes(major)) {
    warn(`openai ${version} is a version agentops does not know; its calls are not recorded.`);
    return false;
  }
  if (Completions.prototype.create[PATCHED] === undefined) {
    Completions.prototype.create = patchedCreate(Completions.prototype.create);
  }
  return true;
}

/** Puts the original `create` back on the module's class. Idempotent. */
function restore(module) {
  const Completions = completionsClass(module);
  const original = Completions?.prototype?.create?.[PATCHED];
  if (original !== undefined) Completions.prototype.create = original;
}

module.exports = { instrument, restore };
