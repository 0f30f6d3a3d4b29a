"""Ellipsis in a conversation (issue 10): "And about Syria?", "Et à Moscou ?", "And Shoigu?",
"Syrie ?", "Navalny?" replace what the question before asked about, or its place, or the names
it asked about, and ask what it asked.

The first tests need no model: they analyse questions against a conversation written here; the
others ask through the real answer core (real embedder, real Chroma).
"""

from __future__ import annotations

from helpers import converse

from bot.answering import analyse
from bot.core import AnswerCore
from bot.models import Turn


def test_ellipsis_carries_the_subject_and_a_new_topic_carries_nothing() -> None:
    previous = Turn("What did Lavrov say about Iran?", "What did Lavrov say about Iran?", True)
    # What the previous question was about is replaced, its subject carried, in every language.
    about = analyse("And about Syria?", [previous])
    assert about.search == "What did Lavrov say about Syria?" and about.carried == ("Lavrov",)
    later = analyse("What about Libya and Mali?", [previous, Turn(about.text, about.search, True)])
    assert later.search == "What did Lavrov say about Libya and Mali?" and later.carried == ("Lavrov",)
    russian = Turn("Что министры в Париже сказали об Иране?", "Что министры в Париже сказали об Иране?", True)
    assert analyse("а про Афганистан?", [russian]).search == "Что министры в Париже сказали об Афганистан?"
    french = Turn("Qu'a dit Lavrov à propos de l'Iran ?", "Qu'a dit Lavrov à propos de l'Iran ?", True)
    assert analyse("Et sur la Syrie ?", [french]).carried == ("Lavrov",)
    # with no new name of its own, it is about the same thing still
    assert analyse("And about that?", [previous]).carried == ("Lavrov", "Iran")
    fresh = analyse("What did the ministers say about Belarus?", [previous])
    assert not fresh.follow_up and fresh.search == "What did the ministers say about Belarus?"
    # typed in lower case, and with another preposition than "about"
    lower = Turn("what did the paris ministers say about belarus", "what did the paris ministers say about belarus", True)
    assert analyse("and afghanistan?", [lower]).search == "what did the paris ministers say about afghanistan"
    navalny = Turn("Les ministres ont-ils évoqué Navalny à Paris ?", "Les ministres ont-ils évoqué Navalny à Paris ?", True)
    assert analyse("Et à Moscou en 2019 ?", [navalny]).search == "Les ministres ont-ils évoqué Navalny à Moscou en 2019 ?"
    # a place or time the follow-up names replaces only the place or time before, not what was asked about
    paris = Turn("Что министры в Париже сказали про Сирию?", "Что министры в Париже сказали про Сирию?", True)
    assert analyse("а Ливию в 2019 году обсуждали?", [paris]).search == "Что министры в 2019 году обсуждали про Ливию?"
    # the topic of a chain is replaced even when the previous search no longer says "about"
    ukraine = Turn("Qu'ont dit Le Drian et Parly sur l'Ukraine ?", "Qu'ont dit Le Drian et Parly sur l'Ukraine ?", True)
    asked = Turn("Ils ont demandé quoi à Moscou ?", "Le Drian Parly Ukraine ont demandé quoi à Moscou ?", True)
    belarus = analyse("Et sur la Biélorussie ?", [ukraine, asked])
    assert "Ukraine" not in belarus.search and "Biélorussie" in belarus.search and "Moscou" in belarus.search
    # "And then?" names no topic: it asks more about the same one; "back" in "and back in 2019?" is none either
    assert "Iran" in analyse("Et ensuite ?", [previous]).search
    iran = Turn("what did the ministers say about iran in 2021?", "what did the ministers say about Iran in 2021?", True)
    assert analyse("and back in 2019?", [iran]).search == "what did the ministers say about Iran in 2019?"


def test_a_one_word_follow_up_naming_something_asks_about_it(core: AnswerCore) -> None:
    """"Navalny?" after a question about Belarus asks about Navalny (it was answered with the
    Belarus sentence again), "Merkel?" about Merkel, whom the documents never mention; "Details?"
    names nothing and still leans on the answer before."""
    first = "What did the ministers say about Belarus in 2021?"
    _, navalny = converse(core, [first, "Navalny?"])
    assert navalny.answered and "Navalny" in navalny.sentences()[0], navalny.answer
    _, merkel = converse(core, [first, "Merkel ?"])
    assert merkel.refusal == "unknown_name" and "Merkel" in merkel.answer, merkel.answer
    # typed in lower case, as people type in a chat, they ask the same
    _, navalny = converse(core, [first.lower(), "navalny?"])
    assert navalny.answered and "Navalny" in navalny.sentences()[0], navalny.answer
    _, merkel = converse(core, [first.lower(), "merkel?"])
    assert merkel.refusal == "unknown_name" and "Merkel" in merkel.answer, merkel.answer
    _, syria = converse(core, ["Что министры говорили о Белоруссии в 2021 году?", "Сирия?"])
    assert syria.answered and "Syria" in syria.sentences()[0], syria.answer
    for chat in ("Details?", "Vraiment ?", "Подробнее?"):
        assert analyse(chat, [Turn(first, first, True)]).names == (), chat


def test_names_alone_in_a_conversation_ask_what_was_asked_about_them() -> None:
    """"Syrie ?" after "Qu'ont dit les ministres sur l'Iran en 2021 ?" is "Et sur la Syrie ?";
    "Shoigu?" and "And Shoigu?" after "Who is Sergey Lavrov?" replace the name asked about and
    ask what he is; "And in Paris?" after a "When…?" asks when, as the search it rewrites does."""
    iran = "Qu'ont dit les ministres sur l'Iran en 2021 ?"
    syria = analyse("Syrie ?", [Turn(iran, iran, True)])
    assert syria.follow_up and syria.search == "Qu'ont dit les ministres sur Syrie en 2021 ?", syria.search
    lavrov = "Who is Sergey Lavrov?"
    for asked in ("Shoigu?", "And Shoigu?"):
        shoigu = analyse(asked, [Turn(lavrov, lavrov, True)])
        assert shoigu.search == "Who is Shoigu?" and shoigu.answer_type == "role", (asked, shoigu)
    moscow = "When did the ministers meet in Moscow?"
    paris = analyse("And in Paris?", [Turn(moscow, moscow, True)])
    assert paris.search == "When did the ministers meet in Paris?" and paris.answer_type == "date", paris
    # A place and a year, each after its preposition: the place replaced, the year added.
    navalny = "Les ministres ont-ils évoqué Navalny à Paris ?"
    assert analyse("Et à Moscou en 2019 ?", [Turn(navalny, navalny, True)]).search == (
        "Les ministres ont-ils évoqué Navalny à Moscou en 2019 ?")
    # A place after a preposition the question before lacks replaces the place it named, and
    # only a place: "And in Moscow?" after "Who did Lavrov meet?" asks whom he met there.
    meeting = "Quand a eu lieu la réunion de Paris ?"
    assert analyse("Et à Moscou ?", [Turn(meeting, meeting, True)]).search == "Quand a eu lieu la réunion de Moscou ?"
    met = "Who did Lavrov meet?"
    assert analyse("And in Moscow?", [Turn(met, met, True)]).search == "Who did Lavrov meet in Moscow?"
    # A question with words of its own stands on its own.
    assert not analyse("Shoigu gave what?", [Turn(lavrov, lavrov, True)]).follow_up
    # Only a name replaces names: "the elections" is added, the Sahel kept.
    sahel = "Did the ministers discuss the mercenaries in the Sahel?"
    assert "Sahel" in analyse("And what about the elections?", [Turn(sahel, sahel, True)]).search


def test_an_elliptic_follow_up_is_answered_as_the_question_it_completes(core: AnswerCore) -> None:
    _, paris = converse(core, ["When did the ministers meet in Moscow?", "And in Paris?"])
    assert paris.answered and "12 November 2021" in paris.answer, paris.answer
    _, moscow = converse(core, ["Quand a eu lieu la réunion de Paris ?", "Et à Moscou ?"])
    assert moscow.answered and "September 9, 2019" in moscow.sentences()[0], moscow.answer
    _, shoigu = converse(core, ["Who is Sergey Lavrov?", "And Shoigu?"])
    assert shoigu.answered and "head of the Russian military department" in shoigu.answer, shoigu.answer
    _, syria = converse(core, ["Qu'ont dit les ministres sur l'Iran en 2021 ?", "Syrie ?"])
    assert syria.answered and "refugees to return to Syria" in syria.sentences()[0], syria.answer
    assert {c.source for c in syria.citations} == {"france-russia-2plus2-meeting-paris-2021-11-12.txt"}


def test_a_follow_up_naming_another_meeting_asks_about_the_same_topic(core: AnswerCore) -> None:
    """"And in Moscow in 2019?" asks what was asked before, about the meeting it names: answered
    when that meeting's document has the topic (Syria), refused when it has not (France and
    Russia co-chair the Minsk Group for Armenia and Azerbaijan only in the 2021 statement), in
    any language; "and in 2021, what did they say about human rights?" asks its own."""
    _, syria = converse(core, ["What did the ministers say about Syria in 2021?", "And in Moscow in 2019?"])
    assert syria.answered and "Syria" in syria.sentences()[0], syria.answer
    for first, then in (("What role did France and Russia share on Armenia and Azerbaijan?", "And in Moscow in 2019?"),
                        ("Какую роль Франция и Россия вместе играют между Арменией и Азербайджаном?",
                         "а в 2019-м в Москве эту тему поднимали?")):
        before, after = converse(core, [first, then])
        assert before.answered and "Minsk Group" in before.answer, before.answer
        assert after.refusal == "name_not_in_document", (then, after.answer)
    # A follow-up with a topic of its own asks about that topic, not the one before.
    esper = "Who did Parly see in the US before her 2019 talks with Shoigu?"
    _, again = converse(core, [esper, "And in 2021?"])
    assert again.refusal == "name_not_in_document", again.answer
    _, rights = converse(core, [esper, "and in 2021, what did they say about human rights?"])
    assert rights.answered and "human rights" in rights.sentences()[0], rights.answer


def test_an_et_question_with_a_verb_of_its_own_does_not_replace_the_topic() -> None:
    """*Et qu'attendaient-ils des talibans ?* hides its question word and its pronoun in an
    elision and an inversion: it asks something of its own (what they expected), so "des
    talibans" does not replace the Afghanistan asked about before; *Et qu'a-t-il dit de Macron ?*
    after *… Lavrov a dit sur …* repeats the verb and asks the same of Macron: an ellipsis still."""
    afghanistan = "Qu'ont dit les ministres sur l'Afghanistan en 2021 ?"
    taliban = analyse("Et qu'attendaient-ils des talibans ?", [Turn(afghanistan, afghanistan, True)])
    assert "Afghanistan" in taliban.search and "2021" in taliban.search, taliban.search
    lavrov = "Qu'est-ce que Lavrov a dit sur l'accord nucléaire iranien ?"
    macron = analyse("Et qu'a-t-il dit de Macron ?", [Turn(lavrov, lavrov, True)])
    assert "Lavrov" in macron.search and "Macron" in macron.search, macron.search


def test_a_follow_up_asking_what_they_expected_is_answered_from_the_topic_before(core: AnswerCore) -> None:
    """What the ministers expected of the Taliban is in the Afghanistan sentence asked about just
    before; the Mali they then ask about, in the Sahel paragraph (it was answered with the Sahel
    first, then with Afghanistan)."""
    _, taliban, mali = converse(core, ["Qu'ont dit les ministres sur l'Afghanistan en 2021 ?",
                                       "Et qu'attendaient-ils des talibans ?", "Ont-ils parlé du Mali ?"])
    assert taliban.answered and "verifiable manner" in taliban.sentences()[0], taliban.answer
    assert mali.answered and "Malian authorities" in mali.answer, mali.answer


def test_an_english_topic_after_on_is_the_topic_an_ellipsis_replaces() -> None:
    """"On" says what something is about as often as "about" does ("agree on the Iran deal"): *And
    about missiles?* after it was searched with the deal and the missiles both, and *and on
    refugees?* after a question "about" Syria was searched about both. "On" before a name or a
    date still says where or when."""
    asked = "What did Paris and Moscow agree on the Iran deal?"
    deal = Turn(asked, asked, True)
    assert analyse("And about missiles?", [deal]).search == "What did Paris and Moscow agree on missiles?"
    syria = Turn("What did Lavrov say about Syria?", "What did Lavrov say about Syria?", True)
    assert analyse("and on refugees?", [syria]).search == "What did Lavrov say about refugees?"
    parade = Turn("Who was invited to the parade on Red Square?", "Who was invited to the parade on Red Square?", True)
    assert analyse("and on May 9?", [parade]).search == "Who was invited to the parade on May 9?"


def test_an_ellipsis_on_another_topic_is_not_answered_with_the_answer_before(core: AnswerCore) -> None:
    """*And on missiles?*, *And about refugees?*, one word of their own, were read as asking more of
    the answer before (as *Where exactly?* does), which came first again: the Iran deal. Each asks
    the question before of another topic."""
    first = "What did Paris and Moscow commit to on the Iran nuclear deal?"
    deal, missiles = converse(core, [first, "And on missiles?"])
    assert deal.answered and "JCPOA" in deal.sentences()[0], deal.answer
    assert missiles.answered and "missiles" in missiles.sentences()[0], missiles.answer
    _, refugees = converse(core, [first, "And about refugees?"])
    assert refugees.answered and "refugees" in refugees.sentences()[0], refugees.answer
