"""Where a question's meeting took place ("the Paris meeting", "à Paris") is named for a sentence by
its document's heading, "… (Paris, 12 November 2021)", as a dateline places what follows, and a
question set where one document is set is not answered from another set elsewhere (issue 10).

The first tests need no model; the last asks the bundled corpus through the real answer core
(real embedder, real Chroma).
"""

from __future__ import annotations

import pytest
from helpers import ROOT

from bot.answering import analyse
from bot.core import AnswerCore
from index.loaders import heading_of, setting_of


@pytest.mark.parametrize("question, setting", [
    ("Within which framework was the Paris meeting held?", {"Paris"}),
    ("Qui Lavrov a-t-il rencontré à Paris ?", {"Paris"}),
    ("Quand a eu lieu la réunion de Paris ?", {"Paris"}),
    ("Кого Лавров встретил в Париже?", {"Париже"}),
    ("What did Lavrov say about Paris?", set()),  # what it is about, not where
    ("What did Shoigu give Parly in 2021?", set()),  # a year: every document dates itself
    ("Ils ont demandé quoi à Moscou ?", set()),  # asked of Moscow, not where
    ("Qu'ont-ils demandé à la Russie à Paris ?", {"Paris"}),  # of Russia, in Paris
    ("Qu'ont dit les ministres à Moscou ?", {"Moscou"}),
    # an adjective of the place before or after the meeting, a Russian one by its stem
    ("Что на парижской встрече говорили о Белоруссии?", {"Париж"}),
    ("Что сказали на московских переговорах?", {"Москов"}),
    ("Qu'a-t-on dit lors de la rencontre parisienne ?", {"Parisienne"}),
    ("what did the muscovite talks cover?", {"Muscovite"}),
    ("Кто написал статью о парижском соборе?", set()),  # no meeting
])
def test_where_a_question_says_it_happened(question: str, setting: set[str]) -> None:
    assert analyse(question).setting == setting


def test_a_heading_is_the_whole_first_line_not_a_paragraph() -> None:
    title = ("Russia – Meeting of the Minister for Europe and Foreign Affairs and the Minister for the Armed "
             "Forces and their Russian counterparts (Paris, 12 November 2021)")
    assert heading_of(f"{title}\n\n\nJean-Yves Le Drian … received …") == title  # longer than a shown title
    assert heading_of("A paragraph that runs on. " * 10 + "\nMore.") == ""


def test_where_a_document_is_set_is_its_dateline_or_its_lead_s_place() -> None:
    """A dateline or a dated place in the heading or the lead, or where it was held; not any
    place after "in" (the Python pages' "in Python 3", "as specified in RFC 4122")."""
    paris = (ROOT / "documents" / "france-russia-2plus2-meeting-paris-2021-11-12.txt").read_text(encoding="utf-8")
    moscow = (ROOT / "documents" / "russia-france-2plus2-meeting-moscow-2019-09-09.txt").read_text(encoding="utf-8")
    assert setting_of(paris, heading_of(paris)) == "Paris"
    assert setting_of(moscow, heading_of(moscow)) == "Moscow"  # "… held in Moscow on September 9, 2019, …"
    assert setting_of("Le sommet s'est tenu à Lyon le 3 mai 2020. Il a duré deux jours.", "Sommet") == "Lyon"
    assert setting_of("Встреча прошла в Казани. Министры обсудили торговлю.", "Встреча") == "Казани"
    assert setting_of("This module works the same in Python 3. It copies.", "copy") == ""
    assert setting_of("Generate UUIDs as specified in RFC 4122.", "uuid") == ""


@pytest.mark.parametrize("question", [
    "Did Afghanistan come up in Moscow?",
    "What did the ministers say about Belarus at the Moscow meeting?",
    "À Paris, qu'ont dit les ministres du défilé du 9 mai ?",
    "О чём договорились в Париже по Ливии?",
    # the meeting named by an adjective of its place
    "Говорили ли на московской встрече о Белоруссии?", "Le Mali a-t-il été évoqué lors de la réunion moscovite ?",
])
def test_a_question_set_where_one_document_is_set_is_not_answered_from_another(core: AnswerCore,
                                                                                question: str) -> None:
    """The Paris statement names Moscow as whom the ministers called on, the Moscow article names
    Paris as one who hopes: neither is the other meeting's report."""
    answer = core.ask(question)
    assert not answer.answered and answer.refusal == "name_not_in_document", answer.answer


def test_a_question_set_where_its_document_is_set_is_answered(core: AnswerCore) -> None:
    """Afghanistan came up in Paris, Iran in Moscow: the check refuses only the other meeting."""
    afghanistan = core.ask("Did Afghanistan come up in Paris?")
    assert afghanistan.answered and "Afghanistan" in afghanistan.sentences()[0], afghanistan.answer
    iran = core.ask("Что обсуждали в Москве насчёт Ирана?")
    assert iran.answered and "Iran" in iran.answer, iran.answer
    # two meetings side by side: either document answers
    both = core.ask("How did the discussion of fighting terrorism differ between the Moscow and the Paris meetings?")
    assert both.answered, both.answer


MOSCOW = "russia-france-2plus2-meeting-moscow-2019-09-09.txt"
PARIS = "france-russia-2plus2-meeting-paris-2021-11-12.txt"


@pytest.mark.parametrize("question, source, named", [
    ("At the Moscow meeting, what did they discuss regarding Ukraine?", MOSCOW, "Ukraine"),
    ("Что обсуждали насчёт Ирана на встрече в Париже?", PARIS, "Iran"),
])
def test_a_topic_both_meetings_had_is_answered_from_the_meeting_asked_about(core: AnswerCore, question: str,
                                                                            source: str, named: str) -> None:
    """Both documents speak of Ukraine and Iran; the other meeting's sentence ranked first, and the
    question was refused as set elsewhere."""
    answer = core.ask(question)
    assert answer.answered and answer.citations[0].source == source, answer.answer
    assert named in answer.sentences()[0], answer.answer


def test_a_passage_the_search_missed_of_the_meeting_asked_about_answers(core: AnswerCore) -> None:
    """The search found the 2019 article's passages on NATO; the Paris statement's passage naming
    it is searched for by its name (`pipeline.SET_THERE_PASSAGES`)."""
    answer = core.ask("Qu'a-t-on dit de l'OTAN lors de la réunion de Paris ?")
    assert answer.answered and "NATO" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {PARIS}, answer.answer


def test_a_passage_the_search_missed_of_the_meeting_asked_about_answers_what_its_words_ask(
        core: AnswerCore) -> None:
    """Asked about by its words, not a name: the Paris statement's passage nearest to the search
    joins, and its sentence on terrorism answers, not the 2019 article's (which was then refused
    as set elsewhere)."""
    answer = core.ask("À la réunion de Paris, qu'a-t-on dit sur le terrorisme ?")
    assert answer.answered and "terrorism" in answer.sentences()[0], answer.answer
    assert {c.source for c in answer.citations} == {PARIS}, answer.answer


def test_a_topic_asked_by_its_words_at_one_meeting_is_answered_from_that_meeting_s_sentence(
        core: AnswerCore) -> None:
    """The best-ranked sentence is the Paris statement's on Wagner, which says nothing of
    terrorism; of those that do, the 2019 article's ranked before the Paris one, and was refused
    as set elsewhere. The sentences of the meeting asked about come first."""
    answer = core.ask("Qu'a-t-on déclaré sur le terrorisme lors de la rencontre à Paris ?")
    assert answer.answered and "terrorism" in answer.sentences()[0], answer.answer
    assert {c.source for c in answer.citations} == {PARIS}, answer.answer


@pytest.mark.parametrize("question, named", [
    ("Did Iran come up when the ministers met in Moscow?", "Iran"),
    ("О чём договорились по Ирану, когда министры встретились в Москве?", "JCPOA"),
])
def test_a_meeting_named_by_a_clause_of_time_is_where_not_a_date_asked(core: AnswerCore, question: str,
                                                                      named: str) -> None:
    """"When the ministers met in Moscow" says which meeting: the question asks no date, and was
    refused for stating none (`no_number`)."""
    answer = core.ask(question)
    assert answer.answered and named in answer.answer, answer.answer
    assert answer.citations[0].source == MOSCOW, answer.answer


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
