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
    """`quote` on one line, at most about `limit` characters. When `at` (a sentence of the
    answer) is quoted from it verbatim, that sentence is shown whole, centred, with what
    surrounds it trimmed at word boundaries; otherwise the start of the quote."""
    flat = " ".join(quote.split())
    sentence = " ".join(at.split())
    start = flat.find(sentence) if sentence else -1
    if start < 0:
        return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"
    end = start + len(sentence)
    room = max(0, limit - len(sentence))
    take_after = min(len(flat) - end, room // 2)  # what one side does not use, the other may
    take_before = min(start, room - take_after)
    take_after = min(len(flat) - end, room - take_before)
    before = flat[start - take_before:start]
    after = flat[end:end + take_after]
    if take_before < start:  # cut inside the text before: start at a word
        before = "…" + before.split(" ", 1)[1] if " " in before else "…"
    if end + take_after < len(flat):
        after = after.rsplit(" ", 1)[0] + "…" if " " in after.strip() else " …"
    return f"{before}{sentence}{after}"


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
