"""A follow-up in a conversation set at one meeting by its place ("… in Paris?", then "what did
they say about Ukraine?") is about that meeting: answered from the document set there, not from
the other meeting's, which speaks of Ukraine too (issue 10). Asked through the real answer core
(real embedder, real Chroma).
"""

from __future__ import annotations

import pytest
from helpers import converse

from bot.answering import analyse
from bot.core import AnswerCore
from bot.models import Turn


@pytest.mark.parametrize("questions", [
    ["Who did Le Drian and Parly welcome in Paris?", "what did they say about Ukraine?"],
    ["Кого Ле Дриан и Парли встречали в Париже?", "а что они сказали по Украине?"],
])
def test_a_follow_up_stays_at_the_meeting_the_conversation_is_at(core: AnswerCore, questions: list[str]) -> None:
    _, ukraine = converse(core, questions)
    assert ukraine.answered, ukraine.answer
    assert "deteriorating security situation in Ukraine" in ukraine.sentences()[0], ukraine.answer
    assert "Norman Four" not in ukraine.answer  # the 2019 article's Ukraine, in Moscow


def test_a_follow_up_about_what_both_meetings_discussed_is_answered_from_the_meeting_it_is_at(
        core: AnswerCore) -> None:
    # The statement's opening line ranks first, and the next sentence about Iran was the 2019 article's.
    _, iran = converse(core, ["Кто принимал российских министров в Париже?", "что они говорили про Иран?"])
    assert iran.answered, iran.answer
    assert "returns to compliance with the JCPOA" in iran.sentences()[0], iran.answer


def _turn(question: str, searched: str = "") -> Turn:
    return Turn(question, searched or question, True, (), ("An answer.",), "en")


def test_where_the_conversation_is_set() -> None:
    follow_up = "what did they say about Ukraine?"
    assert analyse(follow_up, [_turn("Who did Le Drian and Parly welcome in Paris?")]).set_before == {"Paris"}
    # the latest place, across follow-ups that set none; not past a question standing on its own
    welcomed = _turn("Who did Le Drian and Parly welcome in Paris?")
    belarus = _turn("and what did they say about Belarus?", "Le Drian Parly Paris and what did they say about Belarus?")
    assert analyse(follow_up, [welcomed, belarus]).set_before == {"Paris"}
    assert analyse(follow_up, [welcomed, _turn("What did Shoigu give Parly?")]).set_before == set()
    # a year says which meeting already (the year carried), and a question standing on its own carries nothing
    assert analyse(follow_up, [_turn("Who did Le Drian and Parly welcome in Paris in 2021?")]).set_before == set()
    assert analyse("What did Lavrov say about Iran?", [_turn("Who was hosted in Paris?")]).set_before == set()
