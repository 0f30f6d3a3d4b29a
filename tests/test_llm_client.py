"""LLM mode's chat models (bot/llm/models.py): LangChain's OpenAI and Ollama integrations
against the scripted server on 127.0.0.1, the errors users see, and the settings that choose them."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from openai_server import KEY, Reply, ScriptedLLM, llm  # noqa: F401 - llm is a fixture
from pydantic import SecretStr, ValidationError

from bot.config import Settings
from bot.llm import gguf as gguf_module
from bot.llm.gguf import GGUFChatModel
from bot.llm.models import ChatModel, LLMError, model_spec, redact

MESSAGES = [{"role": "user", "content": "Say hello."}]


def llm_settings(**values: object) -> Settings:
    """Settings (no .env file) with `values` set as they are, unvalidated."""
    return Settings(_env_file=None).model_copy(update=values)


def openai(server: ScriptedLLM, timeout: float = 5.0, key: str | None = KEY) -> ChatModel:
    return ChatModel.from_settings(llm_settings(llm="openai:scripted", openai_base_url=server.url,
                                                llm_timeout=timeout, openai_api_key=SecretStr(key) if key else None))


def test_openai_models_go_through_langchain_openai(llm: ScriptedLLM) -> None:
    llm.script("Hello there, friend.")
    model = openai(llm)
    assert "".join(model.stream(MESSAGES, max_tokens=5)) == "Hello there, friend."
    assert type(model.model()).__module__.startswith("langchain_openai")
    (request,) = llm.requests
    assert request.path == "/v1/chat/completions" and request.headers["Authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == "scripted" and body["stream"] is True and body["temperature"] == 0.0
    assert body["messages"] == [{"role": "user", "content": "Say hello."}]
    # An OpenAI-compatible server reads max_tokens, OpenAI itself max_completion_tokens: both are sent.
    assert body["max_tokens"] == 5 and body["max_completion_tokens"] == 5


def test_without_a_key_no_secret_is_sent(llm: ScriptedLLM) -> None:
    llm.script("hi")
    assert "".join(openai(llm, key=None).stream(MESSAGES, max_tokens=5)) == "hi"
    assert llm.requests[0].headers["Authorization"] == "Bearer unused"


def test_ollama_models_go_through_langchain_ollama(llm: ScriptedLLM) -> None:
    llm.script("Hello there, friend.")
    model = ChatModel.from_settings(llm_settings(llm="ollama:llama3.2", ollama_url=llm.root, llm_timeout=5))
    assert "".join(model.stream(MESSAGES, max_tokens=7)) == "Hello there, friend."
    assert type(model.model()).__module__.startswith("langchain_ollama")
    (request,) = llm.requests
    assert request.path == "/api/chat" and request.body["model"] == "llama3.2"
    assert request.body["options"] == {"num_predict": 7, "temperature": 0.0}


def test_ollama_errors_are_reported(llm: ScriptedLLM) -> None:
    llm.script(Reply(garbage=b'{"error": "model \\"nope\\" not found"}\n', content_type="application/x-ndjson"))
    model = ChatModel.from_settings(llm_settings(llm="ollama:nope", ollama_url=llm.root, llm_timeout=5))
    with pytest.raises(LLMError, match='Ollama at .* reported an error: model "nope" not found'):
        list(model.stream(MESSAGES, max_tokens=5))


def test_http_errors_never_carry_the_response_body(llm: ScriptedLLM) -> None:
    llm.script(Reply(status=401))  # the body echoes the key
    with pytest.raises(LLMError) as caught:
        list(openai(llm).stream(MESSAGES, max_tokens=5))
    assert str(caught.value) == f"The language model at {llm.url} answered HTTP 401 (Unauthorized)"
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_server_errors_are_retried_by_the_sdk_within_the_deadline(llm: ScriptedLLM) -> None:
    llm.script(Reply(status=500), Reply("Recovered."))
    assert "".join(openai(llm).stream(MESSAGES, max_tokens=5)) == "Recovered."
    assert len(llm.requests) == 2
    llm.script(*[Reply(status=503)] * 5)
    with pytest.raises(LLMError, match=r"answered HTTP 503 \(Service Unavailable\)"):
        list(openai(llm).stream(MESSAGES, max_tokens=5))
    assert len(llm.requests) == 3  # the first try and two retries


def test_the_deadline_bounds_the_whole_call(llm: ScriptedLLM) -> None:
    for reply in (Reply("one two three four five six", stall=3), Reply("never", hang=3)):
        llm.script(reply)
        started = time.monotonic()
        with pytest.raises(LLMError, match="did not answer within 1 s"):
            list(openai(llm, timeout=1.0).stream(MESSAGES, max_tokens=5))
        assert time.monotonic() - started < 2.0


def test_an_endpoint_that_is_down_is_named_without_credentials() -> None:
    model = ChatModel.from_settings(llm_settings(llm="openai:gpt", openai_base_url="http://user:pw@127.0.0.1:9/v1",
                                                 llm_timeout=5))
    with pytest.raises(LLMError, match=r"^Cannot reach the language model at http://127\.0\.0\.1:9/v1 \(") as caught:
        list(model.stream(MESSAGES, max_tokens=5))
    assert "pw" not in str(caught.value)


def test_urls_are_shown_without_credentials() -> None:
    assert redact("https://user:pw@example.com:8443/v1?api-key=abc") == "https://example.com:8443/v1"
    model = ChatModel.from_settings(llm_settings(llm="openai:gpt", openai_base_url="https://user:pw@example.com/v1/"))
    assert model.describe() == "openai:gpt at https://example.com/v1/"


def test_the_settings_choose_the_provider_and_the_older_form_still_works(tmp_path: Path) -> None:
    assert model_spec(llm_settings(llm="openai", llm_model="gpt-4o-mini")) == ("openai", "gpt-4o-mini")
    assert model_spec(llm_settings(llm="ollama", llm_model="llama3.2")) == ("ollama", "llama3.2")
    assert model_spec(Settings(_env_file=None, llm="Anthropic:claude-haiku")) == ("anthropic", "claude-haiku")
    assert model_spec(llm_settings(llm="gguf")) == ("gguf", "")
    for wrong in ("gpt-4o", "openai:", ":model", "open ai:x"):
        with pytest.raises(ValidationError, match="provider:model"):
            Settings(_env_file=None, llm=wrong)
    assert Settings(_env_file=None, embeddings="OLLAMA:nomic-embed-text").embeddings == "ollama:nomic-embed-text"


def test_a_provider_whose_package_is_missing_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "langchain_groq" else real(name, *a))
    model = ChatModel.from_settings(llm_settings(llm="groq:llama-3.1-8b-instant"))
    with pytest.raises(LLMError, match=r"needs the langchain-groq package: pip install 'citebot\[groq\]'"):
        list(model.stream(MESSAGES, max_tokens=5))


def test_gguf_without_the_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(gguf_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == "llama_cpp" else real(name, *a))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    chat = ChatModel.from_settings(llm_settings(llm="gguf", gguf_path=model))
    with pytest.raises(LLMError, match=r"needs llama-cpp-python, which is not installed: pip install 'llama-cpp-python\["):
        list(chat.stream(MESSAGES, max_tokens=5))


def test_gguf_without_a_model_file(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="No GGUF model file at .*missing.gguf"):
        GGUFChatModel.load(tmp_path / "missing.gguf")


def test_quoting_is_on_for_local_models_and_refused_where_no_grammar_reaches_the_model() -> None:
    from bot.llm import LLMAnswerer

    def quoting(**values: object) -> bool:
        return LLMAnswerer.from_settings(Settings(_env_file=None, **values), None).quote

    assert quoting(llm="gguf") and not quoting(llm="gguf", llm_quote=False)
    assert not quoting(llm="openai:gpt-4o-mini") and quoting(llm="openai:qwen", llm_quote=True)
    for provider in ("anthropic:claude-haiku", "ollama:llama3.2"):
        with pytest.raises(ValidationError, match="llm_quote needs a llama.cpp model"):
            Settings(_env_file=None, llm=provider, llm_quote=True)
    model = ChatModel.from_settings(llm_settings(llm="ollama:llama3.2"))
    with pytest.raises(LLMError, match="cannot be held to a grammar"):
        list(model.stream(MESSAGES, max_tokens=5, grammar='root ::= "x"'))
