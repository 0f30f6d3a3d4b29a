"""A place by its names in other languages: "Allemagne" and "Германии" are Germany, "Chine" and
"Китае" are China, "Londres" and "Лондоне" are London.

A question in French or Russian names places as its language does, and the documents as theirs
do. Matching a name's consonants (`bot.vocabulary.skeleton`) finds "Biélorussie" in "Belarus" but
not "Allemagne" in "Germany", and cannot tell that "Chine" is a place the documents never mention
rather than one they write otherwise. The Unicode CLDR names every country and region, and the
cities its time zones are named after, in every language; Babel ships its data. `other_names`
gives a place's names in the languages citebot answers in (`LANGUAGES`); a Russian name in any
case is its dictionary form first (`bot.russian.lemmas`: "Китае" -> "Китай").
"""

from __future__ import annotations

import functools

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


class _Places:
    """Each place's names (`names`, by CLDR code or time zone) and the places a folded name names."""

    def __init__(self) -> None:
        from babel import Locale  # loaded on the first look-up (~45 ms): a name in another language, or one opening a question
        self.names: dict[str, set[str]] = {}
        for code in LANGUAGES:
            locale = Locale(code)
            for territory, name in locale.territories.items():
                self.names.setdefault(territory, set()).add(name)
            for zone, shown in locale.time_zones.items():
                if zone.startswith(_CITY_ZONES) and "city" in shown:
                    self.names.setdefault(zone, set()).add(shown["city"])
        for zone in list(self.names):  # a city's English name is its time zone's: "America/New_York"
            if "/" in zone:
                self.names[zone].add(zone.rsplit("/", 1)[1].replace("_", " "))
        self.by_name: dict[str, set[str]] = {}
        for place, names in self.names.items():
            for name in names:
                self.by_name.setdefault(fold(name), set()).add(place)


@functools.cache
def _places() -> _Places:
    return _Places()
