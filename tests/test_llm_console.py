"""LLM mode in the console (streaming), in `citebot doctor`, and the API key never showing."""

from __future__ import annotations

import io
import json
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers import FakeCore, assert_well_cited
from rich.console import Console
from typer.testing import CliRunner

from bot.cli import app
from bot.console import run_chat
from bot.models import Answer, Citation
from openai_server import (  # noqa: F401 - corpus, shared and llm are fixtures
    GIFT, GOOD, KEY, Corpus, Reply, ScriptedLLM, corpus, llm, make_core, shared,
)


class Watched(io.StringIO):
    """Console output that signals when `needle` has been written."""

    def __init__(self, needle: str, seen: threading.Event) -> None:
        super().__init__()
        self.needle, self.seen = needle, seen

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.needle in self.getvalue():
            self.seen.set()
        return written


def test_piped_chat_streams_deltas_as_they_arrive_and_in_order(shared, llm: ScriptedLLM) -> None:
    seen = threading.Event()
    reply = Reply(GOOD, gate=seen)  # the server sends the rest only once the console showed the first word
    llm.script(reply)
    out = Watched("Parly", seen)
    run_chat(make_core(shared, llm.url), stdin=io.StringIO(GIFT + "\n"), console=Console(file=out, width=400))
    assert reply.gate_opened == [True]
    text = out.getvalue()
    assert text.startswith(f"> {GIFT}\nParly donated to Minister Shoigu a photograph")
    draft = text.split("\n", 2)[1]  # the model's text, as it came, on one line
    assert draft.index("regiment.") < draft.index("In response, the head of the Russian military department")
    # then the verified answer (unless it is the draft) and its sources
    assert text.index("Krasnaya Zvezda newspaper. [") < text.index("[1] The results of the Russian-French meeting")


# For the rendering rules alone: tests/helpers.py's FakeCore streams fixed deltas, then a fixed answer.
CITATION = Citation(1, "doc.txt", "A document", "Parly gave Shoigu a photograph.", "c1", 0.9)


def _piped(core: Any) -> str:
    out = io.StringIO()
    run_chat(core, stdin=io.StringIO("question\n"), console=Console(file=out, width=400))
    return out.getvalue()


def test_piped_chat_does_not_repeat_a_draft_that_verification_left_alone() -> None:
    answer = Answer("question", True, "Parly gave Shoigu a photograph. [1]", [CITATION], mode="llm")
    text = _piped(FakeCore(answer, deltas=["Parly gave ", "Shoigu a photograph. [1]"]))
    assert text.count("Parly gave Shoigu a photograph. [1]") == 1
    assert text.index("a photograph. [1]") < text.index("[1] A document (doc.txt)")


def test_piped_chat_prints_the_verified_answer_when_it_differs_from_the_draft() -> None:
    answer = Answer("question", True, "Parly gave Shoigu a photograph. [1]", [CITATION], mode="llm",
                    notice="Verification removed 1 sentence that the passages do not support.")
    draft = ["Parly gave Shoigu a photograph. [3] ", "He also gave him a sword. [3]"]
    text = _piped(FakeCore(answer, deltas=draft))
    draft_end = text.index("a sword. [3]")
    assert draft_end < text.index("Verification removed 1 sentence") < text.rindex("Parly gave Shoigu a photograph. [1]")


def test_json_chat_is_not_streamed(
    shared, corpus: Corpus, llm: ScriptedLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    llm.script(GOOD)
    run_chat(make_core(shared, llm.url), as_json=True, stdin=io.StringIO(GIFT + "\n"), console=Console(file=io.StringIO()))
    (line,) = capsys.readouterr().out.splitlines()
    data = json.loads(line)
    assert data["mode"] == "llm" and data["question"] == GIFT and "Krasnaya Zvezda" in data["answer"]
    assert_well_cited(data, corpus.docs_dir)  # verified citations, each quoting its document verbatim


def _doctor(corpus: Corpus, **env: str) -> Any:
    values = {"CITEBOT_DOCS_DIR": str(corpus.docs_dir), "CITEBOT_DATA_DIR": str(corpus.data_dir),
              "CITEBOT_LLM_TIMEOUT": "2", **env}
    return CliRunner().invoke(app, ["doctor"], env=values)


def test_doctor_reports_a_working_setup(corpus: Corpus, llm: ScriptedLLM) -> None:
    llm.script("ready")
    result = _doctor(corpus, CITEBOT_LLM="openai:scripted", OPENAI_BASE_URL=llm.url, OPENAI_API_KEY=KEY)
    assert result.exit_code == 0, result.output
    assert f"openai:scripted at {llm.url}" in result.output
    assert "API key: set" in result.output and "model: answers" in result.output
    assert "index: 3 documents" in result.output and str(corpus.data_dir) in result.output
    assert llm.requests[0].body["max_tokens"] == 8


def test_doctor_fails_when_the_model_does_not_answer(corpus: Corpus, llm: ScriptedLLM) -> None:
    url = llm.url
    llm.close()
    result = _doctor(corpus, CITEBOT_LLM="openai", CITEBOT_LLM_MODEL="scripted", OPENAI_BASE_URL=url, OPENAI_API_KEY=KEY)
    assert result.exit_code == 1
    assert "model: NOT ANSWERING: Cannot reach the language model" in result.output
    unnamed = _doctor(corpus, CITEBOT_LLM="openai", OPENAI_BASE_URL=url, OPENAI_API_KEY=KEY)
    assert unnamed.exit_code == 1 and "names no model: write provider:model" in unnamed.output


def test_doctor_without_a_model_or_an_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["doctor"], env={"CITEBOT_DOCS_DIR": str(tmp_path), "CITEBOT_DATA_DIR": str(tmp_path / "d"),
                                                      "CITEBOT_LLM": "none"})
    assert result.exit_code == 1
    assert "generator: extractive" in result.output and "index: NOT READY" in result.output


def test_the_api_key_never_appears_in_logs_or_outputs(shared, corpus: Corpus, llm: ScriptedLLM,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    core = make_core(shared, llm.url)
    seen: list[str] = []
    llm.script(GOOD, Reply(status=401), Reply(garbage=b"data: nonsense\n\n"), Reply(GOOD, hang=5))
    for answer in [core.ask(GIFT) for _ in range(3)] + [make_core(shared, llm.url, llm_timeout=0.5).ask(GIFT)]:
        seen.append(json.dumps(answer.to_json()) + answer.notice)
    assert all(KEY in r.headers["Authorization"] for r in llm.requests)  # it was sent, in the header
    out = io.StringIO()
    llm.script(GOOD)
    run_chat(core, stdin=io.StringIO(GIFT + "\n"), console=Console(file=out))
    seen.append(out.getvalue())
    seen.append(_doctor(corpus, CITEBOT_LLM="openai", OPENAI_BASE_URL=llm.url, OPENAI_API_KEY=KEY).output)
    seen.append(repr(core.settings) + core.generator.describe())
    assert "401" in seen[1] and "Verification" not in seen[0]
    for text in [*seen, caplog.text]:
        assert KEY not in text and KEY[-8:] not in text
