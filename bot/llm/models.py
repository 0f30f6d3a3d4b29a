"""The language model behind LLM mode: any LangChain chat model, chosen by one setting.

`CITEBOT_LLM=provider:model` (`openai:gpt-4o-mini`, `ollama:llama3.2`, `anthropic:claude-...`,
`groq:...`) goes through LangChain's `init_chat_model`, with the provider's integration package
installed as an extra (`pip install 'citebot[openai]'`); `CITEBOT_LLM=gguf` runs a local GGUF
file in process (`bot.llm.gguf`); the older `CITEBOT_LLM=openai|ollama` with `CITEBOT_LLM_MODEL`
still work (mapped to `openai:<model>` at `OPENAI_BASE_URL`, `ollama:<model>` at
`CITEBOT_OLLAMA_URL`). Any `BaseChatModel` can also be handed to `ChatModel` directly (tests use
LangChain's fake chat models).

`ChatModel` is how citebot calls it: the reply streamed as text through the model's own
`.stream()` (retries and per-request timeouts are the SDK's), one deadline for the whole call
(`settings.llm_timeout`), and every failure as an `LLMError` with a short message that names the
endpoint without credentials and never carries a response body or a key.
"""

from __future__ import annotations

import http
import importlib.util
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel

from bot.config import Settings
from bot.errors import LLMError

#: Python package of each provider's LangChain integration, and the citebot extra installing it.
PROVIDER_PACKAGES = {"openai": ("langchain_openai", "openai"), "ollama": ("langchain_ollama", "ollama"),
                     "anthropic": ("langchain_anthropic", "anthropic"), "groq": ("langchain_groq", "groq")}
#: Retries the SDKs make on a connection error or a 5xx, within the whole-call deadline.
RETRIES = 2
_END = object()


def redact(url: str) -> str:
    """`url` without user:password@ and without a query string (where keys sometimes hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def model_spec(settings: Settings) -> tuple[str, str]:
    """(provider, model) that `settings.llm` asks for (`gguf` has no model name)."""
    if settings.llm in ("openai", "ollama"):
        return settings.llm, settings.llm_model
    if settings.llm == "gguf":
        return "gguf", ""
    provider, _, model = settings.llm.partition(":")
    return provider.strip().lower(), model.strip()


class ChatModel:
    """A LangChain chat model as citebot calls it; built on first use when given a factory."""

    def __init__(self, model: BaseChatModel | Callable[[], BaseChatModel], *, description: str, timeout: float,
                 where: str, limit: Callable[[int], dict[str, Any]] = lambda n: {"max_tokens": n},
                 grammar: Callable[[str], dict[str, Any]] | None = None) -> None:
        self._model = model if isinstance(model, BaseChatModel) else None
        self._factory = None if isinstance(model, BaseChatModel) else model
        self._building = threading.Lock()
        self.description = description
        self.timeout = timeout
        self.where = where  # "The language model at http://host:port/v1", "Ollama at ...": starts messages
        self._limit = limit
        self._grammar = grammar  #: how a GBNF grammar reaches the model (llama.cpp); None: it cannot

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatModel:
        provider, name = model_spec(settings)
        if provider == "gguf":
            from bot.llm.gguf import GGUFChatModel, bundled_gguf

            path = settings.gguf_path or bundled_gguf()
            return cls(lambda: GGUFChatModel.load(path), description=GGUFChatModel.describe_path(path),
                       timeout=settings.llm_timeout, where=f"The local model {path.name if path else ''}".rstrip(),
                       grammar=lambda g: {"grammar": g})
        url = {"openai": settings.openai_base_url, "ollama": settings.ollama_url}.get(provider)
        where = (f"Ollama at {redact(url)}" if provider == "ollama" else
                 f"The language model at {redact(url)}" if url else f"The language model ({provider})")
        description = f"{provider}:{name or '(unset: CITEBOT_LLM=provider:model)'}" + (f" at {redact(url)}" if url else "")
        return cls(lambda: _init(settings, provider, name, url), description=description,
                   timeout=settings.llm_timeout, where=where, limit=_limit_for(provider, url),
                   # llama.cpp's OpenAI-compatible server reads "grammar" from the request body.
                   grammar=(lambda g: {"extra_body": {"grammar": g}}) if provider == "openai" else None)

    def describe(self) -> str:
        return self.description

    def model(self) -> BaseChatModel:
        """The chat model (built now if it was not yet; LLMError when it cannot be)."""
        if self._model is None:
            with self._building:
                if self._model is None:
                    assert self._factory is not None
                    self._model = self._factory()
        return self._model

    def stream(self, messages: Sequence[Any], *, max_tokens: int, grammar: str | None = None) -> Iterator[str]:
        """The reply to `messages` (LangChain messages or {"role", "content"} dicts), as text
        deltas in order, held to the GBNF `grammar` if given (llama.cpp models only: LLMError otherwise).
        The whole call, first token to last, is bounded by `timeout`."""
        model = self.model()
        options = self._limit(max_tokens)
        if grammar is not None:
            if self._grammar is None:
                raise LLMError(f"{self.where} cannot be held to a grammar (only llama.cpp models can)")
            extra = self._grammar(grammar)
            options = {**options, **extra,
                       "extra_body": {**options.get("extra_body", {}), **extra.get("extra_body", {})}}
            if not options["extra_body"]:
                del options["extra_body"]
        items: queue.SimpleQueue[Any] = queue.SimpleQueue()
        stop = threading.Event()

        def produce() -> None:
            try:
                for chunk in model.stream(list(messages), **options):
                    if stop.is_set():
                        return
                    text = chunk.content if isinstance(chunk.content, str) else chunk.text
                    if text:
                        items.put(text)
                items.put(_END)
            except ValueError as exc:
                # langchain-core's word for a stream that ended before any text: an empty reply.
                items.put(_END if "No generation chunks" in str(exc) else exc)
            except BaseException as exc:  # handed to the consumer, mapped there
                items.put(exc)

        threading.Thread(target=produce, name="citebot-llm", daemon=True).start()
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                try:
                    item = items.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise LLMError(f"{self.where} did not answer within {self.timeout:g} s") from None
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise self._error(item) from None
                yield item
        finally:
            stop.set()

    def _error(self, exc: BaseException) -> LLMError:
        """`exc` (raised by an SDK) as the short message a user may see: never its body."""
        if isinstance(exc, LLMError):
            return exc
        kind = type(exc).__name__
        names = {cls.__name__ for cls in type(exc).__mro__}
        status = getattr(exc, "status_code", None)
        if kind == "ResponseError" and type(exc).__module__.startswith("ollama"):  # Ollama's own error text
            return LLMError(f"{self.where} reported an error: {str(getattr(exc, 'error', ''))[:200]}")
        if any("Timeout" in name for name in names):
            return LLMError(f"{self.where} did not answer within {self.timeout:g} s")
        if isinstance(status, int) and status >= 400:
            try:
                phrase = http.HTTPStatus(status).phrase
            except ValueError:
                phrase = "error"
            return LLMError(f"{self.where} answered HTTP {status} ({phrase})")
        if any("Connect" in name for name in names) or isinstance(exc, ConnectionError):
            return LLMError(f"Cannot reach {_object(self.where)} ({kind})")
        if "APIError" in names:  # an error event inside a stream that had started
            return LLMError(f"{self.where} reported an error")
        if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError, IndexError)):
            return LLMError(f"The reply of {_object(self.where)} was not a chat completion")
        return LLMError(f"{self.where} failed ({kind})")


def _object(where: str) -> str:
    """`where` in the middle of a sentence: "the language model at ...", "Ollama at ..."."""
    return where[:1].lower() + where[1:] if where.startswith("The ") else where


def _limit_for(provider: str, url: str | None = None) -> Callable[[int], dict[str, Any]]:
    """How a call's answer length is asked of each provider's chat model."""
    if provider == "ollama":
        return lambda n: {"options": {"num_predict": n, "temperature": 0.0}}
    if provider == "openai" and url and "api.openai.com" not in url:
        # langchain-openai sends max_completion_tokens; OpenAI-compatible servers (llama.cpp, vLLM,
        # Ollama's /v1) read max_tokens: send both.
        return lambda n: {"max_tokens": n, "extra_body": {"max_tokens": n}}
    return lambda n: {"max_tokens": n}


def _init(settings: Settings, provider: str, name: str, url: str | None) -> BaseChatModel:
    """`init_chat_model` for `provider:name`, with the settings' endpoint, key and timeouts."""
    if not name:
        raise LLMError(f"CITEBOT_LLM={settings.llm} names no model: write provider:model, e.g. openai:gpt-4o-mini")
    package, extra = PROVIDER_PACKAGES.get(provider, (f"langchain_{provider}", provider))
    if importlib.util.find_spec(package) is None:
        raise LLMError(f"CITEBOT_LLM={provider}:{name} needs the {package.replace('_', '-')} package: "
                       f"pip install 'citebot[{extra}]'" if provider in PROVIDER_PACKAGES
                       else f"CITEBOT_LLM={provider}:{name} needs the {package.replace('_', '-')} package")
    from langchain.chat_models import init_chat_model

    options: dict[str, Any] = {"temperature": 0.0}
    if provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        # An OpenAI-compatible server without keys (llama.cpp, vLLM, Ollama's /v1) still needs a value.
        options.update(base_url=url, api_key=key or "unused", timeout=settings.llm_timeout, max_retries=RETRIES,
                       stream_usage=False)
    elif provider == "ollama":
        options.update(base_url=url, client_kwargs={"timeout": settings.llm_timeout})
    elif provider in ("anthropic", "groq"):
        options.update(timeout=settings.llm_timeout, max_retries=RETRIES)
    try:
        return init_chat_model(name, model_provider=provider, **options)
    except Exception as exc:  # its text may quote the options, key included: never shown
        raise LLMError(f"CITEBOT_LLM={provider}:{name} could not be set up ({type(exc).__name__})") from None
