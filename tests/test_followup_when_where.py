"""A follow-up that points back to what was just said ("that", "ça", "это") and asks only when or
where it happened ("and when was that going to happen?", "Et ça s'est passé à quelle date ?", "а
где это было?") asks it of the answer just given, as "Where exactly?" does: the sentence that
answered comes first again when it holds the date or place (issue 10). Asked through the real
answer core (real embedder, real Chroma); how it is read, with no model, first.
"""

from __future__ import annotations

import pytest
from helpers import converse

from bot.answering import analyse
from bot.core import AnswerCore
from bot.models import Turn

PARADE = "Shoigu also invited the French military delegation to take part in the Victory Day parade on Red Square on May 9, 2020."


@pytest.mark.parametrize("follow_up", [
    "and when was that going to happen?",
    "where was it supposed to take place?",
    "Et ça s'est passé à quelle date ?",
    "а когда это должно было пройти?",
    "а где это было?",
])
def test_when_or_where_that_happened_asks_it_of_the_answer(follow_up: str) -> None:
    history = [Turn("What did Shoigu invite the French military to?", cited=(PARADE,))]
    asked = analyse(follow_up, history)
    assert asked.again == (PARADE,) and asked.seen == (), asked


@pytest.mark.parametrize("follow_up", [
    "and when did macron accept that?",        # a word of its own the answer lacks: something new
    "where did that meeting take place?",
    "and when was the photo in it taken?",     # "taken" is what was done to the photo, not that it happened
])
def test_a_follow_up_with_a_word_of_its_own_asks_something_new(follow_up: str) -> None:
    history = [Turn("What did Shoigu invite the French military to?", cited=(PARADE,))]
    asked = analyse(follow_up, history)
    assert asked.again == () and asked.seen == (PARADE,), asked


@pytest.mark.parametrize("questions, expected", [
    (["What did Shoigu invite the French military to?", "and when was that going to happen?"], "May 9, 2020"),
    (["What were the French soldiers invited to by Shoigu?", "and where was that supposed to take place?"],
     "Red Square"),
    (["На какое мероприятие Шойгу позвал французских военных?", "а когда это должно было пройти?"], "May 9, 2020"),
    (["Où la réunion de 2019 s'est-elle tenue ?", "Et ça s'est passé à quelle date ?"], "September 9, 2019"),
])
def test_when_or_where_that_happened_is_answered_from_the_answer(core: AnswerCore, questions: list[str],
                                                                  expected: str) -> None:
    """Before, the answer just given was set aside as seen: the date was refused (`no_number`) or
    answered with the photograph Parly gave Shoigu (June 1944)."""
    _, then = converse(core, questions)
    assert then.answered and expected in then.sentences()[0], then.answer
