"""Plain helpers shared by the test modules; the fixtures are in tests/conftest.py, which uses them.

- Where things are: `ROOT` (the repository), `BUNDLED` (its documents), `bundled_copy`,
  `write_documents`, `make_settings`, `core_on` (an answer core over a few documents).
- `citebot` run as a user runs it, outside this machine's settings: `clean_environ`,
  `start_citebot`, `run_citebot`, `one_error_line`.
- What a user can check in an answer: `assert_well_cited`, `assert_refusal`, `is_refusal`,
  `converse`; gold sets (`load_gold`), unreadable documents (`reason_for`), bench/ scripts
  (`bench_module`).
- The front ends' stand-in answer core: `FakeCore`, the answers it gives (`cited`), and `EN`, the
  replies an English-speaking Telegram user gets.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

import prompts
from bot.answering import CHECKS
from bot.config import Settings
from bot.core import AnswerCore, with_history
from bot.models import MARKER_RE, Answer, Citation, Mode, Turn
from bot.retrieval import DocumentInfo
from bot.telegram.texts import texts
from index.errors import UnreadableDocument
from index.loaders import load_document

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "documents"

#: The prefixes of the environment variables citebot reads its settings from.
SETTING_PREFIXES = ("CITEBOT_", "OPENAI_", "TELEGRAM_")


# --- folders and settings ----------------------------------------------------------------------


def bundled_copy(path: Path) -> Path:
    """A copy of the bundled documents at `path` (which must not exist yet)."""
    return Path(shutil.copytree(BUNDLED, path))


def write_documents(folder: Path, documents: dict[str, str]) -> Path:
    """`folder` (created if need be) holding each `name: text` of `documents` as a UTF-8 file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_settings(docs: Path, data: Path, **overrides: object) -> Settings:
    """Settings for the documents folder `docs` and the data folder `data`, ignoring any .env file."""
    return Settings(_env_file=None, docs_dir=docs, data_dir=data, **overrides)


# --- the citebot command ---------------------------------------------------------------------


def clean_environ() -> dict[str, str]:
    """This process's environment without any citebot setting (CITEBOT_*, OPENAI_*, TELEGRAM_*),
    so that a command under test sees only the settings its test gives it."""
    return {name: value for name, value in os.environ.items() if not name.startswith(SETTING_PREFIXES)}


def _citebot_argv() -> list[str]:
    """The installed `citebot` script (`python -m bot.cli` where there is none)."""
    script = Path(sys.executable).with_name("citebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def start_citebot(*args: str, cwd: Path, **settings: str) -> subprocess.Popen[str]:
    """Start `citebot ARGS` in `cwd` (away from any .env file of the repository) with `settings`
    (e.g. CITEBOT_CHROMA_URL=...) as its only citebot settings and nothing on its standard input."""
    return subprocess.Popen([*_citebot_argv(), *args], env={**clean_environ(), **settings}, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def run_citebot(*args: str, cwd: Path, stdin: str | None = None, timeout: float = 240,
                **settings: str) -> subprocess.CompletedProcess[str]:
    """`citebot ARGS` run to its end as `start_citebot` starts it, with `stdin` as its input."""
    feed: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([*_citebot_argv(), *args], env={**clean_environ(), **settings}, cwd=cwd, text=True,
                          capture_output=True, timeout=timeout, **feed)


def one_error_line(result: Any) -> str:
    """The command failed as it should: exit code 1, nothing on stdout, one line on stderr that
    starts with "error: ", no traceback; that line. `result`: Typer's runner result, or a
    finished process (`subprocess.CompletedProcess`)."""
    code = result.exit_code if hasattr(result, "exit_code") else result.returncode
    assert code == 1, (code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


# --- answers a user can check ----------------------------------------------------------------


def assert_well_cited(answer: Answer | dict[str, Any], docs: Path) -> None:
    """A cited answer a user can check, given as an `Answer` or in its `--json` form: answered (no
    refusal code); its markers are exactly its citations, numbered [1]..[n] in order of use; every
    quote is verbatim text of the document in `docs` it names (an `Answer`'s at its offsets) and
    verified; every sentence of an extractive answer is a sentence of a passage it cites."""
    data = answer.to_json() if isinstance(answer, Answer) else answer
    text = data["answer"]
    assert data["answered"] is True and data["refusal"] is None and text.strip(), data
    numbers = [cited["n"] for cited in data["citations"]]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), data
    assert sorted({int(n) for n in MARKER_RE.findall(text)}) == numbers, text  # every marker resolves, no extras
    for cited in data["citations"]:
        document = load_document(docs / cited["source"], docs).text
        assert cited["quote"].strip() and cited["quote"] in document, cited
        assert cited["title"] and len(cited["chunk_id"]) == 16 and cited["verified"] is True, cited
    if isinstance(answer, Answer):
        for citation in answer.citations:
            document = load_document(docs / citation.source, docs).text
            assert document[citation.start:citation.end] == citation.quote, citation
    if data["mode"] in ("extractive", "fallback"):  # the extractive answerer quotes, it does not write
        quotes = [cited["quote"] for cited in data["citations"]]
        for part in text.split("]"):
            sentence = part.rsplit("[", 1)[0].strip()
            assert not sentence or any(sentence in quote for quote in quotes), sentence


def says(prompt: str, text: str) -> bool:
    """Whether `text` is the text `prompt` with each of its {placeholders} filled."""
    pattern = ".+".join(re.escape(part) for part in re.split(r"\{\w+\}", prompt))
    return re.fullmatch(pattern, text) is not None


def is_refusal(text: str, language: str) -> bool:
    """Whether `text` is one of the answer core's "not in the documents" refusals in `language`."""
    return any(says(prompts.load(name, language), text)
               for name in ("answer_not_found", "answer_unknown_terms", "answer_vague_question"))


def assert_refusal(answer: Answer) -> None:
    """A refusal as users get it: not answered, nothing cited, the code of the check that refused,
    and that check's reply (in a language citebot speaks, its placeholders filled)."""
    assert not answer.answered and not answer.citations, answer.answer
    check = next((c for c in CHECKS if c.code == answer.refusal), None)
    assert check is not None, f"refused without a check's code: {answer.refusal!r}: {answer.answer}"
    assert any(says(prompts.load(check.reply, language), answer.answer) for language in prompts.LANGUAGES), (
        check.code, answer.answer)


def converse(core: AnswerCore, questions: Sequence[str]) -> list[Answer]:
    """Ask `questions` in turn as one conversation (each with the history of those before it)."""
    history: list[Turn] = []
    answers = []
    for question in questions:
        answer = core.ask(question, history)
        history = with_history(history, answer, core.settings.history_turns)
        answers.append(answer)
    return answers


def load_gold(path: Path) -> list[dict[str, Any]]:
    """The rows of a gold question set (JSON Lines); a line that is not a JSON object fails the test."""
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{path.name}:{lineno}: not JSON: {exc}")
        assert isinstance(row, dict), f"{path.name}:{lineno}: not an object"
        rows.append(row)
    return rows


def reason_for(path: Path) -> str:
    """Why citebot cannot read the document at `path` (what the user is told); it must refuse it."""
    with pytest.raises(UnreadableDocument) as caught:
        load_document(path, path.parent)
    assert caught.value.source == path.name
    assert str(caught.value) == f"{path.name}: {caught.value.reason}"
    return caught.value.reason


def bench_module(name: str) -> ModuleType:
    """The script bench/<name>.py, loaded as a module (bench/ is no package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the front ends' stand-in answer core ------------------------------------------------------

EN = texts("en")  # the replies an English-speaking Telegram user gets


def cited(text: str, title: str = "A", mode: Mode = "extractive") -> Answer:
    """An answer `text` whose [1] cites one passage of a.txt, titled `title`."""
    return Answer("q", True, text, [Citation(1, "a.txt", title, "q", "ab" * 8, 1.0)], mode=mode)


class FakeCore:
    """The answer core as the console and the Telegram bot use it (stream, ask, documents,
    passage, reindex, settings), recording each question with its history in `asked`.

    Scripted, for what the real documents cannot produce: every question gets `answer` (raised
    instead when it is an exception), after the `deltas` a model streams, one every `pace`
    seconds; `closed` once a stream has ended or was closed. It lists `documents` documents, and
    `reindex` signals `reindex_started`, then waits (at most 10 s) for `reindex_release`.

    With `real`, questions go to that real core, and so do documents, passages and reindexing;
    answers are memoised in `memo` (the core is deterministic: a memo shared across tests keeps
    the suite fast when several tests ask the same thing)."""

    def __init__(self, answer: Answer | Exception | None = None, *, deltas: Sequence[str] = (), pace: float = 0.0,
                 documents: int = 2, real: AnswerCore | None = None,
                 memo: dict[tuple[str, tuple[Turn, ...]], Answer] | None = None) -> None:
        assert (answer is None) != (real is None), "scripted (an answer) or real, not both"
        self.answer, self.deltas, self.pace, self.real = answer, list(deltas), pace, real
        self.memo = {} if memo is None else memo
        self.docs = [DocumentInfo(f"doc-{i}.txt", f"Document <{i}> & co", 3) for i in range(documents)]
        self.settings: Any = real.settings if real is not None else SimpleNamespace(history_turns=4)
        self.asked: list[tuple[str, list[Turn]]] = []
        self.closed = False
        self.reindex_started, self.reindex_release = threading.Event(), threading.Event()

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        self.asked.append((question, list(history)))
        try:
            for delta in self.deltas:
                time.sleep(self.pace)
                yield delta
            yield self._answer(question, history)
        finally:
            self.closed = True

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        self.asked.append((question, list(history)))
        return self._answer(question, history)

    def documents(self) -> list[DocumentInfo]:
        return self.real.documents() if self.real is not None else self.docs

    def passage(self, chunk_id: str) -> Citation | None:
        return self.real.passage(chunk_id) if self.real is not None else None

    def reindex(self) -> Any:
        if self.real is not None:
            return self.real.reindex()
        self.reindex_started.set()
        self.reindex_release.wait(10)
        return "1 document changed"

    def _answer(self, question: str, history: Sequence[Turn]) -> Answer:
        if self.real is not None:
            key = (question, tuple(history))
            if key not in self.memo:
                self.memo[key] = self.real.ask(question, history)
            return self.memo[key]
        if isinstance(self.answer, Exception):
            raise self.answer
        assert self.answer is not None
        return self.answer


def core_on(embeddings: Any, tmp_path: Path, documents: dict[str, str]) -> AnswerCore:
    """The answer core over `documents` (file name -> text), written under `tmp_path`."""
    docs = write_documents(tmp_path / "docs", documents)
    return AnswerCore.from_settings(make_settings(docs, tmp_path / "data"), embeddings)
