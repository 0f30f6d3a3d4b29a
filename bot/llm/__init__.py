"""Optional LLM answer mode: synthesised answers whose citations are verified.

Switched on by `CITEBOT_LLM` (`provider:model` through LangChain's `init_chat_model`, or `gguf`
for a local file; see `bot.llm.models`); the extractive answerer stays the default.
`AnswerCore` builds an `LLMAnswerer` from the settings and calls it only after its checks that
run before the model pass (bot.answering.checks); everything that goes wrong ends in the
extractive answer (or its refusal), marked "fallback". Verification lives in `bot.llm.verify`.
"""

from bot.llm.answerer import LLMAnswerer, stream_answer
from bot.llm.models import ChatModel, LLMError, redact

__all__ = ["ChatModel", "LLMAnswerer", "LLMError", "redact", "stream_answer"]
