"""Server mode: citebot against a real Chroma server (`chroma run`), and the server going away.

- `CITEBOT_CHROMA_URL` makes `citebot index` and `citebot ask` use the server (nothing is
  written to the embedded store).
- The server down at start: CLI commands print one clear line naming the URL and exit 1.
- The answer core (what the bot runs) never crashes: while the server is down it answers
  "the index is unavailable", and it answers normally again as soon as the server is back,
  whether the server went away under a running core or was down when the core started.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chroma_server import ChromaServer
from helpers import assert_well_cited, make_settings, one_error_line, start_citebot, write_documents

import prompts
from bot.core import AnswerCore
from index.embeddings import E5Embeddings
from index.errors import StoreUnavailable

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "lighthouse.txt": "The Kessler Point Lighthouse\n\n"
    "The Kessler Point Lighthouse was lit for the first time in 1871. "
    "The keeper of the Kessler Point Lighthouse, Marta Villanueva, kept a logbook of every ship that passed. "
    "The lantern of the Kessler Point Lighthouse burns rapeseed oil.\n",
    "orchard.md": "# The Ashgrove Orchard\n\nThe Ashgrove Orchard grows forty-two varieties of apple. "
    "The oldest tree of the Ashgrove Orchard was planted by the gardener Hugo Brandvold in 1790. "
    "Every September the Ashgrove Orchard presses cider for the village.\n",
}
QUESTION = "Who kept the logbook of the Kessler Point Lighthouse?"
ANSWER = "Marta Villanueva"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("server-mode")
    write_documents(root / "documents", DOCUMENTS)
    return root


@pytest.fixture(scope="module")
def indexed(folder: Path, chroma_server: ChromaServer) -> dict[str, str]:
    """`citebot index` run against the server; the settings it ran with."""
    env = {"CITEBOT_CHROMA_URL": chroma_server.url, "CITEBOT_DOCS_DIR": str(folder / "documents"),
           "CITEBOT_DATA_DIR": str(folder / "data")}
    process = start_citebot("index", cwd=folder, **env)
    out, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    assert "2 documents" in errors  # the report goes to stderr, answers to stdout
    return env


def core_for(folder: Path, url: str, embeddings: E5Embeddings) -> AnswerCore:
    settings = make_settings(folder / "documents", folder / "core-data", chroma_url=url)
    return AnswerCore.from_settings(settings, embeddings)


def test_index_and_ask_use_the_server(folder: Path, indexed: dict[str, str]) -> None:
    process = start_citebot("ask", "--json", QUESTION, cwd=folder, **indexed)
    out, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    answer = json.loads(out)
    assert_well_cited(answer, folder / "documents")
    assert ANSWER in answer["answer"] and answer["citations"][0]["source"] == "lighthouse.txt"
    assert not (folder / "data" / "chroma").exists(), "server mode must not write an embedded store"
    assert "Traceback" not in errors


def test_cli_commands_fail_with_one_clear_line_when_the_server_is_down(folder: Path, indexed: dict[str, str]) -> None:
    down = ChromaServer(folder / "never-started")  # a free port nothing listens on
    env = {**indexed, "CITEBOT_CHROMA_URL": down.url}
    processes = [start_citebot(*args, cwd=folder, **env) for args in (["index"], ["ask", QUESTION], ["chat"])]
    for process in processes:
        out, errors = process.communicate(timeout=120)
        line = one_error_line(subprocess.CompletedProcess(process.args, process.returncode, out, errors))
        assert down.url in line and "Chroma server" in line, process.args


def test_the_core_answers_index_unavailable_while_the_server_is_down_and_recovers(
    folder: Path, chroma_server: ChromaServer, indexed: dict[str, str], embeddings: E5Embeddings,
) -> None:
    core = core_for(folder, chroma_server.url, embeddings)
    assert core.ask(QUESTION).answered
    # A snapshot holds the generation's passages and vectors in memory, so a question is answered
    # from it until the core next looks at the store (`refresh_seconds`); here, at every question.
    core.retriever.refresh_seconds = 0.0
    chroma_server.stop()
    try:
        answer = core.ask(QUESTION)
        assert not answer.answered and answer.answer == prompts.load("answer_index_unavailable")
        assert not answer.citations
        with pytest.raises(StoreUnavailable, match=chroma_server.url):
            core.check()  # what the CLI runs first; documents() may serve its 2-second cache
    finally:
        chroma_server.start()
    answer = core.ask(QUESTION)
    assert answer.answered and ANSWER in answer.answer


def test_a_core_started_while_the_server_is_down_recovers_when_it_comes_up(
    folder: Path, chroma_server: ChromaServer, indexed: dict[str, str], embeddings: E5Embeddings,
) -> None:
    chroma_server.stop()
    try:
        core = core_for(folder, chroma_server.url, embeddings)  # what the bot does at start: no exception
        answers: list[Any] = [core.ask(QUESTION), core.ask("Who planted the oldest tree of the Ashgrove Orchard?")]
        assert all(not a.answered and a.answer == prompts.load("answer_index_unavailable") for a in answers)
    finally:
        chroma_server.start()
    answer = core.ask(QUESTION)
    assert answer.answered and ANSWER in answer.answer
    assert [d.source for d in core.documents()] == sorted(DOCUMENTS)
