"""Follow-ups that follow the conversation (issue 10), asked through the real answer core (real
embedder, real Chroma): pronouns for whom the previous question or answer named, bare "Why?" and
"When?", changes of topic, whole conversations. How a follow-up is analysed, with no model, is
tests/test_followup_analysis.py's; ellipsis ("And about Syria?") is tests/test_ellipsis.py's.
"""

from __future__ import annotations

import pytest
from helpers import ROOT, converse, core_on

from bot.answering import analyse
from bot.core import AnswerCore, with_history
from bot.models import Turn


def test_the_people_an_answer_names_are_people(core: AnswerCore) -> None:
    """ "Mr. Macron" is Macron, not "Mr"; "Plan" in "Joint Comprehensive Plan of Action" is no one
    (the documents also write "plan" in lower case)."""
    answer = core.ask("Whose efforts to save the nuclear deal did Lavrov praise?")
    assert answer.answered and "Mr. Macron" in answer.answer, answer.answer
    assert "Macron" in answer.names and not {"Mr", "Plan"} & set(answer.names), answer.names
    # The collection gives people posts ("Minister Shoigu"); "Red Square" and "Victory Day" are no one's.
    parade = core.ask("Who invited the French military to the parade on Red Square?")
    assert "Red Square" in parade.answer and not {"Square", "Day"} & set(parade.names), parade.names


def test_the_ministers_on_migrants_in_2021_after_a_question_on_2019(core: AnswerCore) -> None:
    _, migrants = converse(core, ["Who did Parly see in the US before her 2019 talks with Shoigu?",
                                  "and in 2021, what troubled the ministers about migrants?"])
    assert migrants.answered and "migration flows" in migrants.sentences()[0], migrants.answer


def test_a_new_topic_named_before_the_question_words_replaces_the_old_one(core: AnswerCore) -> None:
    """*а про Сирию что сказали?* ("and about Syria, what was said?") after a question on
    Afghanistan asks about Syria: not searched with Afghanistan, not answered with it."""
    _, syria = converse(core, ["Что говорили министры про Афганистан?", "а про Сирию что сказали?"])
    assert syria.answered and "Syria" in syria.sentences()[0], syria.answer
    assert "Afghanistan" not in syria.answer and "Афганистан" not in syria.search_query, syria.search_query


def test_what_they_were_told_is_asked_of_the_meeting_the_conversation_is_about(core: AnswerCore) -> None:
    _, told = converse(core, ["who represented russia at the 2021 talks in paris?",
                              "what did they get told about ukraine?"])
    assert told.answered and "grave consequences" in told.sentences()[0], told.answer


def test_a_year_carried_says_which_document_whatever_plain_words_were_carried_with_it(core: AnswerCore) -> None:
    """A short follow-up carries the words of the question before (*stabilité*, *condition*),
    which no document need hold: the conversation's year still says which document is meant."""
    *_, nato = converse(core, ["Qu'est-ce que les ministres ont dit sur la stabilité stratégique en 2021 ?",
                               "Et de quel dialogue se sont-ils félicités ?", "À quelle condition ?",
                               "Et avec l'OTAN ?"])
    assert nato.answered and "channels of communication" in nato.sentences()[0], nato.answer
    *_, lavrov = converse(core, ["what was the big topic in moscow in 2019?",
                                 "what did both sides commit to on that?", "how did lavrov put it?"])
    assert lavrov.answered and "no reasonable alternative" in lavrov.sentences()[0], lavrov.answer


def test_a_year_is_not_carried_past_a_turn_set_elsewhere(core: AnswerCore) -> None:
    """*and two years later in paris, …* leaves 2019 behind: what is asked next is about Paris."""
    *_, welcomed = converse(core, ["what did russia say it wouldn't do with its missiles in 2019?",
                                   "what had happened just before that?",
                                   "and two years later in paris, what worried them about arms control?",
                                   "which talks did they welcome?"])
    assert "2019" not in welcomed.search_query, welcomed.search_query
    assert welcomed.answered and "US-Russia dialogue" in welcomed.sentences()[0], welcomed.answer


@pytest.mark.parametrize("first, then", [
    ("What did the ministers say about Afghanistan?", "what did they say about syria at that meeting?"),
    ("Qu'ont dit les ministres sur l'Afghanistan ?", "Et sur la Syrie, qu'ont-ils dit lors de cette réunion ?"),
    ("Что говорили министры про Афганистан?", "а про Сирию что сказали тогда же?"),
])
def test_a_follow_up_set_at_the_same_meeting_is_answered_from_that_meeting(core: AnswerCore, first: str,
                                                                          then: str) -> None:
    """Afghanistan is in the 2021 statement only; "at that meeting", "lors de cette réunion",
    "тогда же" ask what that meeting said of Syria, not the 2019 article's Syria sentence."""
    _, syria = converse(core, [first, then])
    assert syria.answered and "refugees to return to Syria" in syria.sentences()[0], syria.answer


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


def test_the_answer_before_answers_again_when_nothing_else_comes_near_it(core: AnswerCore) -> None:
    """The 2021 statement's Afghanistan sentence also urges the Taliban to act: *а от талибов чего
    хотели?* asks another of its facts, and no other sentence resembles it nearly as much (it was
    answered with Belarus). A follow-up about something else still gets something new."""
    afghanistan, taliban = converse(core, ["Что говорили министры про Афганистан?", "а от талибов чего хотели?"])
    assert "Taliban" in afghanistan.sentences()[0], afghanistan.answer
    assert taliban.answered and "Taliban" in taliban.sentences()[0], taliban.answer
    _, syria = converse(core, ["Что говорили министры про Афганистан?", "а про Сирию что сказали?"])
    assert syria.answered and "Syria" in syria.sentences()[0], syria.answer


def test_the_goal_for_iran_is_in_the_answer_before(core: AnswerCore) -> None:
    """The E3 sentence that answers who worked with Russia on the Iran talks also says their goal:
    the follow-up asking it gets that sentence, not the Afghanistan one."""
    first, then = converse(core, ["in 2021, who were the russians working with to get iran talks going again?",
                                  "what's the goal for iran there?"])
    assert "E3 group" in first.answer, first.answer
    assert then.answered and "compliance with the JCPOA" in then.answer, then.answer


def test_a_follow_up_is_searched_in_the_passage_of_the_answer_before(core: AnswerCore) -> None:
    """The answer on the Normandy Format also says which meeting the ministers wanted held; the
    Russian follow-up asking it found only the 2019 meeting in Moscow by its own words, and now
    searches that answer's passage too."""
    first, then = converse(core, ["К чему министры призвали Москву по нормандскому формату в 2021 году?",
                                  "а какую встречу они хотели провести?"])
    assert "reinvest in the Normandy Format" in first.answer, first.answer
    assert then.answered and "N4 ministerial meeting" in then.answer, then.answer


def test_a_follow_up_asking_something_else_reads_what_the_document_says_beside_the_answer(
        core: AnswerCore) -> None:
    """After what the ministers said of arms control in Europe, the talks between Washington and
    Moscow are the next sentence of that paragraph; e5 ranked Parly's 2019 words on "dialogue"
    first. Asked on its own, with no conversation, the follow-up does not get that sentence first:
    the answer before brings it."""
    first, then = converse(core, ["What did the ministers think of arms control disappearing in Europe?",
                                  "And the talks between Washington and Moscow, how did they see them?"])
    assert "arms control regimes" in first.sentences()[0], first.answer
    assert then.answered and "resumption of US-Russia dialogue" in then.sentences()[0], then.answer
    alone = core.ask("And the talks between Washington and Moscow, how did they see them?")
    assert "resumption of US-Russia dialogue" not in alone.sentences()[0], alone.answer


def test_what_follows_a_byline_is_not_read_on_to_as_what_the_document_says_beside_it(core: AnswerCore) -> None:
    """A byline is no sentence of the article: after it answered who wrote the analysis, the
    article's first sentence (the line after the byline) was lifted above the one that says on
    which issues Paris and Moscow can cooperate."""
    first, then = converse(core, ["De qui est l'analyse sur la rencontre de Moscou ?",
                                  "Selon lui, sur quels dossiers Paris et Moscou peuvent-ils coopérer ?"])
    assert first.answer.startswith("Stanislav IVANOV"), first.answer
    assert then.answered and "many issues on which Paris and Moscow can effectively cooperate" in then.answer, then.answer
    assert "regular meeting" not in then.sentences()[0], then.answer


def test_a_date_asked_of_the_answer_just_given_is_that_answer_s(core: AnswerCore) -> None:
    """The Brégançon meeting is given no month; the June 1944 of the photograph Parly gave Shoigu,
    whom the conversation named, is not its month."""
    *_, month = converse(core, ["What did Shoigu say about working with Paris?",
                                "Where did Putin and Macron agree to resume defence contacts?", "In which month?"])
    assert not month.answered and month.refusal == "no_number", month.answer
    *_, when = converse(core, ["Who did Shoigu invite to the Victory Day parade?", "When was it?"])
    assert when.answered and "May 9, 2020" in when.answer, when.answer
    *_, until = converse(core, ["what did the ministers say about refugees in 2021?",
                                "and what did they want extended?", "until when?"])
    # the year the conversation carried is the 2021 statement's to name, not the sentence's
    assert until.answered and "January 2022" in until.sentences()[0], until.answer


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


def test_where_what_a_follow_up_points_back_to_happened_is_its_place_not_another_s(core: AnswerCore) -> None:
    """"Where did they meet?" after what Macron and Trump may have agreed, which no document places,
    is refused, not answered with a sentence on another meeting; where the photograph Parly gave
    was published is answered."""
    for questions in (["What could Macron and Trump have agreed on the eve of the talks?", "and where did they meet?"],
                      ["о чём могли договориться Макрон и Трамп?", "а где они встречались?"]):
        first, where = converse(core, questions)
        assert "Macron and Trump" in first.sentences()[0], first.answer
        assert where.refusal == "no_place", (questions, where.answer)
    _, printed = converse(core, ["Какую фотографию Парли подарила Шойгу?", "а где её напечатали?"])
    assert printed.answered and "Le Point" in printed.sentences()[0], printed.answer


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


def test_a_follow_up_naming_no_year_stays_in_the_year_of_the_conversation(core: AnswerCore) -> None:
    """After what the ministers said of Afghanistan in 2021, "what about Syria at that meeting?"
    is the 2021 statement's Syria, not the 2019 article's, which also names Syria; a follow-up
    naming where it is set ("in Paris") is set there."""
    _, syria = converse(core, ["What did the ministers say about Afghanistan in 2021?",
                               "And what about Syria at that meeting?"])
    assert "refugees to return to Syria" in syria.sentences()[0], syria.answer
    assert "Northern Africa" not in syria.answer
    # unless it sets itself somewhere: "in Paris", after a question on 2019, is the 2021 meeting
    _, paris = converse(core, ["What did Russia say it would not do with its missiles in 2019?",
                               "and two years later in paris, what worried them about arms control?"])
    assert "gradual elimination of arms control" in paris.sentences()[0], paris.answer
    # French "ce dialogue" is the one just spoken of, in 2021: not Parly's "strengthen dialogue" of 2019
    _, goal = converse(core, ["Qui a reçu Lavrov à Paris en novembre 2021 ?",
                              "Quel était le but de ce dialogue pour la France ?"])
    assert "predictability" in goal.answer and "strengthen dialogue" not in goal.answer, goal.answer


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
    # it reads on forward first: after Lavrov's words, what the French said to them, not the
    # paragraph's opening line before them
    iran = core.ask("Что Лавров сказал про иранскую ядерную сделку?")
    assert "Lavrov noted" in iran.sentences()[0], iran.answer
    on = core.ask("Подробнее", with_history([], iran, 4))
    assert on.answered and "French colleagues agreed with him." in on.sentences(), on.answer


def test_what_they_wanted_next_is_the_sentence_going_on_from_the_answer(core: AnswerCore) -> None:
    """After what the ministers said of Belarus, "and what did they expect from Russia?" is the
    next sentence, *They encouraged Russia to mobilize its close ties …*, not what they reminded
    Russia of about Ukraine; a follow-up naming something the next sentence does not (Navalny,
    after the Ukraine answer) is not answered with it."""
    *_, wanted = converse(core, ["Что министры сказали про Беларусь в 2021 году?", "а чего они ждали от России?"])
    assert wanted.answered and "close ties with Belarus" in wanted.answer, wanted.answer
    assert "reminded Russia" not in wanted.answer, wanted.answer
    *_, navalny = converse(core, ["Which ministers did Le Drian and Parly host in Paris in 2021?",
                                  "what did the two of them warn Moscow about regarding Ukraine?",
                                  "did they bring up Navalny?"])
    assert navalny.answered and "Navalny" in navalny.sentences()[0], navalny.answer


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


def test_a_follow_up_naming_nothing_of_its_own_keeps_to_the_page_that_answered(embeddings, tmp_path) -> None:
    """After Python's atexit page said in which order exit handlers run, *can I pass arguments to
    them?* asks about those handlers: it is answered from that page, not from the tutorial's page
    on passing arguments to functions, whose sentences resemble the question more."""
    pages = ROOT / "bench" / "corpora" / "python-docs"
    core = core_on(embeddings, tmp_path, {name: (pages / name).read_text(encoding="utf-8")
                                          for name in ("library-atexit.html", "tutorial-controlflow.html")})
    answers = converse(core, ["how can I make my script run some cleanup code when it exits?",
                              "in what order are those functions called?", "can I pass arguments to them?"])
    assert "last in, first out" in answers[1].answer, answers[1].answer
    arguments = answers[2]
    assert arguments.answered and {c.source for c in arguments.citations} == {"library-atexit.html"}, arguments.answer
    assert "register()" in arguments.answer, arguments.answer


def test_whether_a_topic_came_up_is_read_as_asked(core: AnswerCore) -> None:
    """A follow-up asking whether something came up at the other meeting is asked about what it
    names, though its search opens with the names the conversation carried: the Minsk Group is
    the 2021 statement's, and the 2019 article (set in Moscow) is not made to answer for it."""
    _, _, moscow = converse(core, ["what is the minsk group working towards?", "who co-chairs it?",
                                   "was that group discussed in moscow in 2019 too?"])
    assert moscow.refusal == "name_not_in_document", moscow.answer
