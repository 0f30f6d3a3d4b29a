"""Names typed in lower case are names (issue 10): people type "what did parly give shoigu" in a
chat, and it is answered, checked and followed up as "What did Parly give Shoigu?" would be.

The first tests read texts written here; the others ask the bundled corpus through the real
answer core (real embedder, real Chroma).
"""

from __future__ import annotations

from bot.answering import analyse
from bot.core import AnswerCore
from bot.language import capital_opening
from bot.models import Turn
from bot.proper_names import proper_names

TEXTS = [
    "Florence Parly met Sergey Lavrov in Moscow. Lavrov noted that the plan was sound.",
    "On Victory Day, the ministers met on Red Square, where Parly gave Shoigu a photograph.",
    "The json module reads JSON. Use json.load() to read a file; the Plan is in the appendix.",
    ">>> data = load()  # Decode the file\n>>> print(data)\nRecursive globs follow links",
]


def test_words_the_collection_writes_only_as_names_are_written_as_it_does() -> None:
    names = proper_names(TEXTS)
    assert names.capitalise("what did parly give shoigu on red square") == "what did Parly give Shoigu on Red Square"
    assert names.capitalise("what did lavrov note in moscow") == "what did Lavrov note in Moscow"
    # "day" is only ever part of "Victory Day"; "plan" and "json" are also written in lower case.
    assert names.capitalise("what day was the plan about json") == "what day was the plan about json"
    # A capitalised word opening a code comment or a line is no name.
    assert names.capitalise("how do i decode a recursive file") == "how do i decode a recursive file"
    assert names.capitalise("What did Parly give?") == "What did Parly give?"


def test_a_question_in_lower_case_names_whom_it_asks_about() -> None:
    names = proper_names(TEXTS)
    q = analyse("what did parly give shoigu in 2021", (), names)
    assert q.names == ("Parly", "Shoigu", "2021") and q.subject == ("Parly",)
    assert q.text == "what did parly give shoigu in 2021"  # shown as it was typed
    assert analyse("what did parly give shoigu in 2021").names == ("2021",)  # without the collection's names
    # A name opening the question is a name when the collection has it ("Which" never is).
    assert analyse("Parly gave what to Shoigu?", (), names).names == ("Parly", "Shoigu")
    # A follow-up carries the names of a question typed in lower case.
    before = Turn("what did parly give shoigu", "what did Parly give Shoigu", True)
    assert analyse("and what did he give her back?", [before], names).carried[:2] == ("Parly", "Shoigu")


def test_a_question_in_lower_case_is_answered_as_if_capitalised(core: AnswerCore) -> None:
    typed = core.ask("what did parly give shoigu as a present in 2019")
    capitalised = core.ask("What did Parly give Shoigu as a present in 2019?")
    assert typed.answered and [c.quote for c in typed.citations] == [c.quote for c in capitalised.citations]
    # The near miss (he gave her nothing in 2021) is refused however it is typed.
    assert core.ask("what did shoigu give parly in 2021").refusal == "name_not_in_document"
    assert core.ask("What did Shoigu give Parly in 2021?").refusal == "name_not_in_document"
    # "day" is no name: the date of the Paris meeting, not the Victory Day parade.
    assert "12 November 2021" in core.ask("what day was the paris meeting").answer
    # Whom the collection never names is refused however it is typed.
    for typed in ("what did angela merkel say in paris?", "What did Angela Merkel say in Paris?"):
        asked = core.ask(typed)
        assert asked.refusal == "unknown_name" and "Merkel" in asked.answer, (typed, asked.answer)
    # In Russian, a first name or particle typed in lower case is part of the name, as it is
    # typed with capitals: Le Drian said nothing of Macron; Claire Landais is asked who she is.
    for typed in ("что ле дриан обсуждал с макроном?", "Что Ле Дриан обсуждал с Макроном?"):
        assert core.ask(typed).refusal == "subject_not_in_answer", typed
    landais = core.ask("кто такая клэр ланде?")
    assert landais.answered and "Secretary General for National Defence" in landais.citations[0].quote


def test_a_name_typed_in_lower_case_in_another_script_is_a_name() -> None:
    """"что лавров сказал об иране": Лавров and Иране, inflected or not, spell the collection's
    Lavrov and Iran; ordinary Russian words that share their consonants are left alone."""
    names = proper_names([*TEXTS, "They named Iran and Jean-Yves Le Drian. Claire Landais, Secretary General, spoke.",
                          "The United States left. Jean-Yves Le Drian, Minister for Europe, spoke."])
    assert names.capitalise("что лавров сказал об иране?") == "что Лавров сказал об Иране?"
    assert names.capitalise("что шойгу подарил парли в москве") == "что Шойгу подарил Парли в Москве"
    # a surname as far as it goes, and a first name or particle spelling the one written before it
    assert names.capitalise("что ле дриан сказал клэр ланде") == "что Ле Дриан сказал Клэр Ланде"
    assert names.capitalise("что флоранс парли сказала") == "что Флоранс Парли сказала"
    # a word before a name that spells none of the words written before it stays a word
    assert names.capitalise("что министры ирана сказали парли") == "что министры Ирана сказали Парли"
    assert names.capitalise("Что ле Дриан сказал?") == "Что ле Дриан сказал?"  # typed with capitals: as typed
    # in Latin letters, the word itself ("le" of "Le Drian"), not another before the name
    assert names.capitalise("what did le drian say?") == "what did Le Drian say?"
    assert analyse("what did le drian say?", (), names).subject == ("Drian",)  # as "What did Le Drian say?"
    assert names.capitalise("what did the drian say?") == "what did the Drian say?"
    # "ядерной" has Drian's consonants, "статьи" nearly the letters of "states", "президентов" of "President"
    assert names.capitalise("о ядерной сделке в статьи президентов") == "о ядерной сделке в статьи президентов"
    assert analyse("что лавров сказал об иране?", (), names).names == ("Лавров", "Иране")
    # "Ле" of "Ле Дриан" is French "Le", no name of its own (it matched "Le Point")
    assert analyse("Что Лавров подарил Ле Дриану?").names == ("Лавров", "Дриану")


def test_a_question_of_one_word_the_collection_never_writes_in_lower_case_is_a_name() -> None:
    """"navalny?" asks about Navalny, "merkel?" about someone the collection never names; a
    word it writes in lower case ("plan?") or a stopword is a word."""
    names = proper_names([*TEXTS, "They spoke of Alexei Navalny."])
    assert names.capitalise("navalny?") == "Navalny?"
    assert names.capitalise("merkel ?") == "Merkel ?"
    assert names.capitalise("plan?") == "plan?" and names.capitalise("why?") == "why?"
    assert names.capitalise("navalny and merkel?") == "navalny and merkel?"  # one word only
    # in another language most words are ones it never writes: only a name of that language's
    # dictionary is one (tests/test_proper_names.py::test_a_russian_name_typed_in_lower_case_is_one)
    assert names.capitalise("подробнее?") == "подробнее?" and names.capitalise("сделка?") == "сделка?"


def test_a_russian_name_typed_in_lower_case_is_one() -> None:
    """A Russian word the Russian dictionary knows only as someone's or somewhere's name ("обама",
    "токио"), and a first name before a name ("ангела"), are names typed in lower case too, though
    the collection never writes them: they are then refused as unknown, as typed with capitals."""
    names = proper_names(TEXTS)
    assert names.capitalise("обама?") == "Обама?" and names.capitalise("меркель?") == "Меркель?"
    assert names.capitalise("что ангела меркель сказала в токио?") == "что Ангела Меркель сказала в Токио?"
    # a word that may be a name or a noun ("роза", "надежда", "путин" as a plural) is left as typed
    assert names.capitalise("что надежда сказала?") == "что надежда сказала?"
    assert names.capitalise("какая надежда у министров?") == "какая надежда у министров?"


def test_who_acted_typed_in_lower_case_is_named_even_when_the_collection_lacks_them() -> None:
    """"what did angela merkel say in paris?" names Angela Merkel, as it does typed with capitals;
    "the writer" and "the ministers" are no one's name, nor a word the collection writes."""
    names = proper_names([*TEXTS, "The ministers spoke in Paris."])
    assert names.capitalise("what did angela merkel say in paris?") == "what did Angela Merkel say in Paris?"
    assert names.capitalise("and what did merkel give her?") == "and what did Merkel give her?"
    assert names.capitalise("does the writer think it was aimed at nato?") == "does the writer think it was aimed at nato?"
    assert names.capitalise("what did the ministers say?") == "what did the ministers say?"
    assert names.capitalise("what did they give?") == "what did they give?"
    assert names.capitalise("What did merkel say?") == "What did Merkel say?"  # a phone's capital opens it
    assert names.capitalise("What did merkel say to Parly?") == "What did merkel say to Parly?"  # names typed: as typed


def test_a_russian_dzh_is_an_english_j() -> None:
    """"азербайджаном": Azerbaijan, as Russian writes an English "j"."""
    names = proper_names(["They spoke of Azerbaijan and Armenia."])
    assert names.capitalise("что говорили об азербайджане и армении?") == "что говорили об Азербайджане и Армении?"


def test_each_name_of_a_compound_is_a_name() -> None:
    """"la réunion russie-otan": Russia and NATO, as "Russie-OTAN" typed with capitals; a compound
    of no name stays as typed."""
    names = proper_names(["NATO met. They talked in Russia and NATO hoped for more."])
    assert names.capitalise("la prochaine réunion russie-otan ?") == "la prochaine réunion Russie-NATO ?"
    assert analyse("ils ont fixé une date pour la prochaine réunion russie-otan ?", (), names).names == ("Russie-NATO",)
    assert names.capitalise("un rendez-vous en tête-à-tête ?") == "un rendez-vous en tête-à-tête ?"


def test_a_short_name_in_another_script_has_its_consonants_and_its_first_letters() -> None:
    """"в париже": Париж has the three consonants of Paris and begins as it does; "в прессе" has
    the same consonants and is no name."""
    names = proper_names([*TEXTS, "The ministers met in Paris. Then Paris hoped for more."])
    assert names.capitalise("когда прошла встреча в париже?") == "когда прошла встреча в Париже?"
    assert names.capitalise("что писали в прессе?") == "что писали в прессе?"


def test_an_acronym_in_the_question_s_language_is_written_as_the_collection_writes_it() -> None:
    names = proper_names(["Russia and NATO met within the OSCE. The talks went on."])
    assert names.capitalise("Et concernant l'OTAN ?") == "Et concernant l'NATO ?"
    assert names.capitalise("Что сказали про ОБСЕ и нато?") == "Что сказали про OSCE и NATO?"
    # An acronym the collection does not write stays as typed; so does an ordinary word.
    assert names.capitalise("Et l'ONU ? Et les talks ?") == "Et l'ONU ? Et les talks ?"


def test_a_question_naming_an_organisation_in_french_or_russian_finds_it(core: AnswerCore) -> None:
    answer = core.ask("Что министры в Париже сказали про ОБСЕ?")
    assert answer.answered and "within the framework of the OSCE" in answer.answer, answer.answer
    assert "NATO" in analyse("Et concernant l'OTAN ?", (), core.retriever.snapshot().proper_names).names


def test_the_people_are_those_the_collection_gives_a_post() -> None:
    names = proper_names([
        "Jean-Yves Le Drian, Minister for Europe and Foreign Affairs, met the press on Red Square.",
        "It is no coincidence that Florence Parly met with U.S. Secretary of Defense Mark Esper.",
        "The theme was raised when Parly donated to Minister Shoigu a photograph for Victory Day.",
    ])
    assert {"drian", "esper", "shoigu"} <= names.people and not {"parly", "square", "day"} & names.people


def test_a_surname_the_collection_gives_a_post_is_a_name_in_lower_case() -> None:
    """"what did lavrov tell esper": the collection writes Lavrov and Esper only after a first
    name, never alone, but gives them a post, so they are people's names; the institution a
    post's title names ("Minister for the Armed Forces") is no one's."""
    names = proper_names([
        "Foreign Minister of Russia Sergey Lavrov noted: the plan stands.",
        "Florence Parly, Minister for the Armed Forces, met U.S. Secretary of Defense Mark Esper.",
        "A meeting of the Minister for the Armed Forces and their counterparts.",
    ])
    assert names.capitalise("what did lavrov tell esper") == "what did Lavrov tell Esper"
    # their first names too, as French spells them or not ("Sergey Lavrov", "Mark Esper")
    assert names.capitalise("qu'a dit sergueï lavrov à mark ?") == "qu'a dit Sergueï Lavrov à Mark ?"
    assert names.capitalise("how many forces were sent") == "how many forces were sent"
    assert {"lavrov", "esper"} <= names.people and "forces" not in names.people


def test_a_name_typed_in_lower_case_as_french_spells_it_is_a_name() -> None:
    """"qu'a dit patrouchev sur la biélorussie ?": French spells Patrushev, Shoigu and Belarus
    otherwise than the collection; the same consonants or nearly the same letters, as typed or
    with French "ch" and "ou" read as English writes them, make them names. Ordinary words that
    only resemble a name stay as typed."""
    names = proper_names([
        "It was Parly who donated to Minister Shoigu a photograph. The talks in Moscow covered Belarus.",
        "Nikolai Patrushev, Secretary of the Security Council, went to Washington.",
    ])
    assert names.capitalise("qu'a dit patrouchev sur la biélorussie ?") == "qu'a dit Patrouchev sur la Biélorussie ?"
    assert names.capitalise("que choïgou a-t-il offert à parly à moscou ?") == "que Choïgou a-t-il offert à Parly à Moscou ?"
    # "washing" is nearly the start of Washington, not as long; "council" only ever in "Security Council"
    assert names.capitalise("the washing of the council") == "the washing of the council"


def test_a_french_participle_is_no_name_it_nearly_spells() -> None:
    """"de quoi ont-ils parlé ?": "parlé" has nearly the letters of Parly, and "espéré" those of
    Esper, but a French past participle is a verb: the question names no one."""
    names = proper_names(["Florence Parly met U.S. Secretary of Defense Mark Esper before the talks with Shoigu."])
    assert names.capitalise("de quoi ont-ils parlé tous les deux ?") == "de quoi ont-ils parlé tous les deux ?"
    assert names.capitalise("qu'a espéré le ministre ?") == "qu'a espéré le ministre ?"
    assert names.capitalise("qu'a dit parly à esper ?") == "qu'a dit Parly à Esper ?"


def test_an_ordinary_word_is_no_name_for_resembling_one() -> None:
    """"what do they care about": a word is only taken for a name it spells otherwise when it
    begins as the name does ("care" has the letters of Claire, not her first two), and never in
    a question that writes its names with capitals ("main" in "... in Moscow?" is a word, though
    the letters of "Malian" in a question typed all in lower case)."""
    names = proper_names(["It was Claire who met the Malian authorities in Moscow with Parly, then went to Iran."])
    assert names.capitalise("what do they care about") == "what do they care about"
    assert names.capitalise("what did they say about mali in moscou") == "what did they say about Mali in Moscou"
    assert names.capitalise("What was the main topic in Moscow?") == "What was the main topic in Moscow?"
    # typed all in lower case, "mali" begins "Malian"; "main" has its letters but is no stem of it
    assert names.capitalise("what was the main topic in moscow") == "what was the main topic in Moscow"
    assert names.capitalise("Hi. what did parly say about mali?") == "Hi. what did Parly say about Mali?"
    assert names.capitalise("« Qu'a dit parly à moscou ? »") == "« Qu'a dit Parly à Moscou ? »"
    # A name after a French elision is one, as "l'Iran" is.
    assert names.capitalise("qu'a dit parly de l'iran ?") == "qu'a dit Parly de l'Iran ?"


def test_a_word_with_a_name_s_consonants_is_that_name_only_in_another_language() -> None:
    """"what century was it?": asked in the collection's language, a name is typed as the
    collection spells it, give or take a typo. The same consonants ("century", "counter":
    Center) or a Russian name's French spelling ("journey" read as "jurney": June) make a word
    a name only in a question in another language ("patrouchev", "biélorussie"), where the name
    checks compare consonants too; in English, "Century" was refused as never mentioned."""
    names = proper_names(["They met at the Center in June with Patrushev, then flew to Belarus."], "en")
    assert names.capitalise("what century was it, after their journey") == "what century was it, after their journey"
    assert names.capitalise("did they counter that") == "did they counter that"
    assert names.capitalise("what did patrushev say at the centre") == "what did Patrushev say at the Centre"
    assert names.capitalise("qu'a dit patrouchev de la biélorussie ?") == "qu'a dit Patrouchev de la Biélorussie ?"
    # The collection's language is the name look-up's: in a French collection, French is at home.
    french = proper_names(["Ils ont vu Patrouchev en Biélorussie, en juin."], "fr")
    assert french.capitalise("what did they say about belarus") == "what did they say about Belarus"
    assert french.capitalise("qu'ont-ils dit du belarus ?") == "qu'ont-ils dit du belarus ?"


def test_a_bare_follow_up_is_looked_up_in_the_conversation_s_language() -> None:
    """"ok, biélorussie ?" has no French word to tell its language by: after French questions
    it is French, so "biélorussie" is Belarus as French spells it, and a name of the question."""
    from bot.answering import analyse
    from bot.models import Turn

    names = proper_names(["They met Patrushev in June, then flew to Belarus."], "en")
    assert names.capitalise("biélorussie ?", "fr") == "Biélorussie ?"
    assert names.capitalise("biélorussie ?", "en") == "biélorussie ?"
    before = [Turn(question="Qu'a dit Patrouchev sur l'Ukraine ?", search_query="Patrouchev Ukraine", answered=True)]
    assert analyse("ok, biélorussie ?", before, names).names == ("Biélorussie",)
    assert analyse("ok, biélorussie ?", (), names).names == ()  # English, unless the conversation is French


def test_ordinary_words_resembling_names_do_not_refuse_a_question(core: AnswerCore) -> None:
    """Questions typed with capitals whose ordinary words share letters with a name (care:
    Claire, main: Malian) are answered."""
    care = core.ask("What do the ministers care about regarding human rights in Russia?")
    assert care.answered and "Navalny" in care.answer
    main = core.ask("What was the main topic of the talks in Moscow in 2019?")
    assert main.answered and "Iran" in main.answer
    # typed in lower case, "century" is no name (Center) that the documents never mention
    century = core.ask("which photo from the last century did parly hand to shoigu")
    assert century.answered and "Normandie" in century.answer
    main = core.ask("what was the main topic of the talks in moscow in 2019?")
    assert main.answered and "Iran" in main.answer


def test_a_question_may_open_with_a_name_in_cyrillic() -> None:
    """"Патрушев — это кто?" opens with a name, as "Patrushev, who is he?" does: a capitalised
    first word is a name when it spells one of the collection's, in Cyrillic too. "Какие" and
    "Сколько" open questions and spell none."""
    from bot.answering import analyse

    names = proper_names(["They met Patrushev in June, then flew to Belarus."], "en")
    assert analyse("Патрушев — это кто?", (), names).names == ("Патрушев",)
    assert analyse("Белоруссия, что о ней сказали?", (), names).names == ("Белоруссия",)
    assert analyse("Какие страны обсуждали?", (), names).names == ()
    assert analyse("Сколько было встреч?", (), names).names == ()


def test_a_question_typed_in_lower_case_opens_as_written() -> None:
    assert capital_opening("qui lavrov a-t-il rencontré à paris ?") == "Qui lavrov a-t-il rencontré à paris ?"
    assert capital_opening("что флоранс парли подарила?") == "Что флоранс парли подарила?"
    assert capital_opening("is bisect.insort O(log n)?") == "is bisect.insort O(log n)?"  # no question word


def test_a_question_typed_in_lower_case_finds_what_it_does_with_capitals(core: AnswerCore) -> None:
    """The embedder tells case: *qui lavrov …* resembled what Lavrov said more than whom he met."""
    met = core.ask("qui lavrov a-t-il rencontré à paris ?")
    assert met.answered and "received" in met.sentences()[0], met.answer
    gift = core.ask("quel journal choïgou a-t-il offert à florence parly ?")
    assert gift.answered and "Krasnaya Zvezda" in gift.answer, gift.answer
    # how related it is to the documents is still measured as typed: no off-topic refusal
    minsk = core.ask("which conflict does the minsk group seek to settle?")
    assert minsk.answered and "Armenia and Azerbaijan" in minsk.answer, minsk.answer


def test_a_word_written_only_in_a_run_of_names_is_a_name_in_another_language() -> None:
    names = proper_names(["They spoke of the situation of Alexei Navalny.",
                          "The Secretary General for National Defence spoke to the ministers."])
    assert names.capitalise("les ministres ont-ils évoqué navalny ?") == "les ministres ont-ils évoqué Navalny ?"


def test_a_place_typed_in_lower_case_is_written_as_the_cldr_writes_it() -> None:
    """"did they bring up north korea?": a place typed in lower case is a name, as typed with
    capitals, in the question's language; one word only when it names a country and the
    collection never writes it in lower case."""
    names = proper_names(TEXTS)
    assert names.capitalise("did they bring up north korea?") == "did they bring up North Korea?"
    assert names.capitalise("what about china?") == "what about China?"
    assert names.capitalise("a-t-on parlé de l'arabie saoudite ?") == "a-t-on parlé de l'Arabie saoudite ?"
    assert names.capitalise("ont-ils parlé de la chine à moscou ?") == "ont-ils parlé de la Chine à Moscou ?"
    # the place, not its words one by one: "africa" alone is the collection's Africa
    africa = proper_names([*TEXTS, "The ministers discussed Northern Africa.", "Peace in the Middle East and Africa."])
    assert africa.capitalise("what about south africa?") == "what about South Africa?"
    # the English name of Réunion is the French word for a meeting; no city of one word ("christmas")
    assert names.capitalise("quand a eu lieu la réunion ?", "fr") == "quand a eu lieu la réunion ?"
    assert names.capitalise("what did they say at christmas?") == "what did they say at christmas?"
    # but after "in", "à" (the CLDR's name, or its time zone's where French gives none)
    assert names.capitalise("who did lavrov meet in vienna?") == "who did Lavrov meet in Vienna?"
    assert names.capitalise("qui a reçu choïgou à varsovie ?").endswith("à Varsovie ?")
    assert names.capitalise("lavrov a-t-il vu le drian à rome ?", "fr").endswith("à Rome ?")
    # a collection writing "china" in lower case uses the word
    assert proper_names([*TEXTS, "The tea was served in fine bone china."]).capitalise("what about china?") \
        == "what about china?"


def test_a_place_typed_in_lower_case_that_the_documents_never_name_is_refused(core: AnswerCore) -> None:
    for question in ("was south korea discussed by the ministers?",
                     "la chine a-t-elle été évoquée par les ministres ?",
                     "what did lavrov say in vienna about the iran deal?", "qui a reçu choïgou à varsovie ?"):
        answer = core.ask(question)
        assert answer.refusal == "unknown_name", (question, answer.answer)
    met = core.ask("quand s'est tenue la réunion de paris ?")
    assert met.answered and "12 November 2021" in met.answer, met.answer
