"""`citebot chat`: an interactive console chat, or one question per line when piped."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import replace
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

import prompts
from bot.core import AnswerCore, with_history
from bot.models import Answer, Turn
from bot.render import print_answer, print_passage, to_json_line


def run_chat(core: AnswerCore, *, as_json: bool = False, stdin: TextIO | None = None,
             console: Console | None = None) -> None:
    stdin = stdin or sys.stdin
    console = console or Console(highlight=False)
    if stdin.isatty() and not as_json:
        _interactive(core, console)
    else:
        _piped(core, stdin, console, as_json)


def _piped(core: AnswerCore, lines: Iterable[str], console: Console, as_json: bool) -> None:
    """One answer per non-empty input line; follow-ups work as in the interactive chat."""
    history: list[Turn] = []
    for line in lines:
        question = line.strip()
        if not question:
            continue
        if as_json:
            answer = core.ask(question, history)
            sys.stdout.write(to_json_line(answer) + "\n")
            sys.stdout.flush()
        else:
            console.print(f"[bold]> {question}[/bold]", markup=True, highlight=False)
            answer = _ask(core, question, history, console, live=False)
            console.print()
        history = with_history(history, answer, core.settings.history_turns)


def _interactive(core: AnswerCore, console: Console) -> None:
    try:
        import readline  # noqa: F401 - line editing and history for input()
    except ImportError:  # pragma: no cover - not on every platform
        pass
    documents = core.documents()
    console.print(prompts.load("console_welcome").format(documents=len(documents)))
    history: list[Turn] = []
    last: Answer | None = None
    while True:
        try:
            line = console.input("[bold green]you>[/bold green] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line:
            continue
        if line.startswith("/"):
            command, _, argument = line.partition(" ")
            if command in ("/quit", "/exit", "/q"):
                return
            if command == "/reset":
                history, last = [], None
                console.print("[dim]Conversation forgotten.[/dim]")
            elif command == "/sources":
                _show_source(console, last, argument.strip())
            elif command == "/docs":
                for doc in documents:
                    console.print(f"- {doc.title} [dim]({doc.source}, {doc.chunks} passages)[/dim]")
            else:
                console.print(prompts.load("console_help"))
            continue
        last = _ask(core, line, history, console, live=True)
        history = with_history(history, last, core.settings.history_turns)
        console.print()


def _ask(core: AnswerCore, question: str, history: list[Turn], console: Console, *, live: bool) -> Answer:
    """Ask and print the answer. In LLM mode the model's draft streams first: in place when
    `live` (then replaced by the verified answer), else written as it comes, followed by the
    verified answer if verification changed it, or by its sources alone if not."""
    draft = ""
    answer: Answer | None = None
    with Live(console=console, transient=True, auto_refresh=False) if live else nullcontext() as view:
        for item in core.stream(question, history):
            if isinstance(item, Answer):
                answer = item
                continue
            draft += item
            if view is not None:
                view.update(Text(draft, style="dim"), refresh=True)
            else:
                console.file.write(item)
                console.file.flush()
    assert answer is not None  # core.stream always ends with the Answer
    if draft and not live and " ".join(answer.answer.split()) == " ".join(draft.split()):
        print_answer(console, replace(answer, answer=""))  # its empty text line ends the draft's line
    else:
        if draft and not live:
            console.file.write("\n")
        print_answer(console, answer)
    return answer


def _show_source(console: Console, last: Answer | None, argument: str) -> None:
    if last is None or not last.citations:
        console.print("[yellow]No sources yet: ask a question first.[/yellow]")
        return
    if not argument:
        for citation in last.citations:
            print_passage(console, citation)
        return
    citation = last.citation(int(argument)) if argument.isdigit() else None
    if citation is None:
        numbers = ", ".join(str(c.n) for c in last.citations)
        console.print(f"[yellow]No source {argument!r}: the last answer cites {numbers}.[/yellow]")
        return
    print_passage(console, citation)
