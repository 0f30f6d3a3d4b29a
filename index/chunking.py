"""Split a document into passages that keep sentences whole.

Sentences are packed greedily into chunks of about `target` characters, preferring to end a
chunk where a paragraph ends. A sentence longer than the target (tables, run-on text) is cut
at whitespace. Each chunk records its character offsets in the document, so its text is a
verbatim slice, and an id derived from its source and content: re-indexing an unchanged
passage yields the same id, which is what makes embedding incremental.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from index.text import paragraph_spans, sentence_spans

@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    #: (start, end) of each sentence, as offsets into the document (not the chunk).
    sentences: tuple[tuple[int, int], ...]


def chunk_text(text: str, source: str, title: str, target: int) -> list[Chunk]:
    spans = _sentences_with_breaks(text, hard_limit=int(target * 1.5))
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for (start, end), paragraph_ends in spans:
        if current and end - current[0][0] > target:
            groups.append(current)
            current = []
        current.append((start, end))
        if paragraph_ends and current[-1][1] - current[0][0] >= target // 2:
            groups.append(current)
            current = []
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for group in groups:
        start, end = group[0][0], group[-1][1]
        body = text[start:end]
        digest = hashlib.sha256(f"{source}\0{body}".encode()).hexdigest()
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        if occurrence:  # the same passage twice in one file still needs two ids
            digest = hashlib.sha256(f"{digest}\0{occurrence}".encode()).hexdigest()
        chunks.append(Chunk(digest[:16], source, title, body, start, end, tuple(group)))
    return chunks


def _sentences_with_breaks(text: str, hard_limit: int) -> list[tuple[tuple[int, int], bool]]:
    """Sentence spans, each flagged True when it ends its paragraph; over-long ones are cut."""
    out: list[tuple[tuple[int, int], bool]] = []
    for p_start, p_end in paragraph_spans(text):
        sentences = sentence_spans(text, p_start, p_end)
        for i, (start, end) in enumerate(sentences):
            pieces = list(_cut(text, start, end, hard_limit))
            for j, piece in enumerate(pieces):
                out.append((piece, i == len(sentences) - 1 and j == len(pieces) - 1))
    return out


def _cut(text: str, start: int, end: int, limit: int):
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        if cut <= start:
            cut = start + limit
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end
