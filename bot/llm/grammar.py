"""Quoting answers: a GBNF grammar that lets a llama.cpp model write only cited passage sentences.

A small local model asked to cite writes wrong numbers, bare markers ("[1] [2]"), loose
translations and facts of its own (bench/README.md, "LLM mode"). Under `quote_grammar`, the
only replies llama.cpp can sample are the decline line or one to `MAX_SENTENCES` different
sentences, each copied whole after its own passage's number, exactly as the passages reach
the model (`bot.llm.answerer`): "[2] A sentence of passage 2. [1] One of passage 1.". The
sentences offered are the `QUOTE_CANDIDATES` the extractive ranker ranks best; the model sees
the whole passages, and chooses which of those sentences answer, and whether any does. The
number and the words of every sentence it writes are right by construction; verification
(`bot.llm.verify`) still runs after it, as for any model.

Whether to answer at all stays with the extractive decision (`bot.answering.checks`): a
question it refuses is refused without asking the model, which may still decline the others.
On the training gold sets (tests/gold.jsonl and bench/gold.jsonl, Qwen2.5-Coder-1.5B, every
question asked), where the extractive answerer refused, the quoting model answered 19 times and
held the gold facts once; refusing those keeps 12 more of the 26 unanswerable bench questions
refused (8 -> 20) for one answerable question's facts (46 -> 45 of 76).

llama.cpp reads the grammar in process (`CITEBOT_LLM=gguf`) and in its OpenAI-compatible
server (`"grammar"` in the request body); no other provider does, so the setting
`llm_quote` is on for `gguf` only unless asked for (`bot.config`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

#: At most this many passage sentences make a quoted answer (the prompt asks for one to three).
MAX_SENTENCES = 3
#: The sentences offered: the extractive ranker's best this many. On the first 30 training
#: questions (bench/llm_prompts.py variants, Qwen2.5-Coder-1.5B), the quoted answers held the gold
#: facts for 10 of 18 answerable questions when every sentence of the passages was offered, 12
#: with the best 6, 13 with the best 3 (the extractive answers: 14).
QUOTE_CANDIDATES = 3


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def literal(text: str) -> str:
    """`text` as a GBNF string literal: quotes and backslashes escaped, control characters as
    the escapes llama.cpp reads (\\n, \\r, \\t, \\xHH), everything else as it is (UTF-8)."""
    return '"' + "".join(_ESCAPES.get(ch) or (f"\\x{ord(ch):02X}" if ord(ch) < 32 or ord(ch) == 127 else ch)
                         for ch in text) + '"'


def quote_grammar(sentences: Sequence[Sequence[str]], decline: str) -> str:
    """The grammar of a quoted answer: `decline`, or 1 to MAX_SENTENCES different sentences,
    each "[n] " and one of `sentences[n - 1]` (the sentences of passage n, as the model sees
    them). A sentence cannot be written twice: small models loop, and a repeat says nothing; one
    that stands word for word in two passages is offered once, after the first one's marker."""
    seen: set[str] = set()
    options = []
    for n, group in enumerate(sentences, 1):
        for text in group:
            if text and text not in seen:
                seen.add(text)
                options.append(f'"[{n}] " {literal(text)}')
    if not options:
        return f"root ::= {literal(decline)}\n"

    def then(used: tuple[int, ...]) -> str:
        """What may follow the sentences `used`: nothing, or a space and another sentence."""
        rest = [i for i in range(len(options)) if i not in used]
        if len(used) >= MAX_SENTENCES or not rest:
            return ""
        return " t-" + "-".join(map(str, sorted(used)))

    lines = [f"root ::= {literal(decline)} | " + " | ".join(f"s{i}{then((i,))}" for i in range(len(options)))]
    for size in range(1, MAX_SENTENCES):
        for used in combinations(range(len(options)), size):
            if then(used):
                rest = " | ".join(f"s{i}{then(used + (i,))}" for i in range(len(options)) if i not in used)
                lines.append(f'{then(used).strip()} ::= (" " ({rest}))?')
    lines += [f"s{i} ::= {option}" for i, option in enumerate(options)]
    return "\n".join(lines) + "\n"
