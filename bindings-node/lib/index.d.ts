// Type declarations of the agentops Node package (hand-written, kept true by
// `tsc -p tests/node/types`, which type-checks a usage file against them).

/** A Date, an ISO-8601 string or epoch milliseconds. */
export type Time = Date | string | number;

/** The core's option table in camelCase (see the README's configuration table). */
export interface Options {
  apiKey?: string;
  parentKey?: string;
  endpoint?: string;
  /** Milliseconds. */
  maxWaitTime?: number;
  maxQueueSize?: number;
  defaultTags?: string[];
  instrumentLlmCalls?: boolean;
  autoStartSession?: boolean;
  skipAutoEndSession?: boolean;
  envDataOptOut?: boolean;
  exporter?: 'agentops' | 'file' | 'otlp';
  exportDir?: string;
  /** Base URL; traces go to `<otlpEndpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** Full traces URL, used as given. */
  otlpTracesEndpoint?: string;
  /** `"k=v,k2=v2"` or `{ k: 'v' }`; values are never logged. */
  otlpHeaders?: string | Record<string, string>;
  /** Milliseconds. */
  otlpTimeout?: number;
  otlpCompression?: 'gzip' | 'none';
  otlpProtocol?: 'http/json' | 'http/protobuf';
  serviceName?: string;
  /** `"k=v,k2=v2"` or `{ k: 'v' }`. */
  resourceAttributes?: string | Record<string, string>;
  maxBufferedEvents?: number;
  maxBufferedBytes?: number;
  maxFieldBytes?: number;
  /** Seconds. */
  requestTimeout?: number;
  /** Seconds. */
  maxRetryTime?: number;
  /** Seconds. */
  retryInitialBackoff?: number;
  /** Seconds. */
  retryMaxBackoff?: number;
  /** Seconds. */
  sessionStartTimeout?: number;
  /** Seconds. */
  sessionEndTimeout?: number;
  /** Seconds. */
  shutdownTimeout?: number;
}

export interface InitOptions extends Options {
  /** Deprecated (as in agentops 0.3): added to `defaultTags`. */
  tags?: string[] | string;
  /** Continue a session started elsewhere (instead of starting a new one). */
  inheritedSessionId?: string;
}

export type EndStateName = 'Success' | 'Fail' | 'Indeterminate';

export declare const EndState: Readonly<{ SUCCESS: 'Success'; FAIL: 'Fail'; INDETERMINATE: 'Indeterminate' }>;

export interface Stats {
  delivered: number;
  queued: number;
  queuedBytes: number;
  retried: number;
  /** Per reason: queue_full, retries_exhausted, rejected, auth_failed, after_shutdown, ... */
  dropped: Record<string, number>;
  droppedTotal: number;
  truncated: number;
  truncatedBytes: number;
}

export interface ShutdownReport {
  /** Everything recorded before the shutdown was delivered. */
  completed: boolean;
  /** Events it could not deliver. */
  left: number;
  stats: Stats;
}

export interface BaseFields {
  id?: string;
  params?: unknown;
  returns?: unknown;
  agentId?: string;
  initTimestamp?: Time;
  endTimestamp?: Time;
}

/** The generic event: `eventType` is free text; a `model` without `actionType` makes it "llm". */
export declare class Event {
  constructor(
    eventType?: string,
    fields?: BaseFields & { result?: EndStateName; actionType?: string; model?: string; prompt?: unknown; tags?: string[] },
  );
  /** UUID, made on first read unless given. */
  id: string;
  eventType: string;
  params: unknown;
  returns: unknown;
  agentId: string | undefined;
  /** ISO-8601. */
  initTimestamp: string;
  /** ISO-8601, once known. */
  endTimestamp: string | undefined;
}

export interface ActionFields extends BaseFields {
  actionType?: string;
  logs?: unknown;
  screenshot?: string;
  tags?: string[];
}

export declare class ActionEvent extends Event {
  constructor(fields?: ActionFields);
  actionType: string | undefined;
  logs: unknown;
  screenshot: string | undefined;
  tags: string[] | undefined;
}

export interface LLMFields extends BaseFields {
  prompt?: unknown;
  completion?: unknown;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  threadId?: string;
  cost?: number;
}

export declare class LLMEvent extends Event {
  constructor(fields?: LLMFields);
  prompt: unknown;
  completion: unknown;
  model: string | undefined;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  threadId: string | undefined;
  cost: number | undefined;
}

export declare class ToolEvent extends Event {
  constructor(fields?: BaseFields & { name?: string; logs?: unknown });
  name: string | undefined;
  logs: unknown;
}

export interface ErrorFields extends BaseFields {
  /** The event that failed; recorded first (once) if it was not yet. */
  triggerEvent?: Event;
  /** Gives `errorType`, `details` and `logs` (its name, message and stack) unless given. */
  exception?: unknown;
  errorType?: string;
  code?: string;
  details?: unknown;
  logs?: string;
}

export declare class ErrorEvent extends Event {
  constructor(fields?: ErrorFields);
  triggerEvent: Event | undefined;
  errorType: string | undefined;
  code: string | undefined;
  details: unknown;
  logs: string | undefined;
}

export declare class Session {
  private constructor();
  readonly id: string;
  readonly isRunning: boolean;
  readonly tags: string[];
  /** The file this session is written to (file exporter), else null. */
  readonly exportPath: string | null;
  readonly sessionUrl: string;
  record(event: Event): void;
  /** Resolves to the token cost, or null. */
  endSession(endState?: EndStateName, endStateReason?: string): Promise<number | null>;
  addTags(tags: string[] | string): void;
  setTags(tags: string[] | string): void;
  createAgent(name: string, agentId?: string): string;
}

export declare function init(options?: InitOptions): Session | null;
export declare function configure(options: Options): void;
export declare function startSession(options?: { tags?: string[] | string; inheritedSessionId?: string }): Session | null;
export declare function endSession(endState?: EndStateName, endStateReason?: string): Promise<number | null>;
export declare function record(event: Event): void;
export declare function addTags(tags: string[] | string): void;
export declare function setTags(tags: string[] | string): void;
export declare function createAgent(name: string, agentId?: string): string;
export declare function getSession(sessionId: string): Session | null;
export declare function endAllSessions(endState?: EndStateName, endStateReason?: string): Promise<number>;
export declare function flush(timeoutMs?: number): Promise<boolean>;
export declare function shutdown(timeoutMs?: number): Promise<ShutdownReport>;
export declare function stats(): Stats;
/**
 * Instruments a loaded `openai` module (`require('openai')` or `import * as openai from 'openai'`)
 * at once; `init()` does it by itself for the installed package. Returns whether it did.
 */
export declare function instrumentOpenAI(module: unknown): boolean;
/** Puts back the original functions of every instrumented `openai` module. */
export declare function stopInstrumenting(): void;

type AnyFunction = (...args: any[]) => any;

/** A TypeScript 5 method decorator that records each call of the method. */
export type MethodDecorator = <This, Args extends any[], Return>(
  target: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
) => (this: This, ...args: Args) => Return;

/** `fn` wrapped: each call is recorded as an ActionEvent named `name`. */
export declare function recordAction<F extends AnyFunction>(name: string, fn: F): F;
export declare function recordAction<F extends AnyFunction>(fn: F): F;
/** A method decorator recording each call as an ActionEvent (named `name`, else the method's name). */
export declare function recordAction(name?: string): MethodDecorator;

/** `fn` wrapped: each call is recorded as a ToolEvent named `name`. */
export declare function recordTool<F extends AnyFunction>(name: string, fn: F): F;
export declare function recordTool<F extends AnyFunction>(fn: F): F;
export declare function recordTool(name?: string): MethodDecorator;

/** A class decorator: each instance is an agent, and its recorded methods' events carry its id. */
export declare function trackAgent(
  name?: string,
): <T extends abstract new (...args: any[]) => any>(target: T, context?: ClassDecoratorContext<T>) => T;

/** The JSON text a value is recorded as (with the core's placeholders). */
export declare function toJson(value: unknown): string | undefined;
/** The version of the Rust core in the addon. */
export declare function coreVersion(): string;
