"""A follow-up asking why, or in answer to what ("why were they against it?", "C'était en réponse
à quoi ?", "а почему?"), is answered with what the document says beside the answer before, its
reason, not with that answer again (issue 10). Asked through the real answer core (real
embedder, real Chroma).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import converse

from bot.answering.answer_before import beside
from bot.answering.evidence import FEATURES, Candidate
from bot.core import AnswerCore
from bot.retrieval import Passage


def test_why_they_objected_is_the_sentence_after_what_they_objected_to(core: AnswerCore) -> None:
    """The Wagner sentence ends one passage, and the reason (*They reiterated their messages of
    firmness with regard to the risks of regional destabilization …*) opens the next: it is still
    the sentence beside the answer, and comes first though it scores 2.4 below it."""
    first, why = converse(core, ["what did the french ministers object to in the sahel?", "why were they against it?"])
    assert first.answered and "Wagner" in first.sentences()[0], first.answer
    assert why.answered and "regional destabilization" in why.sentences()[0], why.answer


def test_why_it_was_no_accident_is_the_sentence_before(core: AnswerCore) -> None:
    """*It is no coincidence that Florence Parly met with … Esper …* follows the author's reason:
    *Both Washington and Paris have an understanding that without the participation of Moscow …*;
    it was answered with what Parly gave Shoigu."""
    first, why = converse(core, ["Which American did Parly meet before sitting down with Shoigu?",
                                 "why does the author say that was no accident?"])
    assert first.answered and "Esper" in first.sentences()[0], first.answer
    assert why.answered and "without the participation of Moscow" in why.sentences()[0], why.answer


@pytest.mark.parametrize("questions, reason", [
    (["Что министры в 2021 году сказали про Украину?", "а почему?"], "deteriorating security situation"),
    (["Quel journal le ministre russe de la Défense a-t-il offert à Parly ?", "C'était en réponse à quoi ?"],
     "Parly donated"),
])
def test_why_in_russian_and_french_is_answered_beside_the_answer(core: AnswerCore, questions: list[str],
                                                                 reason: str) -> None:
    *_, why = converse(core, questions)
    assert why.answered and reason in why.answer, why.answer


def _sentences(chunk_id: str, text: str, start: int, *spans: tuple[int, int]) -> list[Candidate]:
    passage = Passage(chunk_id, "page.html", "Page", text, start, start + len(text), 0.0, 0.0)
    return [Candidate(passage, text[a - start:b - start], a, b, i, np.zeros(2), np.zeros(len(FEATURES)))
            for i, (a, b) in enumerate(spans)]


def test_the_sentences_beside_an_answer_are_its_neighbours_whatever_blank_space_parts_them() -> None:
    """In its passage, whatever the blank space between (a page's lines may be parted by 13
    characters), and across the passage's end; not two sentences on, nor from another passage."""
    one = _sentences("p1", "First one.\n\n\n\n\n\n\n\n\n\n\n\n\nSecond one. Third one.", 0, (0, 10), (23, 34), (35, 45))
    two = _sentences("p2", "Fourth one. Fifth one.", 47, (47, 58), (59, 69))
    candidates = one + two
    assert [c.text for c in beside(candidates, ("Second one.",))] == ["First one.", "Third one."]
    assert [c.text for c in beside(candidates, ("Third one.",))] == ["Second one.", "Fourth one."]
    assert [c.text for c in beside(candidates, ("Fourth one.",))] == ["Third one.", "Fifth one."]
    assert [c.text for c in beside(candidates, ("First one.",))] == ["Second one."]
    far = _sentences("p3", "Sixth one.", 400, (400, 410))
    assert [c.text for c in beside(candidates + far, ("Fifth one.",))] == ["Fourth one."]
