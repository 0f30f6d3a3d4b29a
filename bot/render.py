"""Plain-text and terminal rendering of answers, shared by `citebot ask` and the console chat."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.models import Answer, Citation

EXCERPT_CHARS = 160


def excerpt(quote: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def print_answer(console: Console, answer: Answer) -> None:
    if answer.notice:
        console.print(Text(answer.notice, style="italic yellow"))
    console.print(Text(answer.answer, style="bold" if answer.answered else "yellow"))
    if answer.citations:
        console.print()
        for c in answer.citations:
            console.print(
                f"[cyan][{c.n}][/cyan] [bold]{escape(c.title)}[/bold] [dim]({escape(c.source)})[/dim]\n"
                f"    [dim]“{escape(excerpt(c.quote))}”[/dim]"
            )


def print_passage(console: Console, citation: Citation) -> None:
    console.print(Panel(
        Text(citation.quote), title=f"[{citation.n}] {citation.title}",
        subtitle=f"{citation.source}, characters {citation.start}-{citation.end}", expand=False,
    ))


def to_json_line(answer: Answer) -> str:
    return json.dumps(answer.to_json(), ensure_ascii=False)
