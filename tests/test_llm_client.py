"""The chat clients of bot/llm/client.py against the scripted server (no index needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.llm import client as client_module
from bot.llm.client import GGUFClient, LLMError, OllamaClient, OpenAIClient, make_client, redact
from openai_server import KEY, Reply, ScriptedLLM, llm  # noqa: F401 - llm is a fixture

MESSAGES = [{"role": "user", "content": "Say hello."}]


def openai(server: ScriptedLLM, timeout: float = 5.0) -> OpenAIClient:
    return OpenAIClient(server.url, "scripted", SecretStr(KEY), timeout)


def test_sse_details_are_handled(llm: ScriptedLLM) -> None:
    body = (b": keep-alive comment\r\n\r\n"
            b'data: {"choices": [{"delta": {"role": "assistant"}}]}\r\n\r\n'
            b"event: message\nid: 1\n"
            b'data: {"choices": [{"delta": {"content": "Hel"}}]}\n\n'
            b'data: {"choices": [{"delta": {"content": null}}]}\n\n'
            b'data: {"choices": []}\n\n'
            b'data:{"choices": [{"delta": {"content": "lo \\u00e9"}}]}\n\n'
            b"data: [DONE]\n\n"
            b'data: {"choices": [{"delta": {"content": "after the end"}}]}\n\n')
    llm.script(Reply(garbage=body))
    assert list(openai(llm).stream(MESSAGES, max_tokens=5)) == ["Hel", "lo é"]
    (request,) = llm.requests
    assert request.body == {"model": "scripted", "messages": MESSAGES, "stream": True, "max_tokens": 5, "temperature": 0.0}
    assert request.headers["Authorization"] == f"Bearer {KEY}" and request.headers["Accept"] == "text/event-stream"


def test_no_key_no_authorization_header(llm: ScriptedLLM) -> None:
    llm.script("hi")
    assert "".join(OpenAIClient(llm.url, "m", None, 5).stream(MESSAGES, max_tokens=5)) == "hi"
    assert "Authorization" not in llm.requests[0].headers


def test_ollama_ndjson(llm: ScriptedLLM) -> None:
    llm.script("Hello there, friend.")
    client = OllamaClient(llm.root, "llama3.2", 5)
    assert "".join(client.stream(MESSAGES, max_tokens=7, temperature=0.2)) == "Hello there, friend."
    assert llm.requests[0].body["options"] == {"temperature": 0.2, "num_predict": 7}


def test_ollama_error_is_reported(llm: ScriptedLLM) -> None:
    llm.script(Reply(garbage=b'{"error": "model \\"nope\\" not found"}\n', content_type="application/x-ndjson"))
    with pytest.raises(LLMError, match='Ollama at .* reported an error: model "nope" not found'):
        list(OllamaClient(llm.root, "nope", 5).stream(MESSAGES, max_tokens=5))


def test_http_errors_never_carry_the_response_body(llm: ScriptedLLM) -> None:
    llm.script(Reply(status=401))  # the body echoes the key
    with pytest.raises(LLMError) as caught:
        list(openai(llm).stream(MESSAGES, max_tokens=5))
    assert str(caught.value) == f"The language model at {llm.url} answered HTTP 401 (Unauthorized)"
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_the_deadline_bounds_a_slow_trickle(llm: ScriptedLLM) -> None:
    llm.script(Reply("one two three four five six", stall=2))
    with pytest.raises(LLMError, match="did not answer within 1 s"):
        list(openai(llm, timeout=1.0).stream(MESSAGES, max_tokens=5))


def test_urls_are_shown_without_credentials() -> None:
    assert redact("https://user:pw@example.com:8443/v1?api-key=abc") == "https://example.com:8443/v1"
    client = OpenAIClient("https://user:pw@example.com/v1/", "gpt", SecretStr(KEY), 5)
    assert client.describe() == "OpenAI-compatible endpoint at https://example.com/v1, model gpt"


def test_gguf_without_the_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(client_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == "llama_cpp" else real(name, *a))
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    with pytest.raises(LLMError, match=r"needs llama-cpp-python, which is not installed: pip install 'llama-cpp-python\[server\]"):
        list(GGUFClient(model, 5).stream(MESSAGES, max_tokens=5))


def test_gguf_without_a_model_file(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="No GGUF model file at .*missing.gguf"):
        list(GGUFClient(tmp_path / "missing.gguf", 5).stream(MESSAGES, max_tokens=5))


def test_make_client_follows_the_settings(tmp_path: Path) -> None:
    base = Settings(_env_file=None, docs_dir=tmp_path, data_dir=tmp_path)
    assert isinstance(make_client(base.model_copy(update={"llm": "openai"})), OpenAIClient)
    assert isinstance(make_client(base.model_copy(update={"llm": "ollama"})), OllamaClient)
    gguf = make_client(base.model_copy(update={"llm": "gguf", "gguf_path": tmp_path / "m.gguf"}))
    assert isinstance(gguf, GGUFClient) and gguf.path == tmp_path / "m.gguf"
    with pytest.raises(ValueError):
        make_client(base)
