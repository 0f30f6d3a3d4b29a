"""What a sentence holds of what a question asks for (`holds`): a count for "how many", a date
for "when", a name for "who", a place for "where", a post beside the name asked about for "who
is", a byline for "who wrote". The ranker weighs it (`evidence.FEATURES`' "holds_type"), and the
checks `no_number` and `no_author` refuse an answer whose first sentence holds no such thing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.answer_type import CLOCK, names_a_month
from bot.language import MONTHS, STOPWORDS, SUM, YEAR, ends_sentence
from bot.posts import post_spans, posts_given
from bot.vocabulary import Vocabulary
from index.text import fold, tokens, words

if TYPE_CHECKING:  # question.py reads bylines with `is_byline`
    from bot.answering.question import Question

_COUNT_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds
    thousand thousands million millions billion billions dozen dozens deux trois quatre cinq six sept huit neuf
    dix vingt cent cents mille milliers million millions два две три четыре пять шесть семь восемь девять
    десять сто тысяча тысячи миллион""".split()
)
#: Determiners before a number word that make it a reference, not a count ("the two Ministers").
_DEFINITE = frozenset("the these those les ces nos leurs".split())


#: What else answers "when": a weekday, a time of day ("at six in the evening", "18:30", "9 am"), the
#: eve of something ("on the eve", "la veille", "накануне").
_WHEN_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays
    saturdays sundays morning afternoon evening night noon midnight tonight today tomorrow yesterday
    lundi mardi mercredi jeudi vendredi samedi dimanche matin soir midi minuit aujourd demain hier
    понедельник вторник среда среду четверг пятница пятницу суббота субботу воскресенье утром вечером днем
    полдень полночь сегодня завтра вчера eve veille накануне""".split()
)
#: A byline: a name of two to four capitalised words opening a line that is no sentence, then a
#: separator ("Stanislav IVANOV | Leading Researcher", "By Jane Doe, staff writer", "Автор: Иван Петров").
_BYLINE = re.compile(r"(?:(?:by|par|author|auteur|автор)\s*:?\s+)?[A-ZА-ЯЁ][\w'’-]+(?:\s+[A-ZА-ЯЁ][\w'’.-]+){1,3}"
                     r"\s*(?:[|,–—]|$)")


def is_byline(text: str) -> bool:
    return _BYLINE.match(text) is not None and not ends_sentence(text)


#: A sentence that says who wrote something.
_WRITTEN_BY = re.compile(r"\b(?:written by|authored by|the author|écrit par|l'auteur)\b|(?<!\w)(?:автор|написал)", re.I)


def _beside_month(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is a day of a month: a month name just before
    ("May 9") or just after ("9 May", "9 мая") it."""
    before = re.search(r"(\w+)\W{1,2}$", text[max(0, start - 15):start])
    after = re.match(r"\W{1,2}(\w+)", text[end:end + 15])
    return any(m is not None and fold(m.group(1)) in MONTHS for m in (before, after))


def introduces(text: str, names: tuple[str, ...]) -> bool:
    """Whether `text` gives one of `names` a post that says who they are (`bot.posts.post_spans`:
    "French Minister of the Armed Forces Florence Parly", "Stanislav IVANOV | Leading Researcher";
    not "Minister Shoigu"). A name in another script counts ("Шойгу", "Choïgou")."""
    return any(any(Vocabulary([" ".join(span)]).mentions(name, loose=True) for name in names)
               for span in post_spans(text, bare=False))


def holds(question: Question, text: str) -> float:
    """1.0 when `text` holds the kind of answer asked for (a count for "how many": a number
    that is no year, or a number word; a date for "when"; a name the question does not
    already give for "who", and for "where" one after a preposition of place; a byline or
    "written by" for "who wrote"), or when nothing in particular is asked; else 0.0."""
    kind = question.answer_type
    if kind == "other":
        return 1.0
    if kind == "number":
        # A year, a day of a month ("May 9", "1 January") or a number the question gives is no count.
        given = {n.strip(".,") for n in question.numbers}
        # A number of a sum ("the “2 + 2” format", "2+2") names a format, it counts nothing.
        sums = [m.span() for m in SUM.finditer(text)]
        found = ((m.group().strip(".,"), m) for m in re.finditer(r"(?<![\w+])\d[\d,.]*(?![\w+])", text)
                 if not any(start <= m.start() < end for start, end in sums))
        counts = [n for n, m in found
                  if not YEAR.fullmatch(n) and n not in given and not _beside_month(text, m.start(), m.end())]
        # A number word capitalised within a sentence is part of a name ("the Norman Four"), not
        # a count, and one after "the" refers to what was named before ("the two Ministers").
        written = [w for w, _ in words(text)]
        folded = [fold(w) for w in written]
        return float(bool(counts) or any(
            f in _COUNT_WORDS and (i == 0 or not written[i][:1].isupper() and folded[i - 1] not in _DEFINITE)
            for i, f in enumerate(folded)))
    if kind == "role":  # "Who is Florence Parly?": a post beside her name
        return float(introduces(text, question.meant or question.search_names))
    if kind == "author":  # a byline ("Stanislav IVANOV | Leading Researcher, ...") or "written by ..."
        return float(is_byline(text) or _WRITTEN_BY.search(text) is not None)
    if kind == "date":  # within the question's bound, if it sets one ("before 2021", "the next meeting")
        dated = (bool(YEAR.search(text) or CLOCK.search(text)) or names_a_month(text)
                 or any(t in _WHEN_WORDS for t in tokens(text)))
        return float(question.bound.met_by(text, dated) if question.bound else dated)
    if question.post:  # "Who is the president of France?": someone given that post
        return float(any(post in question.post and any(w[:1].isupper() for w in span)
                         for post, span in posts_given(text)))
    asked = {fold(n) for n in question.search_names}
    for word, at in words(text):  # "French colleagues agreed with him." answers "Who agreed?"
        folded = fold(word)
        if (word[:1].isupper() and folded not in asked and folded not in MONTHS and folded not in _WHEN_WORDS
                and folded not in STOPWORDS and (kind != "place" or _LOCATIVE.search(text, max(0, at - 30), at))):
            return 1.0
    return 0.0


#: What comes before a place's name: a preposition of place (and an article, and up to two
#: words of the name: "on Red Square", "в Москве", "à Paris") or a bracket ("(Paris, 12 November
#: 2021)"). "Emmanuel Macron" holds no place: *Куда он пригласил французских военных?* was
#: answered with a sentence naming Putin and Macron alone, and now has the parade on Red Square
#: in its answer; one more training answer right as written and in lower case, none lost.


_LOCATIVE = re.compile(r"\(\s*$|(?:^|[^\w])(?:in|at|on|to|from|near|à|au|aux|en|dans|sur|de|du|в|во|на|из|под)"
                       r"(?:\s+(?:the|le|la|les|l'))?\s+(?:[A-ZÀ-ÝА-ЯЁ][\w'’-]*\s+){0,2}$")
