"""agentops 0.3's LangChain handlers with the real `langchain-core` and its fake models: LLM,
chat-model, tool, chain and error runs, sync and async, recorded as 0.3 recorded them."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("langchain_core")

import agentops  # noqa: E402
from agentops.partners.langchain_callback_handler import (  # noqa: E402
    AsyncLangchainCallbackHandler,
    LangchainCallbackHandler,
)
from ao_support import KEY, events_of, run, wait_for  # noqa: E402
from langchain_core.language_models.fake import FakeListLLM  # noqa: E402
from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402
from langchain_core.output_parsers import StrOutputParser  # noqa: E402
from langchain_core.prompts import PromptTemplate  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402
from langchain_core.tools import tool  # noqa: E402


@tool
def word_count(text: str) -> int:
    """Counts the words of a text."""
    return len(text.split())


@tool
def broken_tool(text: str) -> str:
    """Always fails."""
    raise ValueError("the tool broke")


def handler(mock, cls=LangchainCallbackHandler, **kw):
    return cls(api_key=KEY, endpoint=mock.url, max_wait_time=50, default_tags=["langchain"], **kw)


def recorded(mock, n):
    assert wait_for(lambda: len(events_of(mock)) >= n), events_of(mock)
    return events_of(mock)


def by_type(events, event_type):
    return [e for e in events if e["event_type"] == event_type]


def test_a_chain_with_an_llm_records_the_chain_and_the_llm_run_with_run_ids(mock):
    h = handler(mock)
    chain = (
        PromptTemplate.from_template("Tell me about {topic}")
        | FakeListLLM(responses=["Bees dance."])
        | StrOutputParser()
    )
    assert chain.invoke({"topic": "bees"}, config={"callbacks": [h]}) == "Bees dance."
    events = recorded(mock, 4)
    (llm,) = by_type(events, "llms")
    assert llm["prompt"] == "Tell me about bees"
    assert llm["completion"] == "Bees dance." and llm["returns"]["content"] == "Bees dance."
    assert llm["model"] == "fake-list"
    assert llm["init_timestamp"] <= llm["end_timestamp"]
    chains = [e for e in by_type(events, "actions") if e["action_type"] == "chain"]
    assert [c["params"]["name"] for c in chains] == ["PromptTemplate", "StrOutputParser", "RunnableSequence"]
    outer = chains[-1]  # recorded last: it ends last
    assert outer["params"]["topic"] == "bees" and outer["returns"] == "Bees dance."
    assert outer["init_timestamp"] <= llm["init_timestamp"] and llm["end_timestamp"] <= outer["end_timestamp"]
    assert len({e["id"] for e in events}) == len(events), "run ids are the event ids"
    assert agentops.Client().session_count == 1
    assert h.current_session_ids == [str(agentops.Client().current_session_ids[0])]


def test_a_chat_model_run_records_its_messages_and_tools_their_input_and_output(mock):
    h = handler(mock)
    chat = FakeListChatModel(responses=["Hi there"])
    assert chat.invoke("hello", config={"callbacks": [h]}).content == "Hi there"
    assert word_count.invoke("one two three", config={"callbacks": [h]}) == 3
    events = recorded(mock, 2)
    (llm,) = by_type(events, "llms")
    assert llm["prompt"] == [{"role": "human", "content": "hello"}]
    assert llm["completion"] == "Hi there" and llm["model"] == "fake-list-chat-model"
    (tool_event,) = by_type(events, "tools")
    assert tool_event["name"] == "word_count" and tool_event["params"] == "one two three"
    assert tool_event["returns"] == 3


def test_errors_of_tools_and_chains_are_linked_to_their_runs_and_propagate(mock):
    h = handler(mock)
    with pytest.raises(ValueError, match="the tool broke"):
        broken_tool.invoke("x", config={"callbacks": [h]})

    def fail(_):
        raise KeyError("missing")

    with pytest.raises(KeyError):
        RunnableLambda(fail).invoke(1, config={"callbacks": [h]})
    events = recorded(mock, 4)
    errors = by_type(events, "errors")
    tool_event = by_type(events, "tools")[0]
    chain = [e for e in by_type(events, "actions") if e["action_type"] == "chain"][0]
    assert [e["trigger_event_id"] for e in errors] == [tool_event["id"], chain["id"]]
    assert [e["error_type"] for e in errors] == ["ValueError", "KeyError"]


def test_a_retriever_run_is_an_action_with_its_query_and_documents(mock):
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class Shelf(BaseRetriever):
        def _get_relevant_documents(self, query, *, run_manager):
            return [Document(page_content=f"about {query}")]

    h = handler(mock)
    assert Shelf().invoke("bees", config={"callbacks": [h]})[0].page_content == "about bees"
    (event,) = recorded(mock, 1)
    assert (event["event_type"], event["action_type"]) == ("actions", "retriever")
    assert event["params"]["query"] == "bees"
    assert event["logs"][0]["page_content"] == "about bees"


def test_the_async_handler_records_async_runs(mock):
    h = handler(mock, AsyncLangchainCallbackHandler)
    chain = PromptTemplate.from_template("Q: {q}") | FakeListChatModel(responses=["A!"]) | StrOutputParser()

    async def main():
        first = await chain.ainvoke({"q": "why"}, config={"callbacks": [h]})
        count = await word_count.ainvoke("a b", config={"callbacks": [h]})
        return first, count

    assert asyncio.run(main()) == ("A!", 2)
    events = recorded(mock, 5)
    (llm,) = by_type(events, "llms")
    assert llm["prompt"] == [{"role": "human", "content": "Q: why"}] and llm["completion"] == "A!"
    assert len(by_type(events, "tools")) == 1
    assert len([e for e in by_type(events, "actions") if e["action_type"] == "chain"]) == 3


def test_a_failure_inside_the_handler_is_logged_once_and_the_run_continues(mock, logs, monkeypatch):
    h = handler(mock)
    monkeypatch.setattr(type(h._runs), "on_llm_start", lambda *a, **k: 1 / 0)
    llm = FakeListLLM(responses=["x", "y"])
    assert llm.invoke("a", config={"callbacks": [h]}) == "x"
    assert llm.invoke("b", config={"callbacks": [h]}) == "y"
    warnings = [m for m in logs.messages if "LangChain handler could not record" in m]
    assert len(warnings) == 1, logs.text()


def test_importing_agentops_does_not_import_langchain_and_a_missing_langchain_is_named(mock):
    done = run(
        mock,
        """
        assert "langchain_core" not in sys.modules
        class NoLangChain:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "langchain_core":
                    raise ImportError("no langchain here")
        sys.meta_path.insert(0, NoLangChain())
        try:
            from agentops import LangchainCallbackHandler
        except ImportError as e:
            print("ImportError:", e)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert "ImportError:" in done.stdout and "pip install langchain-core" in done.stdout, done.stdout
