"""Who someone is: "Who is Florence Parly?", "Кем работает Ле Дриан?", "what's his job?" ask for
a post, and a sentence giving the person one answers (issue 10).

The last tests ask the bundled corpus through the real answer core (real embedder, real Chroma).
"""

from __future__ import annotations

import pytest

from bot.answering import analyse
from bot.answering.holding import introduces
from bot.core import AnswerCore, with_history
from bot.models import Turn


@pytest.mark.parametrize("question, kind", [
    ("Who is Florence Parly?", "role"), ("Qui est Choïgou ?", "role"), ("Кто такой Шойгу?", "role"),
    ("Кем работает Ле Дриан?", "role"), ("Кто это такой, Патрушев?", "role"),
    ("Кто это сказал?", "person"), ("Quel poste occupe Sergueï Lavrov ?", "role"), ("what's his job?", "role"),
    ("Who met Lavrov?", "person"), ("Who is the French ambassador in Moscow?", "person"), ("Who?", "person"),
    ("Who is the author of the article?", "author"), ("What did Lavrov say?", "other"),
    ("What is the role of France in the Minsk Group?", "other"), ("What was their position on Iran?", "other"),
    ("What does Russia hold?", "other"), ("How does it work?", "other"), ("What is Lavrov's job?", "role"),
    # what country someone is from: a post says it; not where a thing comes from, nor where someone was born
    ("Which country is Mark Esper from?", "role"), ("D'où vient-il ?", "role"), ("Из какой страны Патрушев?", "role"),
    ("D'où vient cette photo ?", "place"), ("In which city was Florence Parly born?", "place"),
    # where someone works: their post says it; not where people worked on something
    ("а где он работает?", "role"), ("Where does Stanislav Ivanov work?", "role"), ("Où travaille-t-il ?", "role"),
    ("Where did they work on the Iran deal?", "place"),
    # which institute someone is from, or works for: their post says it; not which ones were named
    ("он из какого института?", "role"), ("Which institute does he work for?", "role"),
    ("De quel institut vient-il ?", "role"), ("Which organisations did they mention?", "other"),
    # "position" asks for a post only of "him" or "her" and nothing more; else for a stance
    ("what's his position?", "role"), ("What is her title?", "role"), ("What is his position on Iran?", "other"),
    ("What is Russia's position?", "other"), ("what was the russian position?", "other"),
])
def test_who_someone_is_asks_for_their_post(question: str, kind: str) -> None:
    assert analyse(question).answer_type == kind


@pytest.mark.parametrize("text, name, post", [
    ("French Minister of the Armed Forces Florence Parly, in turn, stated that", "Parly", True),
    ("Jean-Yves Le Drian, Minister for Europe and Foreign Affairs, and others", "Drian", True),
    ("the head of the Russian military department, Sergei Shoigu, during a meeting", "Шойгу", True),
    ("Stanislav IVANOV | Leading Researcher, Center for International Security", "Ivanov", True),
    ("It is no coincidence that Florence Parly met with U.S. Secretary of Defense Mark Esper", "Parly", False),
    ("It is no coincidence that Florence Parly met with U.S. Secretary of Defense Mark Esper", "Esper", True),
    ("The theme was raised when Parly donated to Minister Shoigu a photograph", "Shoigu", False),  # which minister?
    ("He also praised the efforts of French President Mr. Macron to save the deal.", "Macron", True),
])
def test_a_post_belongs_to_the_name_beside_it(text: str, name: str, post: bool) -> None:
    assert introduces(text, (name,)) is post


def test_who_someone_is_is_answered_with_their_post(core: AnswerCore) -> None:
    """Not with the sentence that names her most (what she and Esper met about), in any language."""
    for asked in ("Who is Florence Parly?", "Qui est Florence Parly ?", "Кто такая Флоранс Парли?"):
        answer = core.ask(asked)
        assert "Minister" in answer.sentences()[0] and "Armed Forces" in answer.sentences()[0], answer.answer
        assert "Esper" not in answer.answer, answer.answer  # her post says who she is: nothing else joins
    # a question opening with his name in Cyrillic asks about him, not whoever has a post (the byline)
    patrushev = core.ask("Патрушев — это кто?")
    assert "Patrushev" in patrushev.sentences()[0] and "IVANOV" not in patrushev.answer, patrushev.answer
    for asked in ("Кто такой Шойгу?", "Qui est Choïgou ?"):  # not "… donated to Minister Shoigu …"
        assert "head of the Russian military department" in core.ask(asked).sentences()[0], asked
    # a line that names him without his post ("… received … Ministers Sergey Lavrov …") comes after one giving it
    assert "Foreign Minister" in core.ask("Quel poste occupe Sergueï Lavrov ?").sentences()[0]
    first = core.ask("who did parly see just before sitting down with shoigu in 2019?")
    job = core.ask("what's his job?", with_history([], first, 4))
    assert "Secretary of Defense" in job.sentences()[0], job.answer  # his: Esper, whom the answer named
    position = core.ask("what's his position?", with_history([], first, 4))
    assert "Secretary of Defense" in position.sentences()[0], position.answer  # was the Russian leadership's
    country = core.ask("what country is he from?", with_history([], first, 4))
    assert "U.S. Secretary of Defense" in country.sentences()[0], country.answer  # was the 2021 title line
    # asked in French of English documents, it resembles them little, but it is about one of their people
    landais = core.ask("De quel pays vient Claire Landais ?")
    assert landais.answered and "of France, Claire Landais" in landais.sentences()[0], landais.answer
    # where the author works: his byline says it (it was Syria, a place the documents discuss)
    author = core.ask("Кто написал статью о встрече в Москве?")
    works = core.ask("а где он работает?", with_history([], author, 4))
    assert works.answered and "IMEMO RAS" in works.sentences()[0], works.answer


def test_a_possessive_names_whom_it_belongs_to(core: AnswerCore) -> None:
    """"Merkel's" names Merkel, whom the documents never mention (it was no name at all), as
    "l'Iran" names Iran."""
    merkel = core.ask("What was Merkel's view on Ukraine?")
    assert merkel.refusal == "unknown_name" and "Merkel" in merkel.answer, merkel.answer
    assert analyse("What was Parly's gift to Shoigu?").names == ("Parly", "Shoigu")


def test_he_after_who_someone_is_is_that_person(core: AnswerCore) -> None:
    """After "Who is Mark Esper?", "he" acting is Esper: what the French ministers said is no
    answer to what he said, in English or French; after "Who is Sergey Lavrov?", what Lavrov said is."""
    for who, what in (("Who is Mark Esper?", "What did he tell the French minister?"),
                      ("Qui est Mark Esper ?", "Qu'a-t-il dit à Parly ?")):
        said = core.ask(what, with_history([], core.ask(who), 4))
        assert said.refusal == "subject_not_in_answer", said.answer
    assert analyse("What did he tell her?", [Turn("Who is Mark Esper?")]).subject == ("Mark", "Esper")
    lavrov = core.ask("Who is Sergey Lavrov?")
    iran = core.ask("What did he say about the Iran nuclear deal?", with_history([], lavrov, 4))
    assert iran.answered and "Lavrov" in iran.answer and "nuclear deal" in iran.answer, iran.answer


def test_and_the_other_one_named_in_that_answer(core: AnswerCore) -> None:
    """"А Ланде?" after "Патрушев — это кто?" asks who Landais is: the sentence that answered
    names her too, with her post, and answers again; her name written as it sounds, without the
    silent letter of "Landais", is hers."""
    patrushev = core.ask("Патрушев — это кто?")
    landais = core.ask("А Ланде?", with_history([], patrushev, 4))
    assert landais.answered and "of France, Claire Landais" in landais.sentences()[0], landais.answer
    assert core.ask("Кто такой Ланде?").answered


def test_what_post_someone_named_in_the_answer_holds_is_in_that_answer(core: AnswerCore) -> None:
    """"Et elle occupe quel poste ?", after the answer naming Patrushev and Landais with their
    posts, asks Landais' post: that answer says it, and is not set aside as already seen."""
    patrushev = core.ask("Qui dirigeait le Conseil de sécurité russe en 2019 ?")
    landais = core.ask("Avec qui a-t-il négocié ?", with_history([], patrushev, 4))
    post = core.ask("Et elle occupe quel poste ?", with_history(with_history([], patrushev, 4), landais, 4))
    assert "Claire Landais" in landais.sentences()[0], landais.answer
    assert post.answered and "Secretary General for National Defence" in post.sentences()[0], post.answer


def test_which_institute_the_author_is_from_is_in_the_byline(core: AnswerCore) -> None:
    author = core.ask("Чья это статья про московскую встречу 2019 года?")
    institute = core.ask("он из какого института?", with_history([], author, 4))
    assert institute.answered and "IMEMO RAS" in institute.sentences()[0], institute.answer


@pytest.mark.parametrize("question, post", [
    ("Who is the president of France?", "president"), ("who's the french ambassador in moscow", "ambassador"),
    ("Qui est le président français dont parle l'article de 2019 ?", "president"),
    ("Qui est l'ambassadeur de France à Moscou ?", "ambassador"), ("Как зовут президента России?", "president"),
    ("Кто посол Франции в Москве?", "ambassador"), ("Who was the Russian defence minister in 2019?", "minister"),
    # whom someone holding a post acted on, or someone's post: not who holds it
    ("Who did the French president praise?", None), ("Which minister praised Macron?", None),
    ("Who is Florence Parly?", None),
])
def test_who_holds_a_post_is_asked_of_the_post_in_three_languages(question: str, post: str | None) -> None:
    asked = analyse(question)
    assert (post in asked.post) if post else not asked.post, asked.post
    if post:
        assert asked.answer_type == "person"


def test_who_holds_a_post_is_answered_by_a_sentence_giving_it(core: AnswerCore) -> None:
    """*Qui est le président français … ?* was answered with the photograph Parly gave Shoigu;
    the sentence giving Putin and Macron their posts answers it, in French as in English. No
    sentence gives anyone an ambassador's post: *Who is the French ambassador in Moscow?* is
    refused, not answered with whoever a sentence about Moscow names."""
    for question in ("Who is the president of France?", "Qui est le président français dont parle l'article de 2019 ?"):
        answer = core.ask(question)
        assert answer.answered and "Macron" in answer.sentences()[0], (question, answer.answer)
    for question in ("Who is the French ambassador in Moscow?", "Qui est l'ambassadeur de France à Moscou ?"):
        answer = core.ask(question)
        assert answer.refusal == "no_post_holder", (question, answer.answer)
