"""Follow-ups that follow the conversation (issue 10): pronouns for whom the previous question or
answer named, bare "Why?" and "When?", changes of topic, and whole conversations asked through
the real answer core (real embedder, real Chroma). Ellipsis ("And about Syria?") is
tests/test_ellipsis.py's.

The first tests need no model: they analyse questions against a conversation written here.
"""

from __future__ import annotations

import importlib

import pytest
from helpers import converse

from bot.answering import analyse
from bot.answering.followup import asks_for_more
from bot.answering.pipeline import queries
from bot.core import AnswerCore, with_history
from bot.models import Turn
from index.text import fold


# --- the analysed follow-up (no model, but for one test) -------------------------------------------


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


def test_the_people_an_answer_names_are_people(core: AnswerCore) -> None:
    """ "Mr. Macron" is Macron, not "Mr"; "Plan" in "Joint Comprehensive Plan of Action" is no one
    (the documents also write "plan" in lower case)."""
    answer = core.ask("Whose efforts to save the nuclear deal did Lavrov praise?")
    assert answer.answered and "Mr. Macron" in answer.answer, answer.answer
    assert "Macron" in answer.names and not {"Mr", "Plan"} & set(answer.names), answer.names
    # The collection gives people posts ("Minister Shoigu"); "Red Square" and "Victory Day" are no one's.
    parade = core.ask("Who invited the French military to the parade on Red Square?")
    assert "Red Square" in parade.answer and not {"Square", "Day"} & set(parade.names), parade.names


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


def test_the_ministers_on_migrants_in_2021_after_a_question_on_2019(core: AnswerCore) -> None:
    _, migrants = converse(core, ["Who did Parly see in the US before her 2019 talks with Shoigu?",
                                  "and in 2021, what troubled the ministers about migrants?"])
    assert migrants.answered and "migration flows" in migrants.sentences()[0], migrants.answer


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


# --- conversations -------------------------------------------------------------------------------


def test_a_seven_turn_conversation_follows_pronouns_answers_and_new_topics(core: AnswerCore) -> None:
    landais, negotiated, post, belarus, syria, lavrov, agreed = converse(core, [
        "Who is Claire Landais?",
        "Who did she negotiate with?",           # she: named in the previous question
        "What was his post?",                    # his: named only in the previous answer
        "What did the ministers say about Belarus?",  # a new topic: nothing carried
        "And about Syria?",                      # ellipsis
        "What did Lavrov say about Iran?",
        "Who agreed with him?",                  # not Lavrov's own words
    ])
    assert all(a.answered for a in (landais, negotiated, post, belarus, syria, lavrov, agreed))
    assert "Landais" in landais.answer and "Patrushev" in negotiated.answer
    assert "Patrushev" in post.search_query and "Secretary of the Russian Security Council" in post.answer
    assert belarus.search_query == "What did the ministers say about Belarus?" and "Belarus" in belarus.answer
    assert "Syria" in syria.answer and "Belarus" not in syria.answer
    assert "no reasonable alternative" in lavrov.answer
    # who agreed, first, with the words of Lavrov's that "him" leans on (not his words alone)
    assert agreed.sentences()[0].endswith("French colleagues agreed with him."), agreed.answer


def test_the_sentence_that_answered_is_not_the_answer_to_what_is_asked_next() -> None:
    before = [Turn("What did Parly give Shoigu?", "What did Parly give Shoigu?", True, (),
                   ("Parly donated a photograph.", "In response, he presented a newspaper."))]
    back = analyse("What did he give her in return?", before)
    assert back.seen == ("Parly donated a photograph.",) and back.again == ()
    when = analyse("When?", before)  # more of the same answer
    assert when.seen == () and when.again == ("Parly donated a photograph.",)
    assert analyse("What did he give her in return?").seen == ()


def test_a_follow_up_about_the_answer_just_given_may_get_that_answer_again() -> None:
    """One long sentence may answer two questions: "what's the goal for Iran there?" asks about
    the answer just given, which names Iran, and "Et pour les réfugiés ?" takes up a word of it,
    so that sentence is not set aside as already seen; a follow-up about something else is still
    answered with something new."""
    said = "The ministers backed the talks with Iran so that Iran returns to compliance with the deal."
    before = [Turn("Who backed the Iran talks?", "Who backed the Iran talks?", True, (), (said,))]
    assert analyse("what's the goal for Iran there?", before).seen == ()
    assert analyse("А какая цель для Ирана?", before).seen == ()  # named in another script
    assert analyse("And what did they say about Syria?", before).seen == (said,)
    # naming nothing, it takes up a word the answer brought in, which the question before lacked
    aid = "The ministers asked for refugees to go home and for the aid to run beyond January 2022."
    before = [Turn("Until when should the aid run?", "Until when should the aid run?", True, (), (aid,))]
    assert analyse("Et pour les réfugiés, ils demandaient quoi ?", before).seen == ()
    assert analyse("And what did they say about the border crossings?", before).seen == (aid,)


def test_the_goal_for_iran_is_in_the_answer_before(core: AnswerCore) -> None:
    """The E3 sentence that answers who worked with Russia on the Iran talks also says their goal:
    the follow-up asking it gets that sentence, not the Afghanistan one."""
    first, then = converse(core, ["in 2021, who were the russians working with to get iran talks going again?",
                                  "what's the goal for iran there?"])
    assert "E3 group" in first.answer, first.answer
    assert then.answered and "compliance with the JCPOA" in then.answer, then.answer


def test_where_he_invited_them_is_answered_with_the_place(core: AnswerCore) -> None:
    """After two questions about what Shoigu said, "Куда он пригласил французских военных?" asks
    where: the parade on Red Square is in the answer (it was left out when a sentence naming only
    Putin and Macron counted as holding a place)."""
    *_, where = converse(core, ["Что Шойгу сказал о борьбе с терроризмом?", "А что он сказал про Украину?",
                                "Куда он пригласил французских военных?"])
    assert where.answered and "Red Square" in where.answer, where.answer


def test_a_follow_up_gets_a_new_answer_and_when_gets_the_date_of_the_one_before(core: AnswerCore) -> None:
    gift, back = converse(core, ["What did Parly give Shoigu?", "And what did he give her in return?"])
    assert "photograph" in gift.sentences()[0]
    assert back.answered and "Krasnaya Zvezda" in back.answer, back.answer
    invited, when = converse(core, ["What did Shoigu invite the French military to?", "When?"])
    assert "May 9, 2020" in invited.sentences()[0]
    assert when.answered and when.sentences()[0] == invited.sentences()[0], when.answer


def test_the_date_of_what_a_follow_up_points_back_to_is_its_date_not_another_s(core: AnswerCore) -> None:
    """"When was it?" after the parade is the parade's date; "When was that meeting?" after the
    meeting in Fort de Brégançon, which no document dates, is refused, not answered with the date
    of the parade."""
    _, when = converse(core, ["What did Shoigu invite the French military delegation to?", "When was it?"])
    assert when.answered and "May 9, 2020" in when.sentences()[0], when.answer
    _, published = converse(core, ["What did Parly give Shoigu?", "When was the photo published?"])
    assert published.answered and "June 1944" in published.sentences()[0], published.answer
    where = "Where did Putin and Macron agree to resume contacts between the defence ministries?"
    for asked in ("What date was that meeting?", "When did that happen?"):
        first, that = converse(core, [where, asked])
        assert "Brégançon" in first.sentences()[0], first.answer
        assert that.refusal == "no_number", (asked, that.answer)


def test_after_who_someone_is_the_answer_may_also_answer_what_they_did(core: AnswerCore) -> None:
    """The answer to "who is Patrushev?" says whom he negotiated with: asked next with words of
    its own, in Russian or in French, it is that sentence again, not a refusal or another."""
    who, partner = converse(core, ["Кто такой Патрушев?", "С кем он вёл переговоры?"])
    assert "Patrushev" in who.answer and partner.answered and "Claire Landais" in partner.sentences()[0], partner.answer
    who, partner = converse(core, ["Qui est Claire Landais ?", "Avec qui a-t-elle mené des négociations ?"])
    assert "Landais" in who.answer and partner.answered and "Patrushev" in partner.sentences()[0], partner.answer


def test_a_set_phrase_is_no_word_of_the_topic(core: AnswerCore) -> None:
    """"in return" asks what came back, not about a return: the answer is what Shoigu gave back,
    not the sentence on "the return of refugees" that shares the word."""
    _, back = converse(core, ["What did Parly give Shoigu?", "What did he give her in return?"])
    assert "Krasnaya Zvezda" in back.sentences()[0], back.answer
    assert "refugees" not in back.answer, back.answer


def test_a_sentence_shown_with_another_may_answer_what_is_asked_next(core: AnswerCore) -> None:
    """The first answer shows what Parly gave and, leaning on it, what Shoigu gave back: the
    follow-up asks for the second of its two facts, which it may be answered with again."""
    gift, back = converse(core, ["what did parly give shoigu as a present in 2019", "and what did he give her back?"])
    assert "photograph" in gift.answer and "Krasnaya Zvezda" in gift.answer, gift.answer
    assert back.answered and "Krasnaya Zvezda" in back.answer, back.answer


def test_a_follow_up_in_russian_and_in_french(core: AnswerCore) -> None:
    first, then = converse(core, ["Что Лавров сказал об Иране?", "Кто с ним согласился?"])
    assert "no reasonable alternative" in first.answer and "French colleagues agreed" in then.answer
    first, then = converse(core, ["Qui est Claire Landais ?", "Avec qui a-t-elle négocié ?"])
    assert "Landais" in first.answer and "Landais" in then.search_query and "Patrushev" in then.answer


def test_a_sentence_holding_the_date_or_place_asked_for_is_the_whole_answer(core: AnswerCore) -> None:
    """A second sentence joins only what the first does not already answer: the date of the
    photograph is not followed by the newspaper's photograph of 1943, nor Moscow, given again to
    "Where exactly?", by the gift sentence that used to pad it."""
    _, published = converse(core, ["What did Parly give to Shoigu?", "When was it published?"])
    assert len(published.sentences()) == 1 and "June 1944" in published.answer, published.answer
    assert "Krasnaya Zvezda" not in published.answer
    where, exactly = converse(core, ["Where did the 2019 meeting take place?", "Where exactly?"])
    assert "Moscow" in where.sentences()[0]
    assert exactly.sentences() == where.sentences(), exactly.answer


def test_where_exactly_of_what_the_answer_said_is_asked_of_that_answer(core: AnswerCore) -> None:
    """Every word of its own in the sentence that answered, or an "exactly": "where exactly were
    the mercenaries being deployed?" asks where of it, as "Where exactly?" does, and gets it again,
    not a sentence about something else; a follow-up with a word the answer lacks asks something new."""
    said = ("In particular, the French Ministers spoke of the unacceptable nature of a deployment of Wagner "
            "mercenaries in the Sahel-Saharan strip.")
    history = [Turn("and about the Wagner group?", search_query="what did they say about the Wagner group?",
                    cited=(said,))]
    where = analyse("where exactly were the mercenaries being deployed?", history)
    assert where.again == (said,) and where.seen == (), where
    paid = analyse("and where were the mercenaries being paid?", history)
    assert paid.again == () and paid.seen == (said,), paid
    *_, deployed = converse(core, ["Who did Le Drian and Parly host in Paris in 2021?", "and about the Wagner group?",
                                   "where exactly were the mercenaries being deployed?"])
    assert deployed.answered and "Sahel-Saharan strip" in deployed.sentences()[0], deployed.answer
    # "exactly" asks for a detail of what was said, in any language, whatever its words
    united = analyse("а кого именно они призвали сохранять единство?", history)
    assert united.again == (said,) and united.seen == (), united
    _, whom = converse(core, ["Что министры говорили об Афганистане?", "а кого именно они призвали сохранять единство?"])
    assert whom.answered and "permanent members of the UN Security Council" in whom.sentences()[0], whom.answer


def test_russian_question_words_with_a_short_i_are_no_words_of_their_own() -> None:
    """Words are compared folded ("какой" -> "какои"), and so must the stop words be: "Кто такой
    Шойгу?" asked about "такои", and a search for what is asked of Shoigu ("Кто такой") was
    embedded beside the question."""
    who = analyse("Кто такой Шойгу?")
    assert who.content == ("шоигу",) and queries(who) == {"search": "Кто такой Шойгу?"}
    assert analyse("Какой договор подписали в этой поездке?").content == ("договор", "подписали", "поездке")


@pytest.mark.parametrize("module", ["bot.language", "bot.answering.evidence", "bot.answering.followup",
                                    "bot.answering.question", "bot.proper_names", "bot.small_talk"])
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


def test_tell_me_more_reads_on_from_the_answer(core: AnswerCore) -> None:
    """"Tell me more" was answered with the same sentences again; now with those beside them in
    the document, and a second "What else?" reads on past both answers."""
    assert core.ask("Tell me more").refusal == "vague_question"  # nothing said before
    first = core.ask("What did Lavrov say about Iran?")
    history = with_history([], first, 4)
    more = core.ask("Tell me more", history)
    assert more.answered and "French colleagues agreed with him." in more.sentences(), more.answer
    assert not set(first.sentences()) & set(more.sentences()), more.answer
    again = core.ask("What else?", with_history(history, more, 4))
    assert again.answered and not set(first.sentences() + more.sentences()) & set(again.sentences()), again.answer
    gift = core.ask("Что Парли подарила Шойгу?")
    detail = core.ask("Подробнее", with_history([], gift, 4))
    assert "Krasnaya Zvezda" in detail.answer and not set(gift.sentences()) & set(detail.sentences()), detail.answer


def test_a_word_of_no_language_is_in_the_conversation_s(core: AnswerCore) -> None:
    """"Continue", "Développe" use no word only French or English uses: in a French conversation
    the reply is French; "Quand ?" and "Dis-m'en plus" are French on their own."""
    french = [Turn("Qu'a offert Parly à Choïgou ?", "Qu'a offert Parly à Choïgou ?", True)]
    assert analyse("Continue", french).language == "fr" and analyse("Continue").language == "en"
    assert analyse("Quand ?").language == "fr" and analyse("Dis-m'en plus").language == "fr"
    assert analyse("What is 2 plus 2?").language == "en"
    assert "De qui ou de quoi" in core.ask("Dis-m'en plus").answer  # nothing said before: asked in French


def test_a_conversation_keeps_its_language_through_turns_too_short_to_tell(core: AnswerCore) -> None:
    """"ok" after a French question is French; "???" after it is answered in French too, not in
    English (each turn keeps the language it was told in, rather than telling it again from "ok")."""
    for first, reply in (("Qu'a dit Le Drian sur l'Ukraine ?", "Posez une question"),
                         ("Что Шойгу подарил Парли?", "Задайте вопрос")):
        asked, ok, empty = converse(core, [first, "ok", "???"])
        assert ok.refusal == "small_talk" and ok.language == asked.language, ok
        assert empty.refusal == "empty_question" and empty.answer.startswith(reply), empty.answer
