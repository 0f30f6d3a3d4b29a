"""Questions that bound their answer in time (issue 10): "When did Lavrov visit Paris before
2021?", "après 2019", "до 2021 года", "the next summit", "what time". The first tests need no
model; the last asks the real answer core (real embedder, real Chroma)."""

from __future__ import annotations

import re

import pytest

from bot.answer_type import asking_words
from bot.answering import analyse
from bot.core import AnswerCore


@pytest.mark.parametrize("question, before, after, ahead", [
    ("When did Lavrov visit Paris before 2021?", 2021, None, False),
    ("Quand Parly était-elle allée à Moscou avant 2019 ?", 2019, None, False),
    ("Когда до 2021 года министры встречались?", 2021, None, False),
    ("Après 2019, quand se sont-ils revus ?", None, 2019, False),
    ("Когда Лавров приезжал в Париж после 2021 года?", None, 2021, False),
    ("When is the next 2+2 meeting scheduled?", None, None, True),
    ("Quand aura lieu la prochaine réunion ?", None, None, True),
    ("Когда пройдёт следующая встреча?", None, None, True),
])
def test_a_when_question_may_bound_its_answer_in_time(question: str, before, after, ahead: bool) -> None:
    asked = analyse(question)
    assert asked.bound is not None and (asked.bound.before, asked.bound.after, asked.bound.ahead) == (before, after, ahead)
    # the year of a bound is no name the documents must mention, nor searched for: the answer is another year
    assert not set(asked.names) & {"2019", "2021"} and not re.search(r"2019|2021", asked.search)


def test_no_time_bound_for_what_is_no_when_question_or_sets_none() -> None:
    for question in ("When did they meet in 2019?", "What did she say next?", "Who sat next to Lavrov?",
                     "What did they discuss before 2021?"):
        assert analyse(question).bound is None, question
    assert analyse("When did they meet in 2019?").names == ("2019",)


def test_a_sentence_answers_a_bounded_when_only_within_its_bound() -> None:
    from bot.answering.holding import holds

    before = analyse("When did Parly and Shoigu meet before 2021?")
    assert holds(before, "The meeting was held in Moscow on September 9, 2019.")
    assert not holds(before, "(Paris, 12 November 2021)")
    assert not holds(analyse("Après 2019, quand se sont-ils revus ?"), "held in Moscow on September 9, 2019")
    ahead = analyse("When could the next Normandy summit happen?")
    assert holds(ahead, "Paris hopes that the leaders will meet in the coming days.")
    assert holds(analyse("Когда пройдёт следующая встреча?"), "Встреча состоится в ближайшее время.")
    assert not holds(ahead, "The meeting was held in Moscow on September 9, 2019.")  # a date, but past
    # unbounded, "in the coming days" is still no date
    assert not holds(analyse("When could the Normandy summit happen?"), "The leaders will meet in the coming days.")


@pytest.mark.parametrize("question", [
    "What time did the talks start?", "À quelle heure la réunion a-t-elle commencé ?", "Во сколько началась встреча?",
    "В котором часу начались переговоры?",
])
def test_a_question_asking_the_time_of_day_is_answered_only_by_one(question: str) -> None:
    """A date says on which day, not at what time: "held in Moscow on September 9, 2019" does not
    answer "What time did the talks start?"; "at 10:30", "18h30", "in the morning", "утром" do."""
    from bot.answering.holding import holds

    asked = analyse(question)
    assert asked.answer_type == "date" and asked.bound is not None and asked.bound.hour
    assert not holds(asked, "The meeting was held in Moscow on September 9, 2019.")
    for said in ("The talks began at 10:30.", "Elle a commencé à 18h30.", "They met in the morning.", "Встреча началась утром."):
        assert holds(asked, said), said
    assert analyse("When did the talks start?").bound is None


def test_a_when_question_bounded_in_time_is_answered_within_it_or_refused(core: AnswerCore) -> None:
    """"Before 2021" is answered with the 2019 meeting, not refused for the 2019 article's lacking
    2021; "the next summit" with the hope that the leaders meet "in the coming days"; a next
    meeting nothing announces is not answered with the one that took place, nor with what is
    to come for others."""
    before = core.ask("Когда до 2021 года министры встречались в формате 2+2?")
    assert before.answered and "September 9, 2019" in before.answer, before.answer
    ahead = core.ask("When could the next Normandy summit happen, according to Le Drian?")
    assert ahead.answered and "coming days" in ahead.sentences()[0], ahead.answer
    for question in ("when is the next 2+2 meeting scheduled", "Когда Лавров приезжал в Париж после 2021 года?",
                     "When did Lavrov last visit Paris before 2021?", "What time did the Moscow talks start?",
                     "Ont-ils fixé une date pour la prochaine réunion au format 2+2 ?",
                     # what is still to come for the Norman Four is not the next NATO-Russia meeting
                     "Quand aura lieu la prochaine réunion Russie-OTAN ?"):
        refused = core.ask(question)
        assert not refused.answered, (question, refused.answer)


def test_a_when_question_is_answered_by_the_dateline_of_what_its_lead_reports(core: AnswerCore) -> None:
    """"(Paris, 12 November 2021)" dates what the sentence after it reports ("Le Drian and Parly
    … received … Lavrov and Shoygu"): asked when they were received, the title line answers, in
    Russian and French, not the 1944 photograph that names Parly and holds a date."""
    for question in ("Когда Лавров и Шойгу были в Париже?",
                     "À quelle date Le Drian et Parly ont-ils reçu leurs homologues russes ?"):
        answer = core.ask(question)
        assert answer.answered and "12 November 2021" in answer.sentences()[0], (question, answer.answer)


def test_the_words_asking_for_a_date_are_no_topic(core: AnswerCore) -> None:
    """"what day" asks for a date; the "Victory Day" parade (May 9, 2020) shares a word with it and
    nothing else."""
    assert asking_words("what day were lavrov and shoigu received in paris") == "what day"
    assert asking_words("Quel jour Parly est-elle venue ?") == "Quel jour"
    assert asking_words("Что Парли подарила Шойгу?") == ""
    answer = core.ask("what day were lavrov and shoigu received in paris")
    assert answer.answered and "12 November 2021" in answer.sentences()[0], answer.answer
