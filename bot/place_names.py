"""A place by its names in other languages: "Allemagne" and "Германии" are Germany, "Chine" and
"Китае" are China, "Londres" and "Лондоне" are London.

A question in French or Russian names places as its language does, and the documents as theirs
do. Matching a name's consonants (`bot.vocabulary.skeleton`) finds "Biélorussie" in "Belarus" but
not "Allemagne" in "Germany", and cannot tell that "Chine" is a place the documents never mention
rather than one they write otherwise. The Unicode CLDR names every country and region, and the
cities its time zones are named after, in every language; Babel ships its data. `other_names`
gives a place's names in the languages citebot answers in (`LANGUAGES`); a Russian name in any
case is its dictionary form first (`bot.russian.lemmas`: "Китае" -> "Китай"). `place_written`
and `written_places` write a place typed in lower case as the CLDR does ("north korea" -> "North
Korea", "in vienna" -> "in Vienna"), and `places_named` finds the places of several words a
question names ("Corée du Sud"), each one name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from bot.russian import lemmas
from index.text import fold, is_cyrillic

#: The languages whose names of places are read: those citebot answers questions in.
LANGUAGES = ("en", "fr", "ru")
#: The time zones named after a city (not "Etc/UTC", "Antarctica/Troll").
_CITY_ZONES = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")


@functools.lru_cache(maxsize=4096)  # asked for each sentence a question's name is looked for in
def other_names(name: str) -> frozenset[str]:
    """Every name, in `LANGUAGES`, of the place (or places) `name` names in one of them, `name`'s own
    among them; empty when `name` names no country, region or city that the CLDR knows."""
    places = _places()
    keys = {fold(name)}
    if is_cyrillic(name):
        keys |= {fold(lemma) for lemma in lemmas(name)}
    return frozenset(other for key in keys for place in places.by_name.get(key, ()) for other in places.names[place])


@functools.lru_cache(maxsize=4096)
def place_written(phrase: str, language: str) -> str | None:
    """The place `phrase` names in `language`, as the CLDR writes it ("corée du nord" -> "Corée du
    Nord" in French, "china" -> "China" in English), or None: `phrase` of two or more words
    naming a country, region or city, or of one word naming a country (no city: "christmas",
    "easter", "phoenix" name some; nor a macro-region: "world"). Only a place's name in the
    language asked in: the English name of Réunion is the French word for a meeting."""
    places = _places()
    key = fold(phrase)
    return (places.written if " " in key else places.countries).get(language, {}).get(key)


def written_places(text: str, language: str, word: Callable[[str], bool]) -> str:
    """`text` with the places it types in lower case in Latin letters written as the CLDR writes
    them (`place_written`): "did they bring up north korea?", "a-t-on parlé de l'arabie saoudite
    ?", "what about china?" name North Korea, Saudi Arabia and China, as typed with capitals
    (`bot.proper_names.ProperNames.capitalise`), so that one the documents never mention is
    refused as unknown. One word is a place only when it is no `word` (one the collection writes
    in lower case, a stop word) and names a country, or a city right after "in" or "à" (`_IN`)."""
    found = list(_LATIN_WORD.finditer(text))
    pieces, at, i = [], 0, 0
    while i < len(found):
        for n in (3, 2, 1):
            run = found[i:i + n]
            if len(run) < n or any(text[a.end():b.start()] != " " for a, b in zip(run, run[1:])):
                continue
            phrase = text[run[0].start():run[-1].end()]
            if n == 1 and word(phrase):
                continue
            written = place_written(phrase, language)
            if written is None and n == 1 and (after := _IN.get(language)) and after.search(text, 0, run[0].start()):
                written = _places().cities.get(language, {}).get(fold(phrase))
            if written is not None:
                pieces += [text[at:run[0].start()], written]
                at, i = run[-1].end(), i + n
                break
        else:
            i += 1
    return "".join(pieces) + text[at:]


#: "in", "à" just before a word: a city of one word is a place there ("in geneva", "à varsovie"),
#: not elsewhere ("at christmas", "to wake", "phoenix" and "easter" name CLDR cities too).
_IN = {"en": re.compile(r"(?<![\w'-])in $", re.IGNORECASE), "fr": re.compile(r"(?<![\w'-])à $", re.IGNORECASE)}
#: A word in lower-case Latin letters, on its own or after a French elision ("l'arabie").
_LATIN_WORD = re.compile(r"(?<![\w-])[a-zà-ÿœæ]+(?:-[a-zà-ÿœæ]+)*(?![\w-])")


def places_named(text: str, written: Sequence[tuple[str, int]], known: Callable[[str], bool]) -> dict[int, str]:
    """The places of two to four words `text` names ("Corée du Sud", "Arabie saoudite", "United
    States"), by the position of each of their words in `written` (`index.text.words(text)`): the
    place's name at its first word, "" at the others. One name, as the documents' "South Korea"
    or "U.S." is: "Corée" and "Sud" apart were matched by their consonants, and *Qu'ont-ils dit
    sur la Corée du Sud ?* was answered. Looked up only from a capitalised word not `known` (the
    collection's names, stop words), so a question naming only those looks up no place."""
    spans: dict[int, str] = {}
    for i, (word, offset) in enumerate(written):
        head = re.split(r"['’]", word)[-1]  # "l'Arabie saoudite"
        if i in spans or not head[:1].isupper() or known(head):
            continue
        for n in (4, 3, 2):
            run = written[i:i + n]
            if len(run) < n or any(text[a + len(w):b] != " " for (w, a), (_, b) in zip(run, run[1:])):
                continue
            phrase = text[offset + len(word) - len(head):run[-1][1] + len(run[-1][0])]
            if other_names(phrase):
                spans |= {i + k: "" for k in range(1, n)} | {i: phrase}
                break
    return spans


class _Places:
    """Each place's names (`names`, by CLDR code or time zone), the places a folded name names
    (`by_name`), and each folded name as the CLDR writes it (`written`; `countries`: the one-word
    names of countries only; `cities`: of cities only)."""

    def __init__(self) -> None:
        from babel import Locale  # loaded on the first look-up (~45 ms): a name in another language, or one opening a question
        named: list[tuple[str, str, str]] = []  # (language, place, name)
        for code in LANGUAGES:
            locale = Locale(code)
            named += [(code, territory, name) for territory, name in locale.territories.items()]
            named += [(code, zone, shown["city"]) for zone, shown in locale.time_zones.items()
                      if zone.startswith(_CITY_ZONES) and "city" in shown]
        # a city's English name is its time zone's ("America/New_York"), and so is its name in a
        # language in Latin letters that gives none (the CLDR's root: French names "Vienne", not Rome)
        zones = dict.fromkeys(place for _, place, _ in named if "/" in place)
        given = {(code, place) for code, place, _ in named}
        named += [(code, zone, zone.rsplit("/", 1)[1].replace("_", " ")) for zone in zones for code in ("en", "fr")
                  if code == "en" or (code, zone) not in given]
        self.names: dict[str, set[str]] = {}
        self.by_name: dict[str, set[str]] = {}
        self.written: dict[str, dict[str, str]] = {code: {} for code in LANGUAGES}
        self.countries: dict[str, dict[str, str]] = {code: {} for code in LANGUAGES}
        self.cities: dict[str, dict[str, str]] = {code: {} for code in LANGUAGES}
        for code, place, name in named:
            self.names.setdefault(place, set()).add(name)
            self.by_name.setdefault(fold(name), set()).add(place)
            if " " in name and fold(name.split()[0]) not in _ARTICLES:  # not "La Réunion": "la réunion" is a meeting
                self.written[code].setdefault(fold(name), name)
            elif len(place) == 2 and place.isalpha() and place not in _NO_COUNTRY and " " not in name:
                self.countries[code].setdefault(fold(name), name)
            elif "/" in place and " " not in name:
                self.cities[code].setdefault(fold(name), name)


#: Articles a place's name may open with ("La Réunion", "Le Caire", "The Bahamas").
_ARTICLES = frozenset({"la", "le", "les", "l", "the"})
#: Two-letter CLDR codes that name no country: the European Union, the eurozone, the United
#: Nations, outlying Oceania, pseudo-locales, an unknown region.
_NO_COUNTRY = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@functools.cache
def _places() -> _Places:
    return _Places()
