"""Composing an extractive answer: the chosen sentences, each followed by its passage's [n]."""

from __future__ import annotations

import re

from bot.answering.evidence import Candidate
from bot.models import Citation


def compose(chosen: list[Candidate], candidates: list[Candidate],
            shown: tuple[str, ...] = ()) -> tuple[str, list[Citation]]:
    """The answer text with [n] markers, and its citations in marker order.

    A sentence that leans on the one before it ("He also praised ...", a short "French colleagues
    agreed with him.", "Such a statement was made by …": `_refers_back`) brings it along (and that
    one the one before it, when it leans back too: up to `_LEANING`), and one that announces what
    follows ("On Windows, run:", a signature "textwrap.dedent(text)¶") brings the line after it,
    so the answer reads on its own; a chosen sentence already brought along is not repeated, nor
    is one the reader was `shown` just before ("Tell me more" reads on from them)."""
    order: list[str] = []
    best: dict[str, float] = {}
    passages = {}
    parts: list[str] = []
    used: set[tuple[str, int]] = {(c.passage.chunk_id, c.index) for c in candidates
                                  if any(c.text in s for s in shown)}
    for item in chosen:
        passage = item.passage
        if (passage.chunk_id, item.index) in used:  # the sentence before brought it along already
            continue
        if passage.chunk_id not in passages:
            passages[passage.chunk_id] = passage
            order.append(passage.chunk_id)
        best[passage.chunk_id] = max(best.get(passage.chunk_id, 0.0), item.similarity)
        n = order.index(passage.chunk_id) + 1
        text = item.text
        at = item
        while leans_back(at) and (passage.chunk_id, at.index - 1) not in used \
                and item.index - at.index < _LEANING:
            before = _sentence(candidates, passage.chunk_id, at.index - 1)
            if before is None or before.fragment or before.bare:  # a heading or a caption is leant on by no one
                break
            text = f"{before.text} {text}"
            used.add((passage.chunk_id, at.index - 1))
            at = before
        used.add((passage.chunk_id, item.index))
        after = announced_line(item, candidates)
        if after is not None and (passage.chunk_id, after.index) not in used:
            text = f"{text} {after.text}"
            used.add((passage.chunk_id, after.index))
        parts.append(f"{text} [{n}]")
    citations = [
        Citation(n, p.source, p.title, p.text, p.chunk_id, round(best[p.chunk_id], 4), p.start, p.end)
        for n, p in enumerate((passages[i] for i in order), 1)
    ]
    return " ".join(parts), citations


def leans_back(candidate: Candidate) -> bool:
    """Whether `candidate` leans on the sentence before it, which an answer then brings along."""
    return bool(candidate.dangling) or _refers_back(candidate.text)


def _refers_back(text: str) -> bool:
    """Whether `text` is a short sentence with *him*, *her* or *them* (*avec lui*, *с ним* …): too
    short to name whom it means, so the sentence before does ("French colleagues agreed with him."),
    or one that opens with *such*, *these* or *those* (*de telles*, *такое* …), whose subject is
    what the sentence before said ("Such a statement was made by … Shoigu")."""
    return (len(text.split()) <= _SHORT and _OBJECT_PRONOUN.search(text) is not None
            or _SUCH.match(text) is not None)


#: At most this many sentences before a chosen one are brought along, each because the one after it
#: leans on it ("Lavrov noted: …" before "French colleagues agreed with him." before "He also
#: praised …"): 2 answered one more training follow-up than 1 (*What did he say about the Iran
#: deal?* after *Who is Lavrov?*) and lost none (393 questions); 3 changed no answer. A heading,
#: caption or signature line is never brought along ("tomllib — Parse TOML files¶" before "This
#: module provides …"; no training verdict changed, one answer lost a "Source code: Lib/tomllib").
_LEANING = 2

#: Words of a sentence short enough to name no one its pronoun could mean. No length changed a
#: training answer's verdict (376 questions): 8 brings the sentence before to three answers, no
#: limit to six more ("Among them, analysts called …" after "According to experts, …"), longer.
_SHORT = 8
_OBJECT_PRONOUN = re.compile(r"\b(?:him|her|them)\b|\b(?:avec|à|pour|de|contre|selon) (?:lui|elle|eux|elles)\b"
                             r"|(?<!\w)(?:с|к|для|у|о|против|по) (?:ним|ней|ними|нему|неё|него)(?!\w)",
                             re.IGNORECASE)


#: "Such a statement …", "These measures …", "De telles mesures …", "Такое заявление …". Composing
#: only (the ranker's `dangling` signal is unchanged): one more training answer right, tr-fr-702,
#: none lost (376 questions); as a `dangling` opening as well, one near miss answered (en-063).
_SUCH = re.compile(r"(?:such|these|those|une? tel(?:le)?s?|de tel(?:le)?s|такое|такая|такой|такие|подобн\w+)\b",
                   re.IGNORECASE)


def announced_line(item: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """The line after `item` that composing brings along with it, when `item` announces it
    (`_announces`) and it is no signature of its own (an alias's)."""
    if not _announces(item.text):
        return None
    after = _sentence(candidates, item.passage.chunk_id, item.index + 1)
    return after if after is not None and _SIGNATURE.fullmatch(after.text.strip()) is None else None


def _announces(text: str) -> bool:
    """Whether `text` announces the line after it: it ends with a colon ("On Windows, run:"), or
    it is the signature that heads a function's description ("textwrap.dedent(text)¶")."""
    return text.rstrip().endswith(":") or _SIGNATURE.fullmatch(text.strip()) is not None


#: A function's or class's signature standing alone as a line of reference documentation.
_SIGNATURE = re.compile(r"(?:class\s+)?[\w.]+\((?:[^()]|\([^()]*\))*\)(?:\s*->\s*[^¶]+?)?\s*¶?")


def _sentence(candidates: list[Candidate], chunk_id: str, index: int) -> Candidate | None:
    """The sentence at position `index` of passage `chunk_id`, if it is among `candidates`."""
    return next((c for c in candidates if c.passage.chunk_id == chunk_id and c.index == index), None)
