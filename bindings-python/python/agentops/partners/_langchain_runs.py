"""What agentops 0.3's LangChain handlers record, without LangChain itself: each run becomes
an event when it ends, with the run's start and end times and the run id as the event id
(so nested runs are linked by their ids): LLM and chat-model runs → `LLMEvent`, tools →
`ToolEvent`, chains → `ActionEvent("chain")`, retrievers → `ActionEvent("retriever")`,
agent actions → `ActionEvent("agent")` (recorded when the agent finishes), retries →
`ActionEvent("retry")`, and every `on_*_error` → an `ErrorEvent` linked to its run's event.
A failure in here is logged (once) and never reaches LangChain."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional

from .. import _native
from ..client import Client
from ..llms._recording import now_iso
from ..log_config import logger

ActionEvent, LLMEvent, ToolEvent, ErrorEvent = (
    _native.ActionEvent,
    _native.LLMEvent,
    _native.ToolEvent,
    _native.ErrorEvent,
)
ERRORS = (Exception, _native.PanicException)


def model_of(kwargs: Dict[str, Any]) -> str:
    """0.3's choice: the invocation's `model` (or `model_name`), else its `_type`."""
    params = kwargs.get("invocation_params") or {}
    for key in ("model", "model_name", "_type"):
        if params.get(key):
            return str(params[key])
    return "unknown_model"


def message_dict(message: Any) -> Dict[str, Any]:
    return {"role": getattr(message, "type", "unknown"), "content": getattr(message, "content", message)}


def _tokens(response: Any) -> tuple:
    """(prompt, completion) tokens: `llm_output["token_usage"]` as 0.3 read it, else the
    first generation's `usage_metadata` (chat models of langchain-core ≥ 0.2)."""
    usage = (getattr(response, "llm_output", None) or {}).get("token_usage") or {}
    if usage:
        return usage.get("prompt_tokens"), usage.get("completion_tokens")
    try:
        metadata = response.generations[0][0].message.usage_metadata or {}
    except (AttributeError, IndexError, TypeError):
        return None, None
    return metadata.get("input_tokens"), metadata.get("output_tokens")


class Runs:
    """The events of the runs under way, by run id, and the client they are recorded with."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.open: Dict[str, Any] = {}
        self.agent_actions: Dict[str, List[Any]] = defaultdict(list)
        self._failure_logged = False
        self._lock = threading.Lock()

    @classmethod
    def for_options(cls, **options: Any) -> "Runs":
        """0.3's setup: the `Client()` singleton, configured with the options given (and
        with its own LLM instrumentation off, LangChain reporting the calls) when no session
        is open yet, then initialised."""
        client = Client()
        given = {k: v for k, v in options.items() if v is not None}
        if client.session_count == 0:
            client.configure(**given, instrument_llm_calls=False)
        if not client.is_initialized:
            client.initialize()
        return cls(client)

    # -- plumbing --------------------------------------------------------------------------
    def handle(self, callback: str, args: tuple, kwargs: Dict[str, Any]) -> None:
        try:
            getattr(self, callback)(*args, **kwargs)
        except ERRORS as e:
            with self._lock:
                first, self._failure_logged = not self._failure_logged, True
            if first:
                logger.warning("The LangChain handler could not record a run (%s): %r", callback, e)
            else:
                logger.debug("The LangChain handler could not record a run (%s): %r", callback, e)

    def _start(self, run_id: Any, event: Any) -> None:
        event.id = run_id
        self.open[str(run_id)] = event

    def _end(self, run_id: Any, fill: Optional[Callable[[Any], None]] = None) -> Optional[Any]:
        event = self.open.pop(str(run_id), None)
        if event is None:
            return None
        event.end_timestamp = now_iso()
        if fill is not None:
            fill(event)
        return event

    def _record(self, event: Optional[Any]) -> None:
        if event is not None:
            self.client.record(event)

    def _fail(self, run_id: Any, error: BaseException) -> None:
        event = self._end(run_id)
        if event is not None:
            self.client.record(ErrorEvent(trigger_event=event, exception=error))

    def _fail_with(self, event: Any, error_type: str, details: Any) -> None:
        self.client.record(ErrorEvent(trigger_event=event, error_type=error_type, details=details))

    # -- LLM and chat-model runs ------------------------------------------------------------
    def on_llm_start(
        self, serialized: Any, prompts: List[str], *, run_id: Any, metadata: Any = None, **kwargs: Any
    ) -> None:
        params = {**(serialized or {}), **(metadata or {}), **kwargs}
        self._start(run_id, LLMEvent(params=params, model=model_of(kwargs), prompt=prompts[0] if prompts else None))

    def on_chat_model_start(
        self, serialized: Any, messages: List[List[Any]], *, run_id: Any, metadata: Any = None, **kwargs: Any
    ) -> None:
        params = {**(serialized or {}), **(metadata or {}), **kwargs}
        prompt = [message_dict(m) for m in messages[0]] if messages else None
        self._start(run_id, LLMEvent(params=params, model=model_of(kwargs), prompt=prompt))

    def on_llm_end(self, response: Any, *, run_id: Any, **kwargs: Any) -> None:
        event = self._end(run_id)
        if event is None:
            return
        generations = getattr(response, "generations", None) or []
        if not generations or not generations[0]:
            self._fail_with(event, "NoGenerations", "on_llm_end: No generations")
            return
        text = generations[0][0].text
        event.completion = text
        event.returns = {"content": text, "generations": generations}
        event.prompt_tokens, event.completion_tokens = _tokens(response)
        self.client.record(event)

    def on_llm_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # -- chains, tools, retrievers -------------------------------------------------------------
    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: Any, metadata: Any = None, **kwargs: Any) -> None:
        given = inputs if isinstance(inputs, dict) else {"input": inputs}
        params = {**(serialized or {}), **given, **(metadata or {}), **kwargs}
        self._start(run_id, ActionEvent(params=params, action_type="chain"))

    def on_chain_end(self, outputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._record(self._end(run_id, lambda event: setattr(event, "returns", outputs)))

    def on_chain_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
        self._fail(run_id, error)

    def on_tool_start(
        self,
        serialized: Any,
        input_str: str,
        *,
        run_id: Any,
        tags: Any = None,
        metadata: Any = None,
        inputs: Any = None,
        **kwargs: Any,
    ) -> None:
        serialized = serialized or {}
        logs = {**serialized, "tags": tags, **(metadata or {}), **(inputs or {}), **kwargs}
        name = serialized.get("name") or kwargs.get("name")
        self._start(run_id, ToolEvent(params=input_str if inputs is None else inputs, name=name, logs=logs))

    def on_tool_end(self, output: Any, *, run_id: Any, **kwargs: Any) -> None:
        event = self._end(run_id, lambda e: setattr(e, "returns", output))
        if event is None:
            return
        # A tool can fail quietly through `on_tool_end` (0.3's workaround, kept).
        if kwargs.get("name") == "_Exception":
            self._fail_with(event, "LangchainToolException", output)
        else:
            self.client.record(event)

    def on_tool_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
        self._fail(run_id, error)

    def on_retriever_start(
        self, serialized: Any, query: str, *, run_id: Any, metadata: Any = None, **kwargs: Any
    ) -> None:
        params = {**(serialized or {}), "query": query, **(metadata or {}), **kwargs}
        self._start(run_id, ActionEvent(params=params, action_type="retriever"))

    def on_retriever_end(self, documents: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._record(self._end(run_id, lambda event: setattr(event, "logs", documents)))

    def on_retriever_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # -- agents and retries ------------------------------------------------------------------
    def on_agent_action(self, action: Any, *, run_id: Any, **kwargs: Any) -> None:
        self.agent_actions[str(run_id)].append(ActionEvent(params={"action": action, **kwargs}, action_type="agent"))

    def on_agent_finish(self, finish: Any, *, run_id: Any, **kwargs: Any) -> None:
        actions = self.agent_actions.pop(str(run_id), [])
        if actions:  # 0.3 attaches the finish to the last action
            actions[-1].returns = finish.to_json() if hasattr(finish, "to_json") else finish
        for action in actions:
            self.client.record(action)

    def on_retry(self, retry_state: Any, *, run_id: Any, **kwargs: Any) -> None:
        self.client.record(ActionEvent(params={**kwargs}, returns=str(retry_state), action_type="retry"))


# The callbacks the handlers forward (the others are LangChain's no-op defaults).
CALLBACKS = tuple(name for name in vars(Runs) if name.startswith("on_"))
