"""The core's option table as Python sees it. Generated from `core/src/config/options.rs` by
`AGENTOPS_UPDATE_GENERATED=1 cargo test -p agentops-core --test generated`: do not edit."""

from typing import NamedTuple, Tuple


class Option(NamedTuple):
    name: str
    env: str
    type: str
    unit: str
    default: str
    doc: str
    agentops_03: bool


OPTIONS: Tuple[Option, ...] = (
    Option("api_key", "AGENTOPS_API_KEY", "UUID", "", "none", "Project API key. Sent only to create and re-authorise sessions; never logged.", True),
    Option("parent_key", "AGENTOPS_PARENT_KEY", "UUID", "", "none", "Parent (organisation) key, sent only when a session is created.", True),
    Option("endpoint", "AGENTOPS_API_ENDPOINT", "URL", "", "https://api.agentops.ai", "Base URL of the AgentOps backend.", True),
    Option("max_wait_time", "AGENTOPS_MAX_WAIT_TIME", "number", "ms", "5000", "A session's pending events are sent at most this long after the first of them.", True),
    Option("max_queue_size", "AGENTOPS_MAX_QUEUE_SIZE", "integer", "events", "512", "Events per request: a session's batch is sent as soon as it holds this many.", True),
    Option("default_tags", "AGENTOPS_DEFAULT_TAGS", "list of tags", "", "none", "Tags of every session (comma-separated in the environment); setting them again adds to them.", True),
    Option("instrument_llm_calls", "AGENTOPS_INSTRUMENT_LLM_CALLS", "boolean", "", "true", "Record LLM client calls automatically (accepted; LLM events are recorded explicitly for now).", True),
    Option("auto_start_session", "AGENTOPS_AUTO_START_SESSION", "boolean", "", "true", "`init` starts a session.", True),
    Option("skip_auto_end_session", "AGENTOPS_SKIP_AUTO_END_SESSION", "boolean", "", "false", "Leave sessions open when the process exits (their events are still delivered).", True),
    Option("env_data_opt_out", "AGENTOPS_ENV_DATA_OPT_OUT", "boolean", "", "false", "Send no host environment details with sessions.", True),
    Option("exporter", "AGENTOPS_EXPORTER", "exporter", "", "agentops when a key is set, else nothing starts", "Where sessions go: `agentops` (the REST v2 API) or `file` (local JSONL files, no key needed).", False),
    Option("export_dir", "AGENTOPS_EXPORT_DIR", "path", "", "agentops_sessions", "Directory of the file exporter: one `<session id>.jsonl` per session.", False),
    Option("max_buffered_events", "AGENTOPS_MAX_BUFFERED_EVENTS", "integer", "events", "131072", "Bound on events recorded but not yet delivered; beyond it new events are dropped and counted, never waited for.", False),
    Option("max_buffered_bytes", "AGENTOPS_MAX_BUFFERED_BYTES", "integer", "bytes", "67108864", "Bound on the estimated size of those events.", False),
    Option("request_timeout", "AGENTOPS_REQUEST_TIMEOUT", "number", "s", "10", "Bound on every HTTP request.", False),
    Option("max_retry_time", "AGENTOPS_MAX_RETRY_TIME", "number", "s", "60", "Bound on the total time one request is retried before its events are dropped and counted.", False),
    Option("retry_initial_backoff", "AGENTOPS_RETRY_INITIAL_BACKOFF", "number", "s", "0.1", "First retry delay; it doubles per attempt (±20 % jitter) up to `retry_max_backoff`.", False),
    Option("retry_max_backoff", "AGENTOPS_RETRY_MAX_BACKOFF", "number", "s", "5", "Longest retry delay (a `Retry-After` answer is obeyed up to 30 s).", False),
    Option("session_start_timeout", "AGENTOPS_SESSION_START_TIMEOUT", "number", "s", "2", "How long starting a session waits for the backend; a slow backend still yields a session.", False),
    Option("session_end_timeout", "AGENTOPS_SESSION_END_TIMEOUT", "number", "s", "5", "How long ending a session waits for its events and final update to be delivered.", False),
    Option("shutdown_timeout", "AGENTOPS_SHUTDOWN_TIMEOUT", "number", "s", "5", "Bound on the delivery at exit, on a signal and when the client is dropped.", False),
)

KEYWORDS: Tuple[str, ...] = tuple(o.name for o in OPTIONS)
