"""The `citebot` command: index, ask, chat, telegram, doctor, feedback."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

import prompts
from bot.config import NAME_PATTERN, Settings
from bot.errors import IndexError_

# Plain click help: typer's rich help shows every flag as "--json <bool>".
app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                  help="Answer questions about your documents, with cited passages.")
err = Console(stderr=True, highlight=False)
#: What the command says (prompts/cli_replies.txt).
_REPLIES = prompts.table("cli_replies")

DocsOption = Annotated[Optional[Path], typer.Option("--docs", help="Documents folder (default: CITEBOT_DOCS_DIR or documents/).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object per answer.")]
IndexOption = Annotated[Optional[str], typer.Option(
    "--index", help="Use the index of this name (default: CITEBOT_INDEX, else the documents folder's own).")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(_REPLIES["VERSION"].format(version=version("citebot")))
        raise typer.Exit()


@app.callback()
def _options(
    log_level: Annotated[Optional[str], typer.Option(
        "--log-level", envvar="CITEBOT_LOG_LEVEL", metavar="LEVEL",
        help="How much to log on stderr: debug, info, warning (default) or error.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print citebot's version and exit.")] = False,
) -> None:
    """Answer questions about your documents, with cited passages."""
    if log_level is None:  # CITEBOT_LOG_LEVEL may also come from .env
        try:
            log_level = Settings().log_level
        except ValidationError:
            return  # the command reports the settings' problems
    level = logging.getLevelName(log_level.strip().upper())
    if log_level.strip().lower() not in ("debug", "info", "warning", "error") or not isinstance(level, int):
        _fail(_REPLIES["BAD_LOG_LEVEL"].format(value=repr(log_level)), 2)
    logging.getLogger().setLevel(level)


def _settings(docs: Path | None = None, index: str | None = None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        _fail(_REPLIES["BAD_SETTINGS"].format(problems=problems))
    if docs is not None:
        settings = settings.model_copy(update={"docs_dir": docs})
    if index is not None:
        if not (3 <= len(index) <= 60 and re.fullmatch(NAME_PATTERN, index)):
            _fail(_REPLIES["BAD_INDEX_NAME"].format(name=repr(index)))
        settings = settings.model_copy(update={"index": index})
    return settings


def _fail(message: str, code: int = 1) -> None:
    """Print `message` as one line on stderr (never wrapped, brackets kept) and exit with `code`."""
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


class _RateColumn(ProgressColumn):
    """How many texts a second the embedder does."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} texts/s" if speed else "", style="progress.data.speed")


@contextmanager
def _progress(label: str) -> Iterator:
    """A progress bar on stderr (a terminal only), advanced after every embedded batch."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), _RateColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _core(settings: Settings):
    from bot.core import AnswerCore

    try:
        with _progress(_REPLIES["BUILDING"]) as progress:
            core = AnswerCore.from_settings(settings, progress=progress)
        if core.startup_report is not None and core.startup_report.rebuilt_because:
            err.print(_REPLIES["REBUILT"].format(why=core.startup_report.rebuilt_because), markup=False)
        core.check()  # the store down, no index: a clear error and exit 1, not answers saying so
        return core
    except (IndexError_, FileNotFoundError, NotADirectoryError) as exc:
        _fail(str(exc))


@app.command()
def index(
    docs: DocsOption = None,
    name: IndexOption = None,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Build the index anew from the documents (cached embeddings are reused); the only way "
        "an empty folder replaces an index.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the indexes in the store and exit.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object on stdout "
                                       "(what was added, changed, removed, skipped, and the counts).")] = False,
) -> None:
    """Build or update the index of a documents folder: only new and changed files are embedded,
    and no text is embedded twice."""
    from bot.core import AnswerCore

    settings = _settings(docs, name)
    try:
        core = AnswerCore.from_settings(settings, build_if_missing=False)
        if list_:
            _print_indexes(core.indexes(), settings.index_name)
            return
        with _progress(_REPLIES["EMBEDDING"]) as progress:
            report = core.reindex(rebuild=rebuild, progress=progress)
    except (IndexError_, FileNotFoundError, NotADirectoryError) as exc:
        _fail(str(exc))
    if json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        err.print(report.summary(), markup=False, soft_wrap=True)


def _print_indexes(indexes: list, current: str) -> None:
    import time

    out = Console(highlight=False, soft_wrap=True)
    if not indexes:
        out.print(_REPLIES["NO_INDEX"], markup=False)
        return
    for info in indexes:
        updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.published)) if info.published else "?"
        built = (_REPLIES["BUILT"].format(chars=info.build.chunk_chars, model=info.build.model) if info.build
                 else _REPLIES["BUILT_UNKNOWN"])
        out.print(_REPLIES["INDEX"].format(mark="*" if info.name == current else " ", name=info.name,
                                           documents=info.documents, passages=info.passages, updated=updated),
                  markup=False)
        out.print("    " + _REPLIES["INDEX_FOLDER"].format(folder=info.docs_dir, built=built), markup=False)
    out.print(_REPLIES["CURRENT_INDEX"], markup=False)


@app.command()
def ask(question: Annotated[str, typer.Argument(help="Your question.")], docs: DocsOption = None,
        name: IndexOption = None, json: JsonOption = False) -> None:
    """Answer one question, with its cited passages."""
    from bot.render import print_answer, to_json_line

    core = _core(_settings(docs, name))
    answer = core.ask(question)
    if json:
        sys.stdout.write(to_json_line(answer) + "\n")
    else:
        print_answer(Console(highlight=False), answer)


@app.command()
def chat(docs: DocsOption = None, name: IndexOption = None, json: JsonOption = False) -> None:
    """Chat in the console (or answer one question per line of piped input)."""
    from bot.console import run_chat

    run_chat(_core(_settings(docs, name)), as_json=json)


@app.command()
def telegram(
    webhook: Annotated[Optional[str], typer.Option("--webhook", help="Public HTTPS URL for webhook mode (needs CITEBOT_WEBHOOK_SECRET).")] = None,
    docs: DocsOption = None,
    name: IndexOption = None,
) -> None:
    """Run the Telegram bot (long polling, or a webhook with --webhook URL)."""
    from bot.telegram import run

    settings = _settings(docs, name)
    try:
        run(settings, webhook_url=webhook)
    except (ValueError, IndexError_, FileNotFoundError) as exc:
        _fail(str(exc))


@app.command()
def doctor(docs: DocsOption = None, name: IndexOption = None) -> None:
    """Check the setup: which answer generator is configured and whether it answers, and the index."""
    import time

    from bot.core import AnswerCore
    from bot.errors import LLMError

    settings = _settings(docs, name)
    out = Console(highlight=False, soft_wrap=True)
    try:
        core = AnswerCore.from_settings(settings, build_if_missing=False)
    except (IndexError_, FileNotFoundError, NotADirectoryError) as exc:
        _fail(str(exc))
    broken = False
    model = core.model_description()
    if model is None:
        out.print(_REPLIES["DOCTOR_EXTRACTIVE"], markup=False)
    else:
        out.print(_REPLIES["DOCTOR_GENERATOR"].format(llm=settings.llm, model=model), markup=False)
        if settings.llm == "openai" or settings.llm.startswith("openai:"):
            key = settings.openai_api_key is not None and bool(settings.openai_api_key.get_secret_value())
            out.print(_REPLIES["DOCTOR_KEY_SET" if key else "DOCTOR_KEY_NOT_SET"], markup=False)
        started = time.perf_counter()
        try:
            reply = core.probe_model()
            seconds = time.perf_counter() - started
            out.print(_REPLIES["DOCTOR_MODEL_ANSWERS"].format(seconds=seconds, reply=repr(reply[:40])), markup=False)
        except LLMError as exc:
            broken = True
            out.print(_REPLIES["DOCTOR_MODEL_DOWN"].format(error=exc), markup=False)
    try:
        core.check()
        status = core.status()
        out.print(_REPLIES["DOCTOR_INDEX"].format(documents=status.documents, passages=status.passages,
                                                  index=status.index, store=status.store), markup=False)
    except IndexError_ as exc:
        broken = True
        out.print(_REPLIES["DOCTOR_INDEX_DOWN"].format(error=exc), markup=False)
    if broken:
        raise typer.Exit(1)


@app.command()
def feedback(
    export: Annotated[Path, typer.Option("--export", help="Write the rated Telegram answers to this file as gold-set "
                                         "lines bench/eval.py reads (JSON Lines).")],
    down: Annotated[bool, typer.Option("--include-down", help="Also write answers rated 👎, marked needs_review "
                                       "and without gold quotes, for a person to complete.")] = False,
) -> None:
    """Export the 👍 / 👎 people gave the Telegram bot's answers as gold questions."""
    from bot.feedback import FEEDBACK_FILE, FeedbackStore
    from bot.feedback import export as export_feedback

    settings = _settings()
    path = settings.data_dir / FEEDBACK_FILE
    if not path.is_file():
        _fail(_REPLIES["NO_FEEDBACK"].format(path=path))
    store = FeedbackStore(path)
    try:
        written, left_out = export_feedback(store, export, down=down)
    except OSError as exc:
        _fail(_REPLIES["CANNOT_WRITE"].format(path=export, error=exc.strerror or exc))
    finally:
        store.close()
    note = _REPLIES["LEFT_OUT"].format(count=left_out) if left_out else ""
    err.print(_REPLIES["WROTE_ONE" if written == 1 else "WROTE"].format(count=written, path=export, left_out=note),
              markup=False, soft_wrap=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    app()


if __name__ == "__main__":
    main()
