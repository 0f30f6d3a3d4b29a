"""What the Russian dictionary says of a word: an ordinary word or a name.

A question in Russian capitalises the ordinary words of a name ("Совет Безопасности", "Ближний
Восток") and, typed in lower case, writes names as words ("обама", "ангела меркель"). Whether
such a word is a name, the collection cannot say when it never mentions it; the Russian
dictionary (pymorphy3 with OpenCorpora, shipped in its wheel) can. It loads in ~0.1 s, on the
first word in Cyrillic asked about, and never for English or French text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from index.text import is_cyrillic

#: The tags of a Russian dictionary's parse that make a word a name (OpenCorpora's grammemes): a
#: first name, surname, patronymic, place, organisation, trade mark, abbreviation, initial.
_NAME_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init")


def ordinary_russian(word: str) -> bool:
    """Whether the Cyrillic `word` is an ordinary word of Russian, written with a capital as Russian
    writes the words of a name that are no names ("Ближний Восток", "Совет Безопасности"): the
    Russian dictionary (pymorphy3, OpenCorpora) knows it, and no parse of it is a name ("Клер" may
    be the noun or Claire). *К чему министры призвали постоянных членов Совета Безопасности ООН?*
    was refused as naming "Совета", "Безопасности", which the documents never mention (they say
    "UN Security Council"), and answered right typed in lower case. Training: two more right as
    written (tr-ru-959, tr-ru-960), none lost, none changed in lower case; with the dictionary's
    most likely parse alone, *Кто такая Клер Ланде?* was lost (2026-12-05)."""
    parses = _parses(word)
    return bool(parses) and all(grammemes.isdisjoint(_NAME_TAGS) for grammemes in parses)


#: The tags of a parse that make a word someone's or somewhere's name, whatever its capitals.
_PERSON_OR_PLACE = ("Name", "Surn", "Patr", "Geox")


def russian_name(word: str) -> bool:
    """Whether the Cyrillic `word`, typed in lower case, is a name in every parse the Russian
    dictionary knows of it ("обама", "меркель", "токио", "израиле"; not "роза", "надежда", a noun
    too, nor "путин", which it also parses as a plural noun). `bot.proper_names` capitalises it in
    a Russian question typed in lower case, and a first name before it (`russian_first_name`), as
    for the collection's own names: *обама?* after a question is refused as *Обама?* is. Training:
    two more right in lower case (tc2-chain-18-2, tr-ru-942), none lost, none changed as written;
    without the first names, *что ангела меркель сказала в париже?* was lost (2026-12-05)."""
    parses = _parses(word)
    return bool(parses) and all(not grammemes.isdisjoint(_PERSON_OR_PLACE) for grammemes in parses)


def russian_first_name(word: str) -> bool:
    """Whether the Cyrillic `word` is most likely a first name ("ангела" before "Меркель")."""
    return is_cyrillic(word) and "Name" in _russian().parse(word)[0].tag.grammemes


def lemmas(word: str) -> frozenset[str]:
    """The dictionary forms of the Cyrillic `word` ("Китае" -> "китай", "Германию" -> "германия");
    empty for a word the Russian dictionary does not know, or one not in Cyrillic."""
    if not is_cyrillic(word) or not _russian().word_is_known(word):
        return frozenset()
    return frozenset(parse.normal_form for parse in _russian().parse(word))


@functools.lru_cache(maxsize=4096)
def _parses(word: str) -> tuple[frozenset[str], ...]:
    """The grammemes of each parse the Russian dictionary knows of the Cyrillic `word`; () for a
    word it does not know, or one not in Cyrillic. Remembered: questions repeat their words."""
    if not is_cyrillic(word):
        return ()
    analyser = _russian()
    if not analyser.word_is_known(word):
        return ()
    return tuple(frozenset(parse.tag.grammemes) for parse in analyser.parse(word))


@functools.cache
def _russian() -> Any:  # pymorphy3.MorphAnalyzer: loads in ~0.1 s, and only for a word in Cyrillic
    import pymorphy3
    return pymorphy3.MorphAnalyzer()


#: A word in lower case in Cyrillic before a capitalised one ("ангела Меркель").
_BEFORE_A_NAME = re.compile(r"(?<![\w-])[а-яё]+(?=\s+[А-ЯЁ])")


def capitalise_first_names(text: str) -> str:
    """`text` with each word in lower case before a capitalised one capitalised when the
    dictionary most likely reads it as a first name: "ангела Меркель" names Angela Merkel, as
    "обама" (`russian_name`) names Obama."""
    return _BEFORE_A_NAME.sub(lambda m: _capitalised(m.group()) if russian_first_name(m.group()) else m.group(), text)


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]
