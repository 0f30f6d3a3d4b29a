"""A collection's proper names, so that a question typing them in lower case still names them.

People type "what did parly give shoigu" in a chat. `proper_names(texts)` finds the words a
collection writes only as names, and `ProperNames.capitalise` writes them in a question as the
collection does ("what did Parly give Shoigu"), so the question's names are found, checked and
matched as if it had been typed with capitals. Ordinary words are left alone: "day" stays a
word though the collection writes "Victory Day", and "json" stays one where the collection
also writes it in lower case.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.language import ACRONYMS, STOPWORDS
from index.text import fold, words


@dataclass(frozen=True)
class ProperNames:
    """A collection's names, folded -> as the collection writes them:

    - `words`: each written capitalised on its own within a sentence ("when Parly donated"), or
      at the start of one and also within a run of names ("Lavrov noted", "Sergey Lavrov"), and
      never in lower case: "parly" -> "Parly", "nato" -> "NATO"; not "day" (only ever in "Victory
      Day") nor "ministers" ("the two Ministers", but also "the ministers");
    - `phrases`: runs of two to four capitalised words within a sentence, and the runs within
      them ("red square" -> "Red Square", "mark esper" -> "Mark Esper" of "Defense Mark Esper");
    - `ordinary`: every word the collection also writes in lower case, folded ("plan", "day"):
      no one's name, whatever an answer capitalises ("Joint Comprehensive Plan of Action").
    """

    words: Mapping[str, str]
    phrases: Mapping[str, str]
    ordinary: frozenset[str] = frozenset()

    def __contains__(self, folded: object) -> bool:
        return folded in self.words

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def capitalise(self, text: str) -> str:
        """`text` with the names it types in lower case written as the collection writes them,
        and an acronym the collection writes in another language written as it does ("l'OTAN"
        -> "l'NATO" where the collection says NATO)."""
        if self._phrase is not None and len(text.lower()) == len(text):
            typed, pieces, at = text.lower(), [], 0
            for m in self._phrase.finditer(typed):
                if text[m.start():m.end()] == m.group():  # typed all in lower case
                    pieces += [text[at:m.start()], self.phrases[m.group()]]
                    at = m.end()
            text = "".join(pieces) + text[at:]
        text = _LOWER_WORD.sub(lambda m: self.words.get(fold(m.group()), m.group()), text)
        return _ACRONYM.sub(lambda m: self._acronym(m.group()), text)

    def _acronym(self, typed: str) -> str:
        """`typed` as the collection writes the same acronym, if it writes it otherwise."""
        same = _SAME_ACRONYM.get(typed.upper(), ())
        if not same or fold(typed) in self.words or fold(typed) in self.ordinary:
            return typed
        return next((self.words[fold(a)] for a in same if fold(a) in self.words), typed)

    @cached_property
    def _phrase(self) -> re.Pattern[str] | None:
        keys = sorted(self.phrases, key=len, reverse=True)  # the longest run first
        return re.compile("|".join(rf"(?<!\w){re.escape(k)}(?!\w)" for k in keys)) if keys else None


def proper_names(texts: Sequence[str]) -> ProperNames:
    """The names `texts` write only as names (see `ProperNames`)."""
    spellings: dict[str, Counter[str]] = {}  # folded word -> how it is written capitalised
    alone: set[str] = set()  # capitalised on its own within a sentence
    opening: set[str] = set()  # on its own at the start of a sentence
    in_runs: set[str] = set()  # in a run of capitalised words
    phrases: dict[str, Counter[str]] = {}
    lower: set[str] = set()

    def close(run: list[str], at_start: bool) -> None:
        for word in run:
            spellings.setdefault(fold(word), Counter())[word] += 1
        if len(run) == 1:
            (opening if at_start else alone).add(fold(run[0]))
            return
        if at_start and fold(run[0]) in STOPWORDS:  # "The Ministers", "In Paris"
            run = run[1:]
        in_runs.update(fold(w) for w in run)
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + 4) + 1):
                if fold(run[i]) not in STOPWORDS:
                    phrases.setdefault(fold(" ".join(run[i:j])), Counter())[" ".join(run[i:j])] += 1

    for text in texts:
        run: list[str] = []
        run_start, end = False, 0
        for word, offset in [*words(text), ("", len(text))]:
            # A word opens a sentence or line when what lies between it and the word before ends one.
            after_boundary = end == 0 or _BREAK.search(text, end, offset) is not None
            capitalised = word[:1].isupper() and len(word) > 1 and not any(ch.isdigit() for ch in word)
            if capitalised and run and not after_boundary and not text[end:offset].strip():
                run.append(word)
            else:
                close(run, run_start)
                run, run_start = ([word], after_boundary) if capitalised else ([], False)
            if word[:1].islower():
                lower.add(fold(word))
            end = offset + len(word)
    names = (alone | opening & in_runs) - lower - STOPWORDS
    return ProperNames({w: spellings[w].most_common(1)[0][0] for w in names},
                       {p: c.most_common(1)[0][0] for p, c in phrases.items() if not set(p.split()) <= lower},
                       frozenset(lower))


#: Between two words, what ends a sentence or line ("gc.disable()\nDisable …" opens one), or opens a
#: quotation, a code comment or a prompt ("# Demonstrate …", '"Send …').
_BREAK = re.compile(r"[.!?:;|–—¶\n#>“«\"]")
#: An acronym as people type it: in capitals, or one of four letters or more in lower case ("otan").
_ACRONYM = re.compile(r"(?<!\w)(?:[A-ZА-ЯЁ]{2,}|[a-zа-яё]{4,})(?!\w)")
#: Each acronym of bot.language.ACRONYMS -> its group (the same thing in the three languages).
_SAME_ACRONYM = {a: group for group in ACRONYMS for a in group}
#: A word written in lower case.
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-zà-ÿа-яё][\w’-]*")


__all__ = ["ProperNames", "proper_names"]
