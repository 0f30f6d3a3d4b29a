"""Where a question's meeting took place ("the Paris meeting", "à Paris") is named for a sentence by
its document's heading, "… (Paris, 12 November 2021)", as a dateline places what follows
(issue 10).

The first tests need no model; the last asks the bundled corpus through the real answer core
(real embedder, real Chroma).
"""

from __future__ import annotations

import pytest

from bot.answering import analyse
from bot.core import AnswerCore
from index.loaders import heading_of


@pytest.mark.parametrize("question, setting", [
    ("Within which framework was the Paris meeting held?", {"Paris"}),
    ("Qui Lavrov a-t-il rencontré à Paris ?", {"Paris"}),
    ("Quand a eu lieu la réunion de Paris ?", {"Paris"}),
    ("Кого Лавров встретил в Париже?", {"Париже"}),
    ("What did Lavrov say about Paris?", set()),  # what it is about, not where
    ("What did Shoigu give Parly in 2021?", set()),  # a year: every document dates itself
])
def test_where_a_question_says_it_happened(question: str, setting: set[str]) -> None:
    assert analyse(question).setting == setting


def test_a_heading_is_the_whole_first_line_not_a_paragraph() -> None:
    title = ("Russia – Meeting of the Minister for Europe and Foreign Affairs and the Minister for the Armed "
             "Forces and their Russian counterparts (Paris, 12 November 2021)")
    assert heading_of(f"{title}\n\n\nJean-Yves Le Drian … received …") == title  # longer than a shown title
    assert heading_of("A paragraph that runs on. " * 10 + "\nMore.") == ""


def test_the_sentence_of_the_meeting_asked_about_answers(core: AnswerCore) -> None:
    """Neither answering sentence names Paris; the 2021 statement's heading does. "Paris hopes …"
    (the 2019 article) names Paris, and came first."""
    framework = core.ask("Within which framework was the Paris meeting held?")
    assert framework.answered and "Cooperation Council for Security Issues" in framework.sentences()[0], \
        framework.answer
    met = core.ask("Qui Lavrov a-t-il rencontré à Paris ?")
    assert met.answered and "Le Drian" in met.sentences()[0] and "Parly" in met.sentences()[0], met.answer


@pytest.mark.parametrize("question, answering", [
    ("Что министры говорили в 2021 году про контроль над вооружениями?", "arms control regimes"),
    ("Qu'ont dit les ministres en 2021 sur le Moyen-Orient ?", "Middle East"),
])
def test_the_year_a_question_gives_is_its_document_s_to_name(core: AnswerCore, question: str,
                                                             answering: str) -> None:
    """The 2021 statement names 2021 in its heading alone: a passage of it that does not was
    ranked below one that does (the Wagner mercenaries, the MH17 affair)."""
    answer = core.ask(question)
    assert answer.answered and answering in answer.sentences()[0], answer.answer
