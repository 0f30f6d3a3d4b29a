"""Follow-ups: what a question that leans on the conversation carries over from it.

"What did she give him?" after "What did Parly and Shoigu talk about?" is searched as
"What did Parly Shoigu give him?". What is carried: the previous question's own names
and what it carried itself, so a chain keeps its subject ("Et pour en sortir ?" after "Et
comment je l'active sous Windows ?", which carried the virtual environment); after a "Who…?"
question, the two rarest names its *answer* brought in ("What was his post?" after "Who did
Claire Landais negotiate with?" means Patrushev); when there are no names at all, the previous
search's content words. "And about Syria?" after "What did Lavrov say about Iran?" is searched
as "What did Lavrov say about Syria?": what the previous question was about is replaced. A
question that stands on its own (no pronoun, no "and
…", words of its own) carries nothing, so a new topic is never polluted by old context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.language import STOPWORDS, answer_type, content_tokens, is_follow_up, key_terms
from index.text import fold, words
from bot.models import Turn

#: At most this many of the previous answer's own names are carried over.
ANSWER_NAMES = 2
#: At most this many of what the previous question carried itself are carried on.
CARRIED_BY_PREVIOUS = 6


def resolve(text: str, names: Sequence[str], history: Sequence[Turn]) -> tuple[bool, tuple[str, ...], str]:
    """(whether `text` leans on the conversation, the names or words it carries over, the search).

    The search is the question with its first personal pronoun replaced by what is carried
    ("What did she give him?" -> "What did Florence Parly Shoigu give him?": it reads as a
    question about them), or, with no such pronoun ("And about Syria?"), the question after it."""
    leaning = is_follow_up(text) or not own_words(text)  # "Why?" and "Where exactly?" lean on it too
    if not leaning or not history:
        return leaning, (), text
    previous = history[-1]
    if names and _ABOUT_ELLIPSIS.match(text):  # "And about Syria?": Syria replaces what it was about
        rewritten = _new_topic(previous.search_query or previous.question, names)
        if rewritten is not None:
            return True, tuple(n for n in key_terms(rewritten) if n not in names), rewritten
    # The previous question's own names; when it had none ("Who did she meet?"), its search's.
    own = key_terms(previous.question) or key_terms(previous.search_query)
    # Whom an answer to "Who…?" named is whom the next "he" or "she" most likely means.
    introduced = previous.names[:ANSWER_NAMES] if answer_type(previous.question) == "person" else ()
    carried = ([*own, *introduced, *_carried_by(previous)]  # and what it carried itself: a chain keeps its subject
               or content_tokens(previous.search_query or previous.question)[:6])
    mine = {name.lower() for name in names}
    carried = list(dict.fromkeys(term for term in carried if term.lower() not in mine))
    if not carried:
        return True, (), text
    pronoun = next(((w, at) for w, at in words(text) if set(fold(w).split("-")) & _PERSONAL), None)
    if pronoun is None:
        search = f"{' '.join(carried)} {text}"
    else:
        word, at = pronoun
        search = f"{text[:at]}{' '.join(carried)}{text[at + len(word):]}"
    return True, tuple(carried), search


def own_words(text: str) -> list[str]:
    """The content words of `text` that say what is asked: not "exactly" or "else", which only
    ask more about what was asked before ("Where exactly?", "What else?")."""
    return [t for t in content_tokens(text) if t not in _ELLIPTIC]


#: Words that ask more about the question before ("Where exactly?", "Quoi d'autre ?", "А именно?").
_ELLIPTIC = frozenset("exactly precisely specifically else exactement precisement autre именно точно конкретно ещё еще".split())


def _carried_by(turn: Turn) -> list[str]:
    """What `turn`'s search carried over from before it: its words that its question lacks."""
    if not turn.search_query or turn.search_query == turn.question:
        return []
    asked = {fold(w) for w, _ in words(turn.question)}
    return list(dict.fromkeys(w for w, _ in words(turn.search_query)
                              if fold(w) not in asked and fold(w) not in STOPWORDS and len(w) > 1))[:CARRIED_BY_PREVIOUS]


def _new_topic(asked: str, names: Sequence[str]) -> str | None:
    """`asked` ("What did Lavrov say about Iran?") with the names after its "about" replaced by
    `names` ("What did Lavrov say about Syria?"); None if no name stands after an "about"."""
    found = _ABOUT.search(asked)
    if found is None:
        return None
    replaced = [name for name in key_terms(asked) if asked.find(name, found.end()) >= 0]
    if not replaced:
        return None
    head, tail = asked[:found.end()], asked[found.end():]
    for i, name in enumerate(replaced):  # the whole word: "Iran", not the start of "Iranian"
        tail = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ".join(names) if i == 0 else "", tail, count=1)
    return head + re.sub(r"\s{2,}", " ", tail)


_PREPOSITIONS = r"(?:about|regarding|concerning|sur|concernant|à propos d[e'’]|au sujet d[e'’]|про|о|об|насчёт|насчет)"
#: "About" in a question, in English, French or Russian.
_ABOUT = re.compile(rf"(?<!\w){_PREPOSITIONS}(?!\w)", re.IGNORECASE)
#: A follow-up that names a new topic: "And about Syria?", "What about Libya?", "Et sur la Syrie ?", "А про Афганистан?"
_ABOUT_ELLIPSIS = re.compile(rf"\W*(?:(?:and|et|а|и)\s+)?(?:(?:what|how)\s+)?{_PREPOSITIONS}(?!\w)", re.IGNORECASE)


#: Pronouns that stand for people (things, "it" and "this", keep the names in front instead).
_PERSONAL = frozenset("""he she they him her them his hers their il elle ils elles lui eux leur
он она они его её ее ему ей их им ним ней нему""".split())
