"""Places the Unicode CLDR names (issue 10, `bot/place_names.py`): a place is a name in every
language and however many words it has, mentioned only where the documents write one of its
names, and searched for under those names (places typed in lower case:
tests/test_proper_names.py).

All but the vocabulary's own assertions ask the real answer core (real embedder, real Chroma).
"""

from __future__ import annotations

from bot.answering import analyse
from bot.core import AnswerCore
from bot.vocabulary import Vocabulary


def test_a_french_or_russian_question_about_a_place_the_documents_never_name_is_refused(core: AnswerCore) -> None:
    # One name missing across languages is not trusted ("Moyen-Orient" is the Middle East), unless
    # it is a place whose names in every language are known and none is in the documents.
    for question in ("Qu'est-ce que Le Drian a dit de la Chine ?", "Что Лавров говорил о Китае?",
                     "Qui a reçu Lavrov à Londres ?", "Что Шойгу обсуждал в Берлине?"):
        refused = core.ask(question)
        assert refused.refusal == "unknown_name", (question, refused.answer)
    # opening the question: a capital after an elided article is the name's; a place is a name
    assert analyse("L'Allemagne était-elle du sommet ?").names == ("Allemagne",)
    for question in ("L'Inde a-t-elle été évoquée ?", "Китай упоминали в Москве?"):
        refused = core.ask(question)
        assert refused.refusal == "unknown_name", (question, refused.answer)
    germany = core.ask("Quels pays font partie des quatre de Normandie avec l'Allemagne ?")
    assert germany.answered and "Germany" in germany.sentences()[0], germany.answer
    assert core.ask("Что министры сказали про Ближний Восток в 2021-м?").refusal != "unknown_name"


def test_a_place_of_several_words_is_one_name_said_by_its_words_side_by_side(core: AnswerCore) -> None:
    # one name, looked for under its names ("Corée" and "Sud" apart had the consonants of words
    # the documents write)
    assert analyse("Et l'Arabie saoudite, ils en ont parlé ?").names == ("Arabie saoudite",)
    refused = core.ask("Les ministres ont-ils abordé la Corée du Sud ?")
    assert refused.refusal == "unknown_name" and "Corée du Sud" in refused.answer, refused.answer
    assert Vocabulary(["the U.S. administration"]).mentions("United States")
    assert Vocabulary(["the European Union countries"]).mentions("European Union")
    # its words side by side, not apart: "south-east of Ukraine" and "Africa" say no South Africa
    apart = Vocabulary(["the conflict in the south-east of Ukraine", "operations in the Middle East and Africa"])
    assert apart.mentions("Africa") and not apart.mentions("South Africa")
    assert Vocabulary(["Syria and Northern Africa."]).mentions("Northern Africa")
    for question in ("What did they say about South Africa?", "what did they say about south africa?",
                     "A-t-on parlé de la République centrafricaine à Paris ?"):
        refused = core.ask(question)
        assert refused.refusal == "unknown_name", (question, refused.answer)


def test_the_passages_naming_a_place_are_searched_under_its_names(core: AnswerCore) -> None:
    # an acronym joined to a word is written too ("US-Russia dialogue": the United States, США)
    joined = Vocabulary(["They welcomed the resumption of US-Russia dialogue on strategic stability."])
    assert joined.mentions("United States") and joined.mentions("США", loose=True)
    # the passage naming a place the documents write otherwise joins what the search found: the
    # 2019 article's "U.S." for the United States (of the document naming 2019 too)
    us = core.ask("What did the 2019 article say about the United States?")
    assert us.answered and "U.S." in us.sentences()[0], us.answer
    usa = core.ask("Что в заявлении 2021 года сказано о США?")
    assert usa.answered and "US-Russia" in usa.sentences()[0], usa.answer
    # a French question about a place searches the passages naming it in the documents' language too
    libya = core.ask("Qu'écrit l'auteur de 2019 sur la Libye ?")
    assert libya.answered and "Libya" in libya.sentences()[0], libya.answer
