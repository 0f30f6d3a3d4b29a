"""A format named by numbers added up ("the Paris 2+2") is no number a document must repeat: the
2021 statement calls its meeting one of the "Franco-Russian Cooperation Council for Security
Issues" (issue 10).

The first test needs no model; the last asks the bundled corpus through the real answer core
(real embedder, real Chroma).
"""

from __future__ import annotations

from bot.core import AnswerCore
from bot.language import summed


def test_numbers_added_up_are_a_format_s_name() -> None:
    assert summed("what was the date of the paris 2+2") == {"2"}
    assert summed("the results of the meeting in the “2 + 2” format") == {"2"}
    assert summed("in 2021, 2 ministers met") == frozenset()


def test_a_meeting_named_by_its_format_is_answered_from_a_document_calling_it_otherwise(core: AnswerCore) -> None:
    who = core.ask("who represented france at the paris 2+2 in 2021?")
    assert who.answered and "Le Drian" in who.sentences()[0] and "Parly" in who.sentences()[0], who.answer
    # what is still to come must still be of that format: "the leaders of the Norman Four will meet" is not
    assert not core.ask("when is the next 2+2 meeting scheduled").answered
