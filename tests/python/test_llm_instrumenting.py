"""When and what the LLM instrumentation patches: libraries imported before or after
`init()` and clients made before it, a missing library, a major version it does not know,
and `instrument_llm_calls=False`. Each case runs in a fresh interpreter."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("openai")
pytest.importorskip("anthropic")

from ao_support import events_of, run, wait_for  # noqa: E402

CALL_BOTH = """
o = openai.OpenAI(base_url=LLM + "/v1", api_key="k", max_retries=0)
a = anthropic.Anthropic(base_url=LLM, api_key="k", max_retries=0)
o.chat.completions.create(model="gpt-order", messages=[{"role": "user", "content": "x"}])
a.messages.create(model="claude-order", max_tokens=8, messages=[{"role": "user", "content": "x"}])
agentops.end_session("Success")
"""


def llm_models(mock):
    return sorted(e["model"] for e in events_of(mock) if e["event_type"] == "llms")


@pytest.mark.parametrize("order", ["imported before init", "imported after init", "clients made before init"])
def test_every_import_order_is_instrumented(mock, llm, order):
    init = "agentops.init(KEY, endpoint=URL, max_wait_time=50)\n"
    imports = "import openai, anthropic\n"
    body = {
        "imported before init": imports + init + "LLM = os.environ['LLM']\n" + CALL_BOTH,
        "imported after init": init + imports + "LLM = os.environ['LLM']\n" + CALL_BOTH,
        "clients made before init": imports
        + "LLM = os.environ['LLM']\n"
        + CALL_BOTH.split("o.chat")[0]
        + init
        + "o.chat"
        + CALL_BOTH.split("o.chat")[1],
    }[order]
    done = run(mock, body, LLM=llm.url)
    assert done.returncode == 0, done.stderr
    assert wait_for(lambda: llm_models(mock) == ["claude-order-2026", "gpt-order-2026"]), events_of(mock)


def test_a_missing_library_is_a_silent_no_op_and_an_unknown_major_version_one_warning(mock, tmp_path):
    fake = tmp_path / "openai"
    fake.mkdir()
    (fake / "__init__.py").write_text('__version__ = "99.0.0"\n')
    body = """
    import sys
    class NoAnthropic:
        def find_spec(self, name, path=None, target=None):
            if name == "anthropic":
                raise ImportError("no anthropic here")
    sys.meta_path.insert(0, NoAnthropic())
    agentops.init(KEY, endpoint=URL, max_wait_time=50)
    import openai
    try:
        import anthropic
    except ImportError:
        print("anthropic missing")
    agentops.end_session("Success")
    """
    done = run(mock, body, PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    assert done.returncode == 0 and "anthropic missing" in done.stdout, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "openai 99.0.0" in line]
    assert len(warnings) == 1 and "not recorded" in warnings[0], done.stderr
    assert "anthropic" not in done.stderr.replace("no anthropic here", "")


def test_instrument_llm_calls_false_patches_nothing(mock, llm):
    body = """
    import openai
    from openai.resources.chat.completions import Completions
    original = Completions.create
    agentops.init(KEY, endpoint=URL, max_wait_time=50, instrument_llm_calls=False)
    assert Completions.create is original
    o = openai.OpenAI(base_url=os.environ["LLM"] + "/v1", api_key="k", max_retries=0)
    o.chat.completions.create(model="gpt-off", messages=[{"role": "user", "content": "x"}])
    agentops.end_session("Success")
    """
    done = run(mock, body, LLM=llm.url)
    assert done.returncode == 0, done.stderr
    assert wait_for(lambda: any(s.get("end_state") for s in mock.sessions().values()))
    assert llm_models(mock) == []
