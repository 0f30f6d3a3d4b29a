"""How a follow-up is analysed (issue 10), with no model: what it carries over from the conversation
written here (names, words, a year), when it leans on it at all, and the word lists that analysis
reads. Follow-ups asked through the real answer core are tests/test_followups.py's.
"""

from __future__ import annotations

import importlib

import pytest

from bot.answering import analyse
from bot.answering.followup import asks_for_more
from bot.answering.pipeline import queries
from bot.models import Turn
from index.text import fold


def test_a_pronoun_is_replaced_by_whom_the_previous_question_named() -> None:
    previous = Turn("What did Shoigu say about cooperation with Florence Parly?",
                    "What did Shoigu say about cooperation with Florence Parly?", True)
    q = analyse("What did she give him?", [previous])
    # Asking little of its own, it also carries what was asked before.
    assert q.follow_up and q.carried == ("Shoigu", "Florence", "Parly", "cooperation")
    assert q.search == "What did Shoigu Florence Parly cooperation give him?"
    # One that says what it asks carries the names only.
    assert analyse("What did she say about the Wagner mercenaries deployed in Mali?", [previous]).carried == (
        "Shoigu", "Florence", "Parly")


def test_after_a_who_question_a_pronoun_may_mean_whom_the_answer_named() -> None:
    previous = Turn("Who did Claire Landais negotiate with?", "Who did Claire Landais negotiate with?", True,
                    names=("Patrushev", "Security"))
    assert analyse("What was his post?", [previous]).carried == ("Claire", "Landais", "Patrushev", "Security",
                                                                 "negotiate")
    # Without a pronoun for them, whom the answer named is not carried into a question of its own.
    assert analyse("And which ministers met in Moscow?", [previous]).carried == ("Claire", "Landais", "negotiate")
    # An answer to "What did …?" brings no one new that a pronoun would mean.
    other = Turn("What did Lavrov say about Iran?", "What did Lavrov say about Iran?", True, names=("Macron",))
    assert analyse("Who agreed with him?", [other]).carried == ("Lavrov", "Iran")


@pytest.mark.parametrize("question, standalone", [
    ("Other question: which countries does the Minsk Group want to reconcile?", "which countries does the Minsk Group want to reconcile?"),
    ("different topic - what did they say about arms control?", "what did they say about arms control?"),
    ("Autre chose : qu'ont dit les ministres sur le MH17 ?", "qu'ont dit les ministres sur le MH17 ?"),
    ("Другой вопрос: что министры сказали про ОБСЕ?", "что министры сказали про ОБСЕ?"),
])
def test_a_change_of_topic_carries_nothing_from_before(question: str, standalone: str) -> None:
    """"Other question: what did they say …" is a new topic: "they" is whoever the question is
    about, not the people of the conversation, and the opening words are not searched for."""
    previous = Turn("Who received Lavrov and Shoigu in Paris?", "Who received Lavrov and Shoigu in Paris?", True,
                    names=("Drian", "Parly"))
    asked = analyse(question, [previous])
    assert not asked.follow_up and not asked.carried and asked.search == standalone


@pytest.mark.parametrize("question, carries", [
    ("and in 2021, what troubled the ministers about migrants?", False),
    ("Et en 2021, qu'ont dit les ministres sur la Biélorussie ?", False),
    ("а в 2021-м что министры говорили про миграцию?", False),
    ("а про Сирию что сказали?", False),  # the topic, then the question: the topic ends at "что"
    ("Et sur la Syrie quelle était la position de la France ?", False),
    ("and what did she say about disagreeing with Russia?", True),  # "she": someone before
    ("Et qu'a-t-elle déclaré sur la situation en Syrie ?", True),  # "a-t-elle": she, inverted
    ("кто из российских министров высказался про эту ядерную сделку?", True),  # "this deal": something before
])
def test_a_follow_up_saying_what_it_is_about_carries_nothing(question: str, carries: bool) -> None:
    """"… about migrants" says what it asks about: the people of the question before (Parly, the
    US, Shoigu) are not searched for with it, unless it points back at someone or something."""
    previous = Turn("Who did Parly see in the US before her 2019 talks with Shoigu?",
                    "Who did Parly see in the US before her 2019 talks with Shoigu?", True, names=("Esper",))
    asked = analyse(question, [previous])
    assert asked.follow_up and bool(asked.carried) is carries and ("Parly" in asked.search) is carries, asked


def test_a_bare_follow_up_asks_the_previous_search_again_with_its_own_word() -> None:
    """"Why?", "C'était prévu quand ?", "Когда?": more about what was just asked, with its topic."""
    previous = Turn("what did the paris ministers say about afghanistan", "what did the paris ministers say about afghanistan", True)
    assert analyse("why?", [previous]).search == "what did the paris ministers say about afghanistan why?"
    invited = Turn("Et il a invité qui au défilé ?", "Et Choïgou a invité qui au défilé ?", True)
    when = analyse("C'était prévu quand ?", [invited])
    assert when.follow_up and when.search == "Et Choïgou a invité qui au défilé ? C'était prévu quand ?"
    # "who else" asks more about the same thing
    assert analyse("Qui d'autre avait dit oui ?", [invited]).search.startswith("Et Choïgou a invité qui au défilé ?")
    # a pronoun after what the question itself named takes that up: nothing is carried
    alone = analyse("La réunion des quatre ministres, elle a eu lieu quand ?", [invited])
    assert not alone.follow_up and not alone.carried
    # in a conversation, a question with no name and one word of its own asks more of the last answer
    dialogue = Turn("How did France describe its dialogue with Russia?", "How did France describe its dialogue with Russia?", True)
    assert analyse("To what end?", [dialogue]).search == "How did France describe its dialogue with Russia? To what end?"
    assert analyse("Avec quelle réserve ?", [dialogue]).follow_up
    assert not analyse("To what end?").follow_up  # with nothing before it, it stands alone
    # a demonstrative takes up what was said ("cette déclaration", "этой сделке")
    assert analyse("Qui a fait cette déclaration précise ?", [dialogue]).follow_up
    assert analyse("Кто говорил об этой сделке?", [dialogue]).follow_up


def test_a_follow_up_s_own_year_replaces_the_year_before() -> None:
    before = Turn("Who came to Paris in 2021?", "Who came to Paris in 2021?", True, ("Lavrov",))
    q = analyse("and which of them were in Moscow in 2019?", [before])
    assert "2019" in q.search and "2021" not in q.search and "Paris" in q.carried
    assert "2021" in analyse("and who else came?", [before]).search


def test_where_a_follow_up_is_set_is_read_wherever_the_carried_names_stand() -> None:
    """The names a follow-up carried stand where its pronoun was, before the place it names:
    "in Paris" still says where it is set."""
    paris = analyse("and two years later in Paris, what worried them about arms control?",
                    [Turn("What did Russia say it would not do with its missiles in 2019?")])
    assert paris.search.index("Paris") < paris.search.index("Russia") and "2019" in paris.carried
    assert paris.setting == {"Paris"}


@pytest.mark.parametrize("question, same", [
    ("what did they say about syria at that meeting?", True), ("and at the same time, what about iran?", True),
    ("Et sur la Syrie, qu'ont-ils dit lors de cette réunion ?", True), ("а про Сирию что сказали тогда же?", True),
    ("а что насчёт Ирана на той же встрече?", True),
    ("what did they say about syria?", False), ("and then?", False), ("Et à la réunion de Paris ?", False),
])
def test_a_follow_up_set_at_the_meeting_of_the_answer_before(question: str, same: bool) -> None:
    previous = Turn("What did the ministers say about Afghanistan?", "What did the ministers say about Afghanistan?",
                    True, cited=("In the face of the … crisis in Afghanistan, the two Ministers called for …",))
    assert analyse(question, [previous]).same_occasion is same
    assert not analyse(question).same_occasion  # nothing before to be set at


def test_a_word_a_follow_up_carried_is_no_place_it_is_set_in() -> None:
    """*what did they get told about ukraine?* carries *represented* and *talks* from *who
    represented russia at the 2021 talks in paris?*; "represented talks" names no meeting, so
    nothing says where it is set and the conversation's 2021 says which meeting is meant (it was
    answered with the 2019 article's Ukraine sentence)."""
    told = analyse("what did they get told about ukraine?",
                   [Turn("who represented russia at the 2021 talks in paris?",
                         "who represented russia at the 2021 talks in paris?", True, ("Lavrov", "Shoygu"))])
    assert "represented" in told.search_names and "2021" in told.carried and not told.setting, told


def test_a_follow_up_that_says_what_it_asks_carries_names_not_words() -> None:
    before = Turn("did they admit they don't see eye to eye?", "parly france russia did they admit they don't see eye to eye?",
                  True)
    full = analyse("and in 2021? how did the french side describe its dialogue with russia", [before])
    assert full.follow_up and full.search == "and in 2021? how did the french side describe its dialogue with russia"
    short = analyse("and what did she say next?", [before])
    assert "parly" in short.search


def test_names_typed_in_lower_case_are_carried_as_words() -> None:
    previous = Turn("what did parly give shoigu as a present in 2019", "what did parly give shoigu as a present in 2019", True)
    back = analyse("and what did he give her back?", [previous])
    assert {"parly", "shoigu"} <= set(back.carried) and back.search.index("parly") < back.search.index("2019")


def test_a_chain_keeps_its_subject_and_a_bare_where_exactly_leans_on_it() -> None:
    """A follow-up of a follow-up still knows what the conversation is about: "Et pour en sortir ?"
    after "Et comment je l'active sous Windows ?" is about the virtual environment the first
    question named; "Where exactly?" has no words of its own and leans on the question before."""
    first = analyse("Comment créer un environnement virtuel ?")
    second = analyse("Et comment je l'active sous Windows ?", [Turn(first.text, first.search, True)])
    third = analyse("Et pour en sortir ?", [Turn(first.text, first.search, True), Turn(second.text, second.search, True)])
    assert third.follow_up and {"Windows", "environnement", "virtuel"} <= set(third.carried)
    previous = Turn("What did the French ministers say about the Wagner mercenaries?",
                    "What did the French ministers say about the Wagner mercenaries?", True)
    where = analyse("Where exactly?", [previous])
    assert where.follow_up and where.answer_type == "place" and "Wagner" in where.carried


@pytest.mark.parametrize("question, leans", [
    ("Quel journal Choïgou a-t-il offert à Florence Parly ?", False),  # "-il" repeats Choïgou
    ("Quelle affaire les ministres veulent-ils voir résolue ?", False),
    ("Dans quel fort Poutine et Macron se sont-ils vus ?", False),
    ("Quel journal a-t-il offert en retour ?", True),  # who is "il"? the conversation says
    ("Avec qui a-t-elle négocié ?", True),
    ("Qu'est-ce qu'elle a dit à Esper ?", True),
])
def test_a_french_inverted_pronoun_leans_on_the_conversation_only_without_a_subject(question: str, leans: bool) -> None:
    previous = Turn("Que pense Lavrov de l'Iran ?", "Que pense Lavrov de l'Iran ?", True)
    asked = analyse(question, [previous])
    assert asked.follow_up is leans and bool(asked.carried) is leans, asked


@pytest.mark.parametrize("question, leans", [
    ("Quel était le but de ce dialogue pour la France ?", True),  # "ce dialogue": the one just spoken of
    ("Qui a signé ce traité ?", True),
    ("Qu'est-ce que Moscou a promis sur les missiles ?", False),  # "est-ce" points at nothing
    ("Ce que Moscou a promis sur les missiles, c'était quoi ?", False),
])
def test_french_ce_before_a_noun_points_back_as_cette_does(question: str, leans: bool) -> None:
    previous = Turn("Qui a reçu Lavrov à Paris en novembre 2021 ?", "Qui a reçu Lavrov à Paris en novembre 2021 ?", True)
    asked = analyse(question, [previous])
    assert asked.follow_up is leans and ("2021" in asked.carried) is leans, asked


def test_russian_question_words_with_a_short_i_are_no_words_of_their_own() -> None:
    """Words are compared folded ("какой" -> "какои"), and so must the stop words be: "Кто такой
    Шойгу?" asked about "такои", and a search for what is asked of Shoigu ("Кто такой") was
    embedded beside the question."""
    who = analyse("Кто такой Шойгу?")
    assert who.content == ("шоигу",) and queries(who) == {"search": "Кто такой Шойгу?"}
    assert analyse("Какой договор подписали в этой поездке?").content == ("договор", "подписали", "поездке")


@pytest.mark.parametrize("module", ["bot.language", "bot.name_roles", "bot.answering.evidence",
                                    "bot.answering.holding", "bot.answering.followup", "bot.answering.ellipsis", "bot.answering.question",
                                    "bot.proper_names", "bot.small_talk"])
def test_every_word_list_of_the_question_analysis_is_folded(module: str) -> None:
    """Questions' words are compared folded: a list word that folds to another (a Russian "й", a
    French accent) never matches unless its folded form is listed too."""
    for name, value in vars(importlib.import_module(module)).items():
        if isinstance(value, frozenset) and value and all(isinstance(word, str) for word in value):
            assert not [w for w in value if fold(w) not in value], name


def test_what_is_a_thing_is_a_new_question_not_more_of_the_last() -> None:
    """"What is a deque?" after "how do I install requests?" was searched as both and answered
    with pip's install log; one word of its own after "what is a" says what it is about."""
    before = [Turn("how do I install requests?", "how do I install requests?", True)]
    for asked in ("what is a deque?", "Qu'est-ce qu'un décorateur ?", "Что такое кортеж?"):
        question = analyse(asked, before)
        assert not question.follow_up and question.search == asked, question.search
    assert analyse("Where exactly?", before).follow_up
    assert analyse("What is the reason?", before).follow_up  # "the": the one just spoken of


@pytest.mark.parametrize("asked, more", [
    ("Tell me more", True), ("can you tell me more?", True), ("What else?", True), ("Can you elaborate?", True),
    ("Plus de détails ?", True), ("Dis-m'en plus", True), ("Подробнее", True), ("Расскажи ещё", True),
    ("Tell me more about Syria", False), ("What else did Lavrov say about Iran?", False), ("Who else?", False),
])
def test_what_asks_for_more(asked: str, more: bool) -> None:
    assert asks_for_more(asked) is more
