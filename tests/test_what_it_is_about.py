"""What a question asks about: the names after "about", "sur", "про" ("… sur la Biélorussie en
2021 ?"), which the answer names, and which retrieval looks for on their own (issue 10).

The first tests need no model; the rest ask the bundled corpus through the real answer core
(real embedder, real Chroma).
"""

from __future__ import annotations

import pytest

from bot.answering import analyse
from bot.answering.pipeline import queries
from bot.core import AnswerCore
from bot.models import Turn


@pytest.mark.parametrize("question, topic", [
    ("What did the ministers say about the MH17 affair?", ("MH17",)),
    ("Qu'ont dit les ministres sur le MH17 en 2021 ?", ("MH17",)),  # "en 2021" says when, not what
    ("Что министры сказали про Навального?", ("Навального",)),
    ("What did Parly give Shoigu?", ()), ("Who wrote the article about the Moscow meeting?", ("Moscow",)),
])
def test_what_a_question_asks_about(question: str, topic: tuple[str, ...]) -> None:
    assert analyse(question).topic == topic


@pytest.mark.parametrize("question", [
    "Qu'ont dit les ministres à propos du Mali ?", "Au sujet du Mali, qu'ont déclaré les ministres ?",
])
def test_a_propos_du_asks_about_what_follows_it(question: str) -> None:
    """*à propos du*, *au sujet des*: the article joined to *de* says what is asked about, as *à
    propos de la* does; *du Mali* was no topic."""
    assert analyse(question).topic == ("Mali",)
    assert analyse("Qu'ont dit les ministres à propos des réfugiés syriens ?").topic_words == ("réfugiés", "syriens")


def test_what_was_said_about_mali_is_the_sentence_naming_mali(core: AnswerCore) -> None:
    """*Qu'ont dit les ministres à propos du Mali ?* was answered with what they said of Ukraine,
    which e5 ranks first; the sentence on the Malian authorities' transition answers it."""
    answer = core.ask("Qu'ont dit les ministres à propos du Mali ?")
    assert answer.answered and "Malian authorities" in answer.answer, answer.answer
    assert "Ukraine" not in answer.answer, answer.answer


def test_a_topic_that_names_no_name_is_its_words() -> None:
    assert analyse("Qu'est-ce que Moscou a promis sur les missiles ?").topic_words == ("missiles",)
    assert analyse("What did they say about arms control?").topic_words == ("arms", "control")
    assert analyse("What did Lavrov say about Iran?").topic_words == ()  # a name: the topic itself


def test_what_was_said_of_something_in_french_asks_about_it(core: AnswerCore) -> None:
    """*dire de*, *parler de* say what a French question asks about, as *sur* does: *Qu'ont-ils
    dit des missiles lors de la réunion de Moscou ?* is about missiles, and is answered from the
    2019 article's sentences on them; it was refused (`name_not_in_document`), a sentence of the
    2021 statement ranking first."""
    question = "Qu'ont-ils dit des missiles lors de la réunion de Moscou ?"
    assert analyse(question).topic_words == ("missiles",)
    assert analyse("A-t-on parlé du terrorisme à Paris ?").topic_words == ("terrorisme",)
    answer = core.ask(question)
    assert answer.answered and "missiles" in answer.answer, answer.answer
    assert answer.citations[0].source.startswith("russia-france-2plus2-meeting-moscow"), answer.answer


def test_whether_something_came_up_asks_about_it(core: AnswerCore) -> None:
    """*Did terrorism come up when the ministers met in Paris?* asks about terrorism: the Paris
    statement's sentence on it answers. With nothing asked about, its sentence on Wagner, ranked
    first, answered alone."""
    assert analyse("Did migration come up when they met in Paris?").topic_words == ("migration",)
    assert analyse("Were mercenaries discussed at the 2021 meeting?").topic_words == ("mercenaries",)
    assert analyse("Est-ce que le terrorisme a été abordé à Moscou ?").topic_words == ("terrorisme",)
    assert analyse("Поднимали ли тему мигрантов на встрече в Париже?").topic_words == ("мигрантов",)
    assert analyse("Did Iran come up in Moscow?").topic_words == ()  # a name: the topic itself
    answer = core.ask("Did terrorism come up when the ministers met in Paris?")
    assert answer.answered and "terrorism" in answer.sentences()[0], answer.answer
    assert answer.citations[0].source.startswith("france-russia-2plus2-meeting-paris"), answer.answer


def test_a_follow_up_asks_about_its_new_topic() -> None:
    before = Turn("What did Lavrov say about Iran?", "What did Lavrov say about Iran?", True)
    assert analyse("And about Syria?", [before]).topic == ("Syria",)


def test_the_answer_is_about_what_was_asked_about(core: AnswerCore) -> None:
    """e5 ranks first a sentence about something else the ministers said; the answer is the one
    that names what the question asks about."""
    mh17 = core.ask("Qu'ont dit les ministres sur le MH17 en 2021 ?")
    assert mh17.answered and mh17.answer.startswith("Lastly, they stressed the importance of resolving the MH17"), \
        mh17.answer
    assert "Navalny" not in mh17.answer  # the next sentence of the passage, about something else, does not join
    normandy = core.ask("What were the Russians asked to do about the Normandy Format?")
    assert normandy.answered and "reinvest in the Normandy Format" in normandy.answer, normandy.answer
    # The Ukraine paragraph follows the one that ends with "the Malian authorities": it is not about Mali.
    mali = core.ask("What did the ministers say about Mali?")
    assert mali.answered and "Malian authorities" in mali.answer and "Ukraine" not in mali.answer, mali.answer
    # Only the 2021 statement has "November 2021": of its sentences, the one about Ukraine, not its opening line.
    ukraine = core.ask("What did Le Drian and Parly say about Ukraine in November 2021?")
    assert ukraine.answered and "deteriorating security situation in Ukraine" in ukraine.answer, ukraine.answer
    # A topic of words, not names: the answer holds them, not what Moscow was called on to do about Ukraine.
    missiles = core.ask("qu'est-ce que moscou a promis sur les missiles ?")
    assert missiles.answered and "not to deploy missiles" in missiles.sentences()[0], missiles.answer


def test_what_it_asks_about_is_searched_on_its_own_too() -> None:
    asked = analyse("Qu'ont dit Le Drian et Parly sur la Biélorussie en 2021 ?")
    assert asked.about == "la Biélorussie" and queries(asked)["topic"] == "la Biélorussie"
    gift = analyse("What did Parly give Shoigu?")
    assert gift.about == "" and "topic" not in queries(gift)


def test_a_topic_whatever_language_names_it_is_found_in_the_document_that_has_everything(core: AnswerCore) -> None:
    """The search for Le Drian and Parly finds passages that name them and none on Belarus or on
    the 2021 talk of Syria; the passage nearest to the topic joins them, and of the document that
    names everyone, the sentence about it answers."""
    belarus = core.ask("Qu'ont dit Le Drian et Parly sur la Biélorussie ?")
    assert belarus.answered and "situation in Belarus" in belarus.sentences()[0], belarus.answer
    syria = core.ask("What did Le Drian and Parly say about Syria in November 2021?")
    assert syria.answered and "refugees to return to Syria" in syria.sentences()[0], syria.answer
