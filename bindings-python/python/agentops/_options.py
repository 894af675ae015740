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
    Option(
        name="api_key",
        env="AGENTOPS_API_KEY",
        type="UUID",
        unit="",
        default="none",
        doc="Project API key. Sent only to create and re-authorise sessions; never logged.",
        agentops_03=True,
    ),
    Option(
        name="parent_key",
        env="AGENTOPS_PARENT_KEY",
        type="UUID",
        unit="",
        default="none",
        doc="Parent (organisation) key, sent only when a session is created.",
        agentops_03=True,
    ),
    Option(
        name="endpoint",
        env="AGENTOPS_API_ENDPOINT",
        type="URL",
        unit="",
        default="https://api.agentops.ai",
        doc="Base URL of the AgentOps backend.",
        agentops_03=True,
    ),
    Option(
        name="max_wait_time",
        env="AGENTOPS_MAX_WAIT_TIME",
        type="number",
        unit="ms",
        default="5000",
        doc="A session's pending events are sent at most this long after the first of them.",
        agentops_03=True,
    ),
    Option(
        name="max_queue_size",
        env="AGENTOPS_MAX_QUEUE_SIZE",
        type="integer",
        unit="events",
        default="512",
        doc="Events per request: a session's batch is sent as soon as it holds this many.",
        agentops_03=True,
    ),
    Option(
        name="default_tags",
        env="AGENTOPS_DEFAULT_TAGS",
        type="list of tags",
        unit="",
        default="none",
        doc="Tags of every session (comma-separated in the environment); setting them again adds to them.",
        agentops_03=True,
    ),
    Option(
        name="instrument_llm_calls",
        env="AGENTOPS_INSTRUMENT_LLM_CALLS",
        type="boolean",
        unit="",
        default="true",
        doc="Record LLM client calls automatically (accepted; LLM events are recorded explicitly for now).",
        agentops_03=True,
    ),
    Option(
        name="auto_start_session",
        env="AGENTOPS_AUTO_START_SESSION",
        type="boolean",
        unit="",
        default="true",
        doc="`init` starts a session.",
        agentops_03=True,
    ),
    Option(
        name="skip_auto_end_session",
        env="AGENTOPS_SKIP_AUTO_END_SESSION",
        type="boolean",
        unit="",
        default="false",
        doc="Leave sessions open when the process exits (their events are still delivered).",
        agentops_03=True,
    ),
    Option(
        name="env_data_opt_out",
        env="AGENTOPS_ENV_DATA_OPT_OUT",
        type="boolean",
        unit="",
        default="false",
        doc="Send no host environment details with sessions.",
        agentops_03=True,
    ),
    Option(
        name="exporter",
        env="AGENTOPS_EXPORTER",
        type="exporter",
        unit="",
        default="agentops when a key is set, else nothing starts",
        doc="Where sessions go: `agentops` (the REST v2 API) or `file` (local JSONL files, no key needed).",
        agentops_03=False,
    ),
    Option(
        name="export_dir",
        env="AGENTOPS_EXPORT_DIR",
        type="path",
        unit="",
        default="agentops_sessions",
        doc="Directory of the file exporter: one `<session id>.jsonl` per session.",
        agentops_03=False,
    ),
    Option(
        name="max_buffered_events",
        env="AGENTOPS_MAX_BUFFERED_EVENTS",
        type="integer",
        unit="events",
        default="131072",
        doc="Bound on events recorded but not yet delivered; beyond it new events are dropped and counted, never waited for.",
        agentops_03=False,
    ),
    Option(
        name="max_buffered_bytes",
        env="AGENTOPS_MAX_BUFFERED_BYTES",
        type="integer",
        unit="bytes",
        default="67108864",
        doc="Bound on the estimated size of those events.",
        agentops_03=False,
    ),
    Option(
        name="request_timeout",
        env="AGENTOPS_REQUEST_TIMEOUT",
        type="number",
        unit="s",
        default="10",
        doc="Bound on every HTTP request.",
        agentops_03=False,
    ),
    Option(
        name="max_retry_time",
        env="AGENTOPS_MAX_RETRY_TIME",
        type="number",
        unit="s",
        default="60",
        doc="Bound on the total time one request is retried before its events are dropped and counted.",
        agentops_03=False,
    ),
    Option(
        name="retry_initial_backoff",
        env="AGENTOPS_RETRY_INITIAL_BACKOFF",
        type="number",
        unit="s",
        default="0.1",
        doc="First retry delay; it doubles per attempt (±20 % jitter) up to `retry_max_backoff`.",
        agentops_03=False,
    ),
    Option(
        name="retry_max_backoff",
        env="AGENTOPS_RETRY_MAX_BACKOFF",
        type="number",
        unit="s",
        default="5",
        doc="Longest retry delay (a `Retry-After` answer is obeyed up to 30 s).",
        agentops_03=False,
    ),
    Option(
        name="session_start_timeout",
        env="AGENTOPS_SESSION_START_TIMEOUT",
        type="number",
        unit="s",
        default="2",
        doc="How long starting a session waits for the backend; a slow backend still yields a session.",
        agentops_03=False,
    ),
    Option(
        name="session_end_timeout",
        env="AGENTOPS_SESSION_END_TIMEOUT",
        type="number",
        unit="s",
        default="5",
        doc="How long ending a session waits for its events and final update to be delivered.",
        agentops_03=False,
    ),
    Option(
        name="shutdown_timeout",
        env="AGENTOPS_SHUTDOWN_TIMEOUT",
        type="number",
        unit="s",
        default="5",
        doc="Bound on the delivery at exit, on a signal and when the client is dropped.",
        agentops_03=False,
    ),
)

KEYWORDS: Tuple[str, ...] = tuple(o.name for o in OPTIONS)
