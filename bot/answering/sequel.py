"""The sentence that says what the answer's first sentence only announces (`announced`).

A first sentence may announce what the next one says: a list ("… there really are many issues
on which Paris and Moscow can effectively cooperate.", then "Among them, analysts called the
fight against terrorism …"), or a topic it names and says nothing of ("One of the central topics
of negotiations in Moscow was the situation around Iran.", then "Moscow and Paris have confirmed
that they are committed to maintaining the Joint Comprehensive Plan of Action …"). Alone it
answers nothing, so the next sentence of its passage follows it, whatever its score.
"""

from __future__ import annotations

import re

from bot.answering.evidence import Candidate
from bot.answering.question import Question
from bot.language import content_tokens
from index.text import has_word, word_stems, words

#: A sentence opening like this gives the list the one before it announced.
_TAKES_UP_A_LIST = re.compile(r"(?:among (?:them|these|those)|of (?:them|these)|(?:these|they) include"
                              r"|parmi (?:eux|elles|ceux-ci|celles-ci)|среди (?:них|которых))(?!\w)", re.IGNORECASE)
#: What a sentence announcing a topic says besides its names: that it was a topic, discussed or
#: raised at a meeting (read as `word_stems`: the same word, or its first five letters).
_ANNOUNCING = word_stems(
    "topic topics theme central main issue issues question questions situation conflict matter agenda"
    " negotiations talks meeting ministers negotiators discussed raised addressed among around regard"
    " sujet sujets thème centrale principal situation conflit négociations réunion discussions ministres"
    " discuté abordé évoqué soulevé autour"
    " тема темы темой центральной главной вопрос вопросы ситуация ситуации конфликт переговоры переговоров"
    " встреча встрече министры обсуждали обсуждалась поднимался поднят вокруг")


def announced(best: Candidate, candidates: list[Candidate], question: Question) -> Candidate | None:
    """The sentence right after `best` in its passage when `best` only announces what it says:
    - it gives the list `best` announces, opening by taking it up (`_TAKES_UP_A_LIST`). One more
      training follow-up right as written and in lower case, none lost (2026-12-04). A sentence
      ending with a colon followed by the next too: one fewer on the Python pages, whose "…: A
      shallow copy …" announces two;
    - or `best` names a topic and says nothing of it (`announces_a_topic`), and no one acts in the
      question: what "Lavrov" said of the Iran deal is his own sentence, not the one after the
      topic. Two more training follow-ups right as written and in lower case (*а про Иран?*,
      *and back in 2019?*), none lost (2026-12-05); for every question, what Lavrov said of the
      Iran deal lost its place (−2).
    None otherwise."""
    topic = not question.subject and announces_a_topic(best.text, question.search)
    return next((c for c in candidates if c.passage.chunk_id == best.passage.chunk_id and c.index == best.index + 1
                 and (topic or _TAKES_UP_A_LIST.match(c.text))), None)


def announces_a_topic(sentence: str, asked: str = "") -> bool:
    """Whether `sentence` only says that what it names was a topic ("Among the topics raised at the
    meeting was the conflict in Ukraine.", "The ministers discussed the situation in Syria and
    Northern Africa."): every word of it that is no name, number or stop word says so, or is a
    word of what was `asked` ("… the situation around bluefin tuna." to "And bluefin tuna?")."""
    said = [t for w, _ in words(sentence) if not w[:1].isupper() and not any(ch.isdigit() for ch in w)
            for t in content_tokens(w)]
    topic = word_stems(asked)
    return bool(said) and all(has_word(w, _ANNOUNCING) or has_word(w, topic) for w in said)


__all__ = ["announced", "announces_a_topic"]
