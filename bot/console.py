"""`citebot chat`: an interactive console chat, or one question per line when piped."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import replace
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text

import prompts
from bot.core import AnswerCore, with_history
from bot.models import Answer, Turn
from bot.render import print_answer, print_passage, to_json_line


_REPLIES = prompts.table("console_replies")


def run_chat(core: AnswerCore, *, as_json: bool = False, stdin: TextIO | None = None,
             console: Console | None = None) -> None:
    stdin = stdin or sys.stdin
    console = console or Console(highlight=False)
    if stdin.isatty() and not as_json:
        _interactive(core, console)
    else:
        _piped(core, stdin, console, as_json)


#: The commands that leave the chat.
_QUIT = ("/quit", "/exit", "/q")


class _Chat:
    """One conversation: its history, the last answer (for /sources) and the commands."""

    def __init__(self, core: AnswerCore, console: Console) -> None:
        self.core, self.console = core, console
        self.history: list[Turn] = []
        self.last: Answer | None = None

    def remember(self, answer: Answer) -> None:
        self.last = answer
        self.history = with_history(self.history, answer, self.core.settings.history_turns)

    def reset(self) -> None:
        self.history, self.last = [], None

    def command(self, line: str) -> bool:
        """Run a /command; False when it is the one to leave."""
        command, _, argument = line.partition(" ")
        if command in _QUIT:
            return False
        if command == "/reset":
            self.reset()
            self.console.print(_REPLIES["FORGOTTEN"])
        elif command == "/sources":
            _show_source(self.console, self.last, argument.strip())
        elif command == "/docs":
            for doc in self.core.documents():
                passages = (_REPLIES["ONE_PASSAGE"] if doc.passages == 1
                            else _REPLIES["PASSAGES"].format(count=doc.passages))
                self.console.print(_REPLIES["DOCUMENT"].format(title=escape(_printable(doc.title)),
                                                               source=escape(_printable(doc.source)), passages=passages))
        else:
            self.console.print(prompts.load("console_help"))
        return True


def _piped(core: AnswerCore, lines: Iterable[str], console: Console, as_json: bool) -> None:
    """One answer per non-empty input line; follow-ups and commands work as in the interactive
    chat (with --json only /reset and /quit; another /command gets a JSON error line)."""
    chat = _Chat(core, console)
    for question in filter(None, (line.strip() for line in lines)):
        if not (_json_line(chat, question) if as_json else _text_line(chat, question)):
            return


def _text_line(chat: _Chat, line: str) -> bool:
    """Echo and answer one piped line (or run its command); False when it says to leave."""
    chat.console.print(f"[bold]> {escape(line)}[/bold]", markup=True, highlight=False)
    if line.startswith("/"):
        leave = not chat.command(line)
    else:
        leave = False
        chat.remember(_ask(chat.core, line, chat.history, chat.console, live=False))
    chat.console.print()
    return not leave


def _json_line(chat: _Chat, line: str) -> bool:
    """Answer one piped line as one JSON object; False when it says to leave."""
    command = line.split(" ", 1)[0] if line.startswith("/") else ""
    if command in _QUIT:
        return False
    if command == "/reset":
        chat.reset()
        return True
    if command:
        error = f"{command}: with --json only /reset and /quit work; other lines are questions"
        sys.stdout.write(json.dumps({"question": line, "error": error}, ensure_ascii=False) + "\n")
    else:
        answer = chat.core.ask(line, chat.history)
        chat.remember(answer)
        sys.stdout.write(to_json_line(answer) + "\n")
    sys.stdout.flush()
    return True


def _interactive(core: AnswerCore, console: Console) -> None:
    try:
        import readline  # noqa: F401 - line editing and history for input()
        editing = True
    except ImportError:  # pragma: no cover - not on every platform
        editing = False
    console.print(prompts.load("console_welcome").format(documents=len(core.documents())))
    chat = _Chat(core, console)
    prompt = _prompt(console, editing)
    while True:
        try:
            line = input(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line:
            continue
        if line.startswith("/"):
            if not chat.command(line):
                return
            continue
        chat.remember(_ask(core, line, chat.history, console, live=True))
        console.print()


def _prompt(console: Console, editing: bool) -> str:
    """The `you>` prompt, for input() itself to write: written apart (as rich's
    `Console.input` does), readline does not know it and echoes no new line for an empty one,
    so the prompts stack up (`you> you> you>`). Its colour codes are wrapped in \\001...\\002,
    which tell readline they take no room on the line."""
    if not console.is_terminal or console.no_color:
        return "you> "
    start, end = ("\001", "\002") if editing else ("", "")
    return f"{start}\x1b[1;32m{end}you>{start}\x1b[0m{end} "


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
        console.print(_REPLIES["NO_SOURCES"])
        return
    if not argument:
        for citation in last.citations:
            print_passage(console, citation)
        return
    citation = last.citation(int(argument)) if argument.isdigit() else None
    if citation is None:
        numbers = ", ".join(str(c.n) for c in last.citations)
        console.print(_REPLIES["NO_SUCH_SOURCE"].format(argument=escape(repr(argument)), numbers=numbers))
        return
    print_passage(console, citation)


def _printable(text: str) -> str:
    """`text` with control characters (e.g. of a file name) shown as "?"."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
