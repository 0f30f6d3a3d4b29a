"""The data every front end receives from the answer core.

`Answer.to_json()` is the documented `--json` format:

    {"question": str, "answered": bool, "answer": str, "mode": str, "notice": str,
     "refusal": str | null,  # the code of the check that refused (README: How it answers)
     "citations": [{"n": int, "source": str, "title": str, "quote": str,
                    "chunk_id": str, "score": float, "verified": bool}]}
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

MARKER_RE = re.compile(r"\[(\d+)\]")

Mode = Literal["extractive", "llm", "fallback"]


@dataclass(frozen=True)
class Citation:
    """One cited passage: `[n]` in the answer resolves to this."""

    n: int
    source: str  # path relative to the documents folder
    title: str
    quote: str  # verbatim text of the source document
    chunk_id: str
    score: float
    start: int = 0  # character offsets of `quote` in the source text
    end: int = 0
    verified: bool = True


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    mode: Mode = "extractive"
    #: The query actually sent to retrieval (differs from `question` for follow-ups).
    search_query: str = ""
    #: A short notice for the user (e.g. "the language model was unreachable").
    notice: str = ""
    #: Why it was refused: the code of the check that refused (bot.answering.checks); None if answered.
    refusal: str | None = None
    #: Names the answer brings in that the question did not give (what a follow-up's "he" may mean).
    names: tuple[str, ...] = ()
    #: The language the question was asked in ("en", "fr", "ru"), as the answer core told it
    #: (the conversation decides a question too short to tell: "Encore ?").
    language: str = ""

    def citation(self, n: int) -> Citation | None:
        return next((c for c in self.citations if c.n == n), None)

    def markers(self) -> list[int]:
        return [int(m) for m in MARKER_RE.findall(self.answer)]

    def sentences(self) -> tuple[str, ...]:
        """The answer's cited sentences, each as it stands before its [n] markers."""
        if not self.answered:
            return ()
        return tuple(s.strip() for s in re.split(r"\s*(?:\[\d+\])+", self.answer) if s.strip())

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "mode": self.mode,
            "notice": self.notice,
            "refusal": self.refusal,
            "citations": [
                {k: v for k, v in asdict(c).items() if k not in ("start", "end")}
                for c in self.citations
            ],
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, as the answer core needs it for follow-ups."""

    question: str
    search_query: str = ""
    answered: bool = False
    #: The names the answer brought in (`Answer.names`), for follow-ups about them.
    names: tuple[str, ...] = ()
    #: The answer's sentences (each with any it brought along), which a follow-up asking
    #: something else is not answered with again.
    cited: tuple[str, ...] = ()
    #: The question's language as it was told when it was asked (`Answer.language`); "" for
    #: turns saved before turns kept it: then told again from the question alone.
    language: str = ""
