"""Optional LLM answer mode: synthesised answers whose citations are verified.

Switched on by `CITEBOT_LLM` (openai / ollama / gguf); the extractive answerer stays the
default. `AnswerCore` builds an `LLMAnswerer` from the settings and calls it only after its
checks that run before the model pass (bot.answering.checks); everything that goes wrong ends
in the extractive answer (or its refusal), marked
"fallback". Verification lives in `bot.llm.verify`.
"""

from bot.llm.answerer import LLMAnswerer, stream_answer
from bot.llm.client import ChatClient, LLMError, bundled_gguf, make_client

__all__ = ["ChatClient", "LLMAnswerer", "LLMError", "bundled_gguf", "make_client", "stream_answer"]
