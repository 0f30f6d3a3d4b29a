"""Plain-text and terminal rendering of answers, shared by `citebot ask` and the console chat."""

from __future__ import annotations

import json
import re

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.models import Answer, Citation

EXCERPT_CHARS = 160
#: A run of markers closing a sentence: " [1]", " [2][3]".
MARKER_RUN = re.compile(r"\s*(?:\[\d+\])+")


def excerpt(quote: str, limit: int = EXCERPT_CHARS, at: str = "") -> str:
    """The start of `quote` on one line, or, when `at` (a sentence of the answer) is quoted
    from it verbatim, the quote from that sentence on."""
    flat = " ".join(quote.split())
    sentence = " ".join(at.split())
    start = flat.find(sentence) if sentence else -1
    lead = "…" if start > 0 else ""
    flat = flat[max(start, 0):]
    return lead + (flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…")


def cited_sentences(answer: Answer) -> dict[int, str]:
    """For each marker [n], the text of the first sentence of the answer that carries it."""
    found: dict[int, str] = {}
    position = 0
    for match in MARKER_RUN.finditer(answer.answer):
        sentence = answer.answer[position:match.start()].strip()
        for n in map(int, re.findall(r"\d+", match.group())):
            found.setdefault(n, sentence)
        position = match.end()
    return found


def print_answer(console: Console, answer: Answer) -> None:
    if answer.notice:
        console.print(Text(answer.notice, style="italic yellow"))
    console.print(Text(answer.answer, style="bold" if answer.answered else "yellow"))
    if answer.citations:
        console.print()
        sentences = cited_sentences(answer)
        for c in answer.citations:
            console.print(
                f"[cyan][{c.n}][/cyan] [bold]{escape(c.title)}[/bold] [dim]({escape(c.source)})[/dim]\n"
                f"    [dim]“{escape(excerpt(c.quote, at=sentences.get(c.n, '')))}”[/dim]"
            )


def print_passage(console: Console, citation: Citation) -> None:
    console.print(Panel(
        Text(citation.quote), title=f"[{citation.n}] {citation.title}",
        subtitle=f"{citation.source}, characters {citation.start}-{citation.end}", expand=False,
    ))


def to_json_line(answer: Answer) -> str:
    return json.dumps(answer.to_json(), ensure_ascii=False)
