"""How citebot decides (issue 10): one analysed question, named checks with reason codes,
answers that quote the sentence that answers (follow-ups: tests/test_followups.py; the type a
question asks for and the lines that hold it: tests/test_answer_types.py).

The first tests need no model; the rest ask the real answer core (real embedder, real Chroma).
"""

from __future__ import annotations

import re

import pytest
from helpers import BUNDLED, ROOT, core_on

from bot.answering import CHECKS, OUTCOMES, analyse
from bot.core import AnswerCore, with_history
from bot.vocabulary import Vocabulary
from bot.models import Answer
from bot.render import cited_sentences, excerpt


# --- the analysed question (no model) -----------------------------------------------------------


def test_a_question_is_analysed_once_into_what_the_pipeline_needs() -> None:
    q = analyse("  What did Florence Parly give to Sergei Shoigu in 2019?\x00 ")
    assert q.text == "What did Florence Parly give to Sergei Shoigu in 2019?"
    assert q.language == "en" and q.names == ("Florence", "Parly", "Sergei", "Shoigu", "2019")
    assert q.numbers == ("2019",) and "give" in q.content and not q.follow_up
    assert q.search == q.text and "Parly" not in q.focus and "give" in q.focus
    assert analyse("Что Шойгу подарил?").language == "ru" and analyse("Qu'a dit Lavrov ?").language == "fr"


def test_names_in_another_script_are_recognised_and_unknown_ones_are_not() -> None:
    words = Vocabulary([(BUNDLED / name).read_text(encoding="utf-8")
                        for name in ("france-russia-2plus2-meeting-paris-2021-11-12.txt",
                                     "russia-france-2plus2-meeting-moscow-2019-09-09.txt")])
    for name in ("Москва", "Парижем", "Белоруссии", "Шойгу", "Лаврова", "Biélorussie", "Choïgou", "Европе"):
        assert words.mentions(name, loose=True), name
    for name in ("Меркель", "Ангела", "Клинтон", "Берлин"):
        assert not words.mentions(name, loose=True), name
    assert not words.mentions("Moskva") or words.mentions("Moscow")  # strict matching stays strict
    # A place is looked for under its names in every language, not by its consonants: "Allemagne"
    # and "Германии" are the Germany of the "Norman Four"; "Chine", "Китае", "Лондоне" are nowhere.
    for name in ("Allemagne", "Германии", "Arménie", "Азербайджана", "États-Unis", "Moscou"):
        assert words.mentions(name, loose=True), name
    for name in ("Chine", "Китае", "Лондоне", "Londres", "Turquie", "Японии", "Arabie saoudite"):
        assert not words.mentions(name, loose=True), name
    # A country's adjective names it: "Россия" acts in "The position of the Russian leadership …".
    russian = Vocabulary(["The position of the Russian leadership was confirmed."])
    assert russian.mentions("Россия", loose=True) and russian.mentions("России", loose=True)
    assert not russian.mentions("Франция", loose=True) and not russian.mentions("Россия")
    assert Vocabulary(["the Belarusian authorities"]).mentions("Белоруссия", loose=True)
    # An acronym in another language is the one the documents write in capitals.
    un = Vocabulary(["the permanent members of the UN Security Council"])
    assert un.mentions("ООН") and un.mentions("ONU") and not un.mentions("OTAN")
    assert not Vocabulary(["un homme, une femme"]).mentions("ONU")  # "un" written in lower case is no UN
    # An acronym is matched by its forms, never by its consonants: NATO (n, t) is not "Joint" nor "not".
    iran = Vocabulary(["the Joint Comprehensive Plan of Action; this should not be seen as a challenge"])
    for nato in ("НАТО", "нато", "NATO", "OTAN"):
        assert not iran.mentions(nato, loose=True), nato
    assert Vocabulary(["Russia and NATO"]).mentions("нато", loose=True)
    # An acronym written with full stops is the acronym: "U.S." is the US, США, USA.
    us = Vocabulary(["Florence Parly met with U.S. Secretary of Defense Mark Esper"])
    assert us.mentions("US") and us.mentions("США") and us.mentions("USA") and not us.mentions("UK")


def test_a_question_naming_an_acronym_in_its_own_language_is_answered(core: AnswerCore) -> None:
    answer = core.ask("К чему министры призвали постоянных членов Совбеза ООН?")
    assert answer.answered and "remain united" in answer.answer, answer.answer
    for question in ("Who did Parly meet in the US before the Moscow talks?",
                     "С кем Парли встречалась в США до переговоров с Шойгу?"):
        esper = core.ask(question)
        assert esper.answered and "Mark Esper" in esper.sentences()[0], (question, esper.answer)


def test_a_follow_up_asking_of_an_acronym_at_the_same_meeting_is_answered_with_the_sentence_naming_it(
        core: AnswerCore) -> None:
    first = "О чём договорились в Москве насчёт иранской ядерной сделки?"
    turns = with_history([], core.ask(first), 6)
    nato = core.ask("а НАТО там упоминали?", turns)
    assert nato.answered and "NATO" in nato.sentences()[0], nato.answer


def test_russian_words_capitalised_in_a_name_are_no_unknown_names() -> None:
    # Russian capitalises the ordinary words of a name ("Совет Безопасности", "Ближний Восток"),
    # which the documents write in English; a person's name stays one, even one that is also a noun.
    assert analyse("Что говорили о Совете Безопасности ООН?").names == ("ООН",)
    assert "Ближнем" not in analyse("Какую ситуацию на Ближнем Востоке оценивали министры?").names
    assert analyse("Что сказала Ангела Меркель?").names == ("Ангела", "Меркель")
    assert analyse("Кто такая Клер Ланде?").names == ("Клер", "Ланде")  # "клер" is also a noun


def test_a_russian_question_naming_a_body_by_its_russian_name_is_answered(core: AnswerCore) -> None:
    council = core.ask("О чём министры попросили постоянных членов Совета Безопасности?")
    assert council.answered and "remain united" in council.answer, council.answer
    assert core.ask("Что министры сказали про Ближний Восток в 2021-м?").refusal != "unknown_name"
    assert core.ask("Что Ангела Меркель сказала в Москве?").refusal == "unknown_name"


# --- the checks --------------------------------------------------------------------------------------


def test_every_refusal_is_one_named_check_in_stage_order_and_the_readme_lists_them() -> None:
    codes = [c.code for c in CHECKS]
    assert len(set(codes)) == len(codes) and not set(codes) & set(OUTCOMES)
    stages = ["question", "collection", "retrieval", "answer"]
    assert [stages.index(c.stage) for c in CHECKS] == sorted(stages.index(c.stage) for c in CHECKS)
    # Only certain refusals run before a language model is asked.
    assert {c.code for c in CHECKS if c.before_model} == {
        "empty_question", "question_too_long", "small_talk", "vague_question", "about_documents", "unknown_name",
        "nothing_retrieved"}
    how = (ROOT / "README.md").read_text(encoding="utf-8").split("## How it answers", 1)[1].split("\n## ", 1)[0]
    for code in [*codes, *OUTCOMES]:
        assert f"`{code}`" in how, f"README's 'How it answers' does not list {code}"


def test_a_question_naming_only_people_the_documents_name_is_not_off_topic(core: AnswerCore) -> None:
    """"Qui est Mark Esper ?" and "Кто такой Марк Эспер?" resemble two English articles little (a
    name in another script), but say nothing the documents do not name: they are answered, while
    a question about something else in the same words stays off topic."""
    for question in ("Qui est Mark Esper ?", "Кто такой Марк Эспер?"):
        answer = core.ask(question)
        assert answer.answered and "Secretary of Defense Mark Esper" in answer.answer, (question, answer.answer)
    assert core.ask("Какой рецепт борща?").refusal == "off_topic"


def _refusal(answer: Answer) -> str | None:
    data = answer.to_json()
    assert data["answered"] is answer.answered and ("refusal" in data)
    assert (data["refusal"] is None) == answer.answered
    return data["refusal"]


def test_json_answers_say_which_check_refused(core: AnswerCore) -> None:
    assert _refusal(core.ask("  ")) == "empty_question"
    assert _refusal(core.ask("why " * 600)) == "question_too_long"
    assert _refusal(core.ask("merci !")) == "small_talk"
    assert _refusal(core.ask("What did she say?")) == "vague_question"
    assert _refusal(core.ask("Where exactly?")) == "vague_question"  # exactly what? no conversation says
    assert _refusal(core.ask("What did Angela Merkel say in Paris?")) == "unknown_name"
    assert _refusal(core.ask("Что Ангела Меркель сказала в Москве?")) == "unknown_name"
    # one missing number is enough in any language: the reply can say which
    missing = core.ask("Qui a participé à la réunion de 2023 ?")
    assert missing.refusal == "unknown_name" and "2023" in missing.answer
    assert _refusal(core.ask("How many prisoners were exchanged between Russia and Ukraine?")) == "no_number"
    # an age is a number too: not answered with a sentence that merely names her
    assert _refusal(core.ask("Quel âge a Florence Parly ?")) in ("no_number", "weak_evidence")
    # whether a date was set asks for it: "the leaders … will meet in the coming days" sets none
    assert _refusal(core.ask("Did they set a date for the Normandy Four summit?")) in ("no_number", "weak_evidence")
    assert _refusal(core.ask("What did Shoigu give Parly in 2021?")) == "name_not_in_document"
    assert _refusal(core.ask("What is MH17?")) is None


@pytest.mark.parametrize("question", [
    "What is the recipe for borscht?", "Quelle est la recette du bortsch ?", "Какой рецепт борща?",
    "What is the population of France?",  # "France" is in the documents, the question is not
    # measured against questions about other things in their own language
    "Which planet is the largest?", "Who invented the telephone?", "Quelle est la vitesse de la lumière ?",
    # typed in lower case, as many people chat: measured against the reference questions typed so
    "какой рецепт борща?", "how far is the moon",
])
def test_off_topic_questions_are_refused_in_every_language(core: AnswerCore, question: str) -> None:
    answer = core.ask(question)
    assert not answer.answered and not answer.citations, answer.answer
    assert answer.refusal in ("off_topic", "weak_evidence")


def test_a_name_counts_when_the_document_mentions_it_not_only_the_passage(core: AnswerCore) -> None:
    # "Paris" is in the 2021 article's title, not in its paragraph on Belarus.
    answer = core.ask("What did the ministers say in Paris about Belarus?")
    assert answer.answered and "Belarus" in answer.answer and "Paris" not in answer.answer


def test_a_nationality_is_no_name_in_any_language(core: AnswerCore) -> None:
    # English capitalises "French"; French and Russian do not ("français", "французские"): the
    # same question names Mali alone in all three, so "French" does not pull up every sentence
    # that mentions the French ministers.
    for question in ("What did the French ministers insist on regarding Mali?",
                     "Qu'ont exigé les ministres français au sujet du Mali ?",
                     "На чём настаивали французские министры по Мали?"):
        assert analyse(question).names == (question.rstrip(" ?").split()[-1],), question
    answer = core.ask("What did the French ministers insist on regarding Mali?")
    assert answer.answered and "timeframe for transition by the Malian authorities" in answer.answer, answer.answer


def test_the_quote_shown_holds_the_cited_sentence_whole(core: AnswerCore) -> None:
    answer = core.ask("In which magazine did the photograph of the French air regiment first appear, and when?")
    assert answer.answered and "June 1944" in answer.answer
    sentences = cited_sentences(answer)
    shown = [excerpt(c.quote, at=sentences.get(c.n, "")) for c in answer.citations]
    assert any("June 1944" in s and "Normandie-Niémén" in s for s in shown), shown


@pytest.mark.parametrize("question, compared", [
    ("Where did the ministers meet in 2019 and in 2021?", ("2019", "2021")),
    ("How did the talks differ between the Moscow and the Paris meetings?", ("Moscow", "Paris")),
    ("Qu'ont dit les ministres sur l'Iran en 2019 et en 2021 ?", ("2019", "2021")),
    ("Что говорили об Иране в 2019 и 2021 годах?", ("2019", "2021")),
    ("What did Shoigu give Parly in 2021?", ()), ("What did Lavrov say in Paris about Iran?", ()),
])
def test_names_set_side_by_side(question: str, compared: tuple[str, ...]) -> None:
    assert analyse(question).compared == compared


def test_a_question_about_both_meetings_is_answered_from_both_documents(core: AnswerCore) -> None:
    """Each year from the document that has it, where one document alone was refused; a year
    beside an act that only the other meeting saw is still refused."""
    both = core.ask("Where did the ministers meet in 2019 and in 2021?")
    assert both.answered, both.answer
    assert "Moscow" in both.answer and "Paris" in both.answer
    assert len({c.source for c in both.citations}) == 2
    assert not core.ask("What did Shoigu give Parly in 2021?").answered


@pytest.mark.parametrize("question, about", [
    ("What is this collection about?", True), ("What documents do you have?", True), ("what can I ask you?", True),
    ("Quels documents as-tu ?", True), ("De quoi parlent ces documents ?", True), ("О чём эти документы?", True),
    ("Какие у тебя есть документы?", True), ("Какие документы у тебя есть?", True), ("What can you do?", True),
    ("Что ты умеешь?", True), ("Qu'est-ce que tu sais faire ?", True), ("Who are you?", True),
    ("Summarize the documents", True), ("What topics do the documents cover?", True), ("Résume les documents", True),
    ("Что в этих документах?", True), ("Кратко перескажи документы", True),
    ("What is this about?", True), ("De quoi ça parle ?", True), ("О чём это?", True), ("Give me a summary", True),
    ("What can you do about Iran?", False), ("Что ты можешь сказать об Иране?", False),
    ("What do you know about Iran?", False), ("What documents mention Iran?", False), ("What is the JCPOA?", False),
    ("Summarize what Lavrov said", False), ("What is this plan about?", False),
    # a bare request for a summary, as the first question (these got "The documents never mention “Summarize”")
    ("Summarize", True), ("Summary?", True), ("tl;dr", True), ("Résume-moi ça", True), ("Кратко", True),
    ("Summarize Lavrov's words", False),
])
def test_a_question_about_the_documents_themselves(question: str, about: bool) -> None:
    assert analyse(question).about_documents is about


def test_what_is_this_about_asks_about_the_answer_once_there_is_one(core: AnswerCore) -> None:
    """As the first question, "What is this about?" asks what the documents are; after an answer
    it asks about that answer (and a greeting before it is no answer)."""
    assert core.ask("What is this about?").refusal == "about_documents"
    greeted = with_history([], core.ask("Hello!"), 4)
    assert core.ask("what is this about?", greeted).refusal == "about_documents"
    first = core.ask("What did the ministers say about MH17?")
    follow = core.ask("What is this about?", with_history([], first, 4))
    assert follow.answered and "MH17" in follow.answer, follow.answer


def test_a_greeting_or_thanks_is_no_context_for_a_follow_up(core: AnswerCore) -> None:
    """"what did he say?" after "thanks" names nobody: asked who is meant, not answered with a passage."""
    thanked = with_history([], core.ask("thanks"), 4)
    alone = core.ask("what did he say?", thanked)
    assert alone.refusal == "vague_question", alone.answer
    first = core.ask("What did Florence Parly say?")
    thanked = with_history(with_history([], first, 4), core.ask("merci !"), 4)
    assert "Parly" in core.ask("What did she say?", thanked).search_query


def test_what_the_documents_are_is_answered_with_their_titles(core: AnswerCore) -> None:
    """Not with a sentence that happens to resemble "collection": the titles, in the asker's language."""
    titles = [d.title for d in core.documents()]
    reply = core.ask("What is this collection about?")
    assert not reply.answered and reply.refusal == "about_documents" and not reply.citations
    assert all(title[:40] in reply.answer for title in titles), reply.answer
    french = core.ask("De quoi parlent ces documents ?")
    assert french.refusal == "about_documents" and "Je réponds" in french.answer and titles[0][:40] in french.answer


def test_a_name_the_best_sentence_s_document_lacks_is_answered_by_a_sentence_naming_it(core: AnswerCore) -> None:
    """The 2021 statement's sentence on Afghanistan answers, not a refusal because the best-ranked
    sentence came from the 2019 article; a year beside an act of the other meeting is still refused."""
    answer = core.ask("Did they discuss Afghanistan?")
    assert answer.answered and "Afghanistan" in answer.sentences()[0], answer.answer
    assert not core.ask("Did the ministers talk about Mali in 2019?").answered
    # the 2019 article's sentence naming what the 2021 statement does not ("Northern Africa") answers;
    # a sentence that lists Germany says nothing of who represented it
    africa = core.ask("Did North Africa come up in Moscow in 2019?")
    assert africa.answered and "Northern Africa" in africa.sentences()[0], africa.answer
    assert not core.ask("Who represented Germany at the Moscow meeting?").answered


def test_a_date_says_which_meeting_is_meant(core: AnswerCore) -> None:
    """Moscow and Paris are named in both documents, November 2021 only in the Paris statement,
    whose sentence answers though the 2019 article's sentences resemble the question more; the
    act of a "What did X do?" still needs a sentence of its own."""
    a = core.ask("Who came over from Moscow for the Paris talks in November 2021?")
    assert a.answered and "Lavrov" in a.answer, a.answer
    assert {c.source for c in a.citations} == {"france-russia-2plus2-meeting-paris-2021-11-12.txt"}
    assert core.ask("What did Shoigu give Parly in 2021?").refusal == "name_not_in_document"


def test_answers_are_short(core: AnswerCore) -> None:
    for question in ("What did Parly give to Shoigu?", "What is MH17?", "Who is Claire Landais?"):
        answer = core.ask(question)
        assert answer.answered and 1 <= len(re.findall(r"\[\d+\]", answer.answer)) <= core.settings.max_citations


def test_markup_never_appears_in_an_answer(embeddings, tmp_path) -> None:
    # A README-like document: a centred logo in raw HTML, and the settings as an XML block.
    core = core_on(embeddings, tmp_path, {"falcon.md": (
        '# Falcon uploads\n\n<div align="center"><img src="logo.png" alt="Falcon"></div>\n\n'
        "Falcon retries a failed upload three times, then gives up and reports the error.\n\n"
        "```xml\n<config><upload><retries>3</retries><timeout>30</timeout></upload></config>\n```\n"
    )})
    for question in ("How many times does Falcon retry an upload?", "What does the upload config look like?",
                     "Show me the Falcon logo"):
        answer = core.ask(question)
        assert not re.search(r"<[/?!]?[A-Za-z]", answer.answer), answer.answer
    assert "three times" in core.ask("How many times does Falcon retry an upload?").answer


def test_a_page_s_heading_that_repeats_its_title_is_no_answer(embeddings, tmp_path) -> None:
    """A documentation page's heading ("tomllib — Parse TOML files¶" under the title "tomllib —
    Parse TOML files — Python 3.11.2 documentation") says what the page is, not what it says."""
    core = core_on(embeddings, tmp_path, {"tomllib.html": (
        "<html>\n<head><title>tomllib — Parse TOML files — Python 3.11.2 documentation</title></head>\n<body>\n"
        "<h1>tomllib — Parse TOML files¶</h1>\n<p>This module provides an interface for parsing TOML. "
        "This module does not support writing TOML.</p>\n<p>It reads a file opened in binary mode with "
        "tomllib.load and a string with tomllib.loads.</p>\n</body>\n</html>\n"
    )})
    answer = core.ask("Can tomllib write TOML files?")
    assert answer.answered and not answer.answer.startswith("tomllib"), answer.answer
    assert "does not support writing TOML" in answer.answer
    # Each sentence once: the one a chosen "This module ..." brought along is not chosen again.
    assert answer.answer.count("provides an interface for parsing TOML") <= 1, answer.answer


def test_a_heading_that_asks_the_question_is_no_answer(embeddings, tmp_path) -> None:
    """A page's heading may ask what the reader asks (Python's secrets page: "How many bytes should
    tokens use?"); the sentences under it answer, the heading never does."""
    page = (ROOT / "bench" / "corpora" / "python-docs" / "library-secrets.html").read_text(encoding="utf-8")
    core = core_on(embeddings, tmp_path, {"secrets.html": page})
    answer = core.ask("how many bytes should a random token have to be safe?")
    assert answer.answered, answer.answer
    assert "32 bytes" in answer.answer and "should tokens use" not in answer.answer, answer.answer


def test_a_name_with_a_number_is_mentioned_only_with_that_number(embeddings, tmp_path) -> None:
    """*base36* is no inflection of *Base32*: a name holding a number needs that number, so a
    question about an encoding the base64 page never mentions is refused as naming it, not
    answered with what the page says of Base32."""
    words = Vocabulary(["RFC 4648 defines the Base16, Base32, and Base64 algorithms; MH17 was shot down."])
    assert words.mentions("Base32") and words.mentions("base64") and words.mentions("MH17")
    assert not words.mentions("base36") and not words.mentions("Base36", loose=True) and not words.mentions("MH18")
    page = (ROOT / "bench" / "corpora" / "python-docs" / "library-base64.html").read_text(encoding="utf-8")
    core = core_on(embeddings, tmp_path, {"base64.html": page})
    answer = core.ask("which base64 function encodes data as base36?")
    assert not answer.answered and answer.refusal == "unknown_name" and "base36" in answer.answer, answer.answer
    assert core.ask("which base64 function encodes data as base32?").answered


def test_the_line_a_signature_brings_along_leaves_room_for_the_answer(embeddings, tmp_path) -> None:
    """A signature ("html.escape(s, quote=True)¶") is shown with the line after it, its
    description; that line takes no place of its own, so the sentence that answers still joins.
    Asked with the signature pasted in, the answer opens with it and still gives the sentence
    about the quote flag."""
    page = (ROOT / "bench" / "corpora" / "python-docs" / "library-html.html").read_text(encoding="utf-8")
    core = core_on(embeddings, tmp_path, {"html.html": page})
    answer = core.ask("html.escape(s, quote=True): are quotes converted too?")
    assert answer.answered, answer.answer
    assert "html.escape(s, quote=True)" in answer.answer and "are also translated" in answer.answer, answer.answer
