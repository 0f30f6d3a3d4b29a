"""Quoting answers: a GBNF grammar that lets a llama.cpp model write only cited passage sentences.

A small local model asked to cite writes wrong numbers, bare markers ("[1] [2]"), loose
translations and facts of its own (bench/README.md, "LLM mode"). Under `quote_grammar`, the
only replies llama.cpp can sample are the decline line or one to `MAX_SENTENCES` sentences,
each a sentence of the passages copied whole after its own passage's number, exactly as the
passages reach the model (`bot.llm.answerer`): "[2] A sentence of passage 2. [1] One of
passage 1.". The model still chooses which sentences answer, and whether any does; the
number and the words of every sentence it writes are right by construction. Verification
(`bot.llm.verify`) still runs after it, as for any model.

llama.cpp reads the grammar in process (`CITEBOT_LLM=gguf`) and in its OpenAI-compatible
server (`"grammar"` in the request body); no other provider does, so the setting
`llm_quote` is on for `gguf` only unless asked for (`bot.config`).
"""

from __future__ import annotations

from collections.abc import Sequence

#: At most this many passage sentences make a quoted answer (the prompt asks for one to three).
MAX_SENTENCES = 3


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def literal(text: str) -> str:
    """`text` as a GBNF string literal: quotes and backslashes escaped, control characters as
    the escapes llama.cpp reads (\\n, \\r, \\t, \\xHH), everything else as it is (UTF-8)."""
    return '"' + "".join(_ESCAPES.get(ch) or (f"\\x{ord(ch):02X}" if ord(ch) < 32 or ord(ch) == 127 else ch)
                         for ch in text) + '"'


def quote_grammar(sentences: Sequence[Sequence[str]], decline: str) -> str:
    """The grammar of a quoted answer: `decline`, or 1 to MAX_SENTENCES sentences, each
    "[n] " and one of `sentences[n - 1]` (the sentences of passage n, as the model sees them)."""
    rules = [f"p{n} ::= " + " | ".join(literal(s) for s in dict.fromkeys(group))
             for n, group in enumerate(sentences, 1) if any(group)]
    choices = [f'"[{n}] " p{n}' for n, group in enumerate(sentences, 1) if any(group)]
    if not choices:
        return f"root ::= {literal(decline)}\n"
    more = f'(" " sentence){{0,{MAX_SENTENCES - 1}}}'
    return "\n".join([f"root ::= {literal(decline)} | sentence {more}",
                      "sentence ::= " + " | ".join(choices), *rules]) + "\n"
