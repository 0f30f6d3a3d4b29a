"""The offline answerer: the retrieved sentences that best answer the question, each cited.

No language model: every word of an answer is a sentence of a document. Sentences of the
retrieved passages are scored by their embedding similarity to the question (vectors
computed at indexing time) plus a small bonus for sharing the question's words. The best
ones, if the evidence is strong enough, become the answer, each followed by the [n] of its
passage. A sentence that opens with a pronoun ("He also praised...") brings the sentence
before it along, so the answer reads on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.language import Vocabulary, content_tokens, ends_sentence, key_terms, language
from bot.retrieval import Passage
from index.text import tokens

# Weights chosen on tests/gold.jsonl and bench/gold.jsonl (see bench/README.md).
LEXICAL_WEIGHT = 0.08
FOCUS_WEIGHT = 0.3
NAME_PENALTY = 0.3
#: Other sentences must score within this of the best one to join the answer.
SPREAD = 0.025
_DANGLING = re.compile(
    r"^(?:he|she|they|his|her|their|in response|in turn)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Evidence:
    """A sentence of a retrieved passage, with how well it answers the question."""

    passage: Passage
    text: str
    start: int  # offsets in the document
    end: int
    similarity: float
    score: float
    vector: np.ndarray
    index: int  # position of the sentence within its passage
    #: Not a sentence (a byline, caption or heading: no final punctuation) and, in the question's
    #: language, sharing no word or name with it: it may answer ("Who wrote the article?") but
    #: never joins another answer ("What is MH17?" does not want the article's byline).
    bare: bool = False


def gather_evidence(
    query: str, query_vector: list[float], passages: list[Passage], sentences: Any,
    focus_vector: list[float] | None = None, idf: dict[str, float] | None = None,
    names_vector: list[float] | None = None,
) -> list[Evidence]:
    """Score every sentence of `passages` (sentences: the generation's sentence collection).

    `focus_vector` embeds the question without its names ("What did ... give ...?"): names
    pull every sentence that mentions them closer, so similarity to the rest of the question
    is what tells the answer from a sentence that merely mentions the same people. With
    `names_vector` (the names alone: "Parly Shoigu"), a sentence loses NAME_PENALTY times what
    it resembles the names more than the rest of the question: "Such a statement was made by
    ... Shoigu ... Parly" no longer outranks "Parly donated to Minister Shoigu a photograph".
    `idf` weighs shared words by rarity, so "newspaper" counts for more than "meeting".
    """
    if not passages:
        return []
    by_id = {p.chunk_id: p for p in passages}
    found = sentences.get(where={"chunk_id": {"$in": list(by_id)}}, include=["embeddings", "metadatas", "documents"])
    if not found["ids"]:
        return []
    vectors = np.asarray(found["embeddings"], dtype=np.float32)
    similarities = vectors @ np.asarray(query_vector, dtype=np.float32)
    focus = vectors @ np.asarray(focus_vector, dtype=np.float32) if focus_vector is not None else similarities
    if names_vector is not None and focus_vector is not None:
        penalties = NAME_PENALTY * np.maximum(0.0, vectors @ np.asarray(names_vector, dtype=np.float32) - focus)
    else:
        penalties = np.zeros(len(vectors), dtype=np.float32)
    terms = key_terms(query)
    asked_in = language(query)
    wanted = set(content_tokens(query)) - set(content_tokens(" ".join(terms)))
    weight = {w: (idf or {}).get(w, 1.0) if idf else 1.0 for w in wanted}
    total = sum(weight.values())
    evidence = []
    for sentence_id, text, meta, vector, similarity, focus_similarity, penalty in zip(
        found["ids"], found["documents"], found["metadatas"], vectors, similarities, focus, penalties
    ):
        passage = by_id[meta["chunk_id"]]
        if text.startswith("#") or text == passage.title:  # a heading restates the topic; it answers nothing
            continue
        have = set(tokens(text))
        overlap = sum(weight[w] for w in wanted if w in have or any(h.startswith(w[:5]) for h in have if len(w) >= 5))
        lexical = overlap / total if total else 0.0
        # Judged in the question's language only: across languages no words are shared anyway.
        bare = (not ends_sentence(text) and not overlap and asked_in == language(text)
                and not _mentions_any(text, terms))
        score = ((1 - FOCUS_WEIGHT) * float(similarity) + FOCUS_WEIGHT * float(focus_similarity)
                 + LEXICAL_WEIGHT * lexical - float(penalty))
        evidence.append(Evidence(
            passage, text, meta["start"], meta["end"], float(similarity), score, vector,
            int(sentence_id.rsplit(":", 1)[1]),
            bare=bare,
        ))
    evidence.sort(key=lambda e: -e.score)
    return evidence


def _mentions_any(text: str, terms: list[str]) -> bool:
    """Whether `text` names one of `terms` (in any script: Париже / Paris)."""
    vocabulary = Vocabulary([text])
    return any(vocabulary.mentions(t) for t in terms)


def select(evidence: list[Evidence], limit: int) -> list[Evidence]:
    """The best sentence, and up to `limit - 1` others nearly as good that add something new."""
    if not evidence:
        return []
    chosen = [evidence[0]]
    for candidate in evidence[1:]:
        if len(chosen) >= limit or candidate.score < evidence[0].score - SPREAD:
            break
        if candidate.bare:
            continue
        if all(float(candidate.vector @ c.vector) < 0.95 for c in chosen):
            chosen.append(candidate)
    return chosen


def compose(chosen: list[Evidence], all_evidence: list[Evidence]) -> tuple[str, list[tuple[Passage, float]]]:
    """The answer text with [n] markers, and the cited passages in marker order."""
    cited: list[Passage] = []
    best: dict[str, float] = {}
    parts: list[str] = []
    used: set[tuple[str, int]] = set()
    for item in chosen:
        passage = item.passage
        if passage.chunk_id not in {p.chunk_id for p in cited}:
            cited.append(passage)
        best[passage.chunk_id] = max(best.get(passage.chunk_id, 0.0), item.similarity)
        n = next(i for i, p in enumerate(cited, 1) if p.chunk_id == passage.chunk_id)
        text = item.text
        if _DANGLING.match(text) and item.index > 0 and (passage.chunk_id, item.index - 1) not in used:
            before = next((e for e in all_evidence if e.passage.chunk_id == passage.chunk_id and e.index == item.index - 1), None)
            if before is not None:
                text = f"{before.text} {text}"
                used.add((passage.chunk_id, item.index - 1))
        used.add((passage.chunk_id, item.index))
        parts.append(f"{text} [{n}]")
    return " ".join(parts), [(p, best[p.chunk_id]) for p in cited]


def unsupported_terms(terms: list[str], chosen: list[Evidence]) -> list[str]:
    """The question's names and numbers that the passages of the chosen sentences never mention:
    "What did Lavrov say about Wagner?" is not answered by a passage on what the French ministers
    said about Wagner, nor "What did Shoigu give Parly in 2021?" by one about 2019."""
    cited = Vocabulary([e.passage.text for e in chosen])
    return [t for t in terms if not cited.mentions(t)]
