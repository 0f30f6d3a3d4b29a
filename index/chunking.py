"""Split a document into passages that keep sentences whole.

Sentences are packed greedily into chunks of about `target` characters, preferring to end a
chunk where a paragraph ends. A sentence longer than the target (tables, run-on text) is cut
at whitespace. Each chunk records its character offsets in the document, so its text is a
verbatim slice, and an id derived from its source and content: re-indexing an unchanged
passage yields the same id, which is what makes embedding incremental.

Sentences are split within paragraphs, but a paragraph ending with a colon and the one line
after it that does not end like a sentence are one ("On Windows, run:" and the command): the
ranking then weighs what announces the command with the command. On the Python pages' training
questions, two more right (*Et comment je l'active sous Windows ?*, *Как открыть ссылку в новой
вкладке браузера из Python?*), none lost; none changed on the bundled corpus, which has no such
line. Joined to any one-sentence paragraph, a list's first item joined the line announcing it,
and *what's the difference between copy.copy and copy.deepcopy* was lost (2026-12-06).
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
    """Sentence spans, each flagged True when it ends its paragraph; over-long ones are cut. A
    paragraph ending with a colon and the one-sentence paragraph after it are one sentence (`_said`)."""
    paragraphs = [[piece for start, end in sentence_spans(text, p_start, p_end)
                   for piece in _cut(text, start, end, hard_limit)] for p_start, p_end in paragraph_spans(text)]
    out: list[tuple[tuple[int, int], bool]] = []
    for i, pieces in enumerate(paragraphs):
        if not pieces:
            continue
        after = paragraphs[i + 1] if i + 1 < len(paragraphs) else []
        if _said(text, pieces[-1], after, hard_limit):
            pieces[-1] = (pieces[-1][0], after[0][1])
            after.clear()
        out += [(piece, j == len(pieces) - 1) for j, piece in enumerate(pieces)]
    return out


def _said(text: str, last: tuple[int, int], after: list[tuple[int, int]], hard_limit: int) -> bool:
    """Whether `last`, a paragraph's last sentence, announces with a colon the paragraph `after`,
    one line that does not end like a sentence: a command ("On Windows, run:" and the line of the
    command), a value ("Author:" and a name) or code. Alone, neither says what to do. An item of a
    list it announces ends like a sentence and stays apart ("… compound objects:" and "A shallow
    copy constructs …", then "A deep copy …")."""
    return (text[last[1] - 1] == ":" and len(after) == 1 and after[0][1] - last[0] <= hard_limit
            and text[after[0][1] - 1] not in _SENTENCE_ENDS)


#: How a sentence of prose ends (an item of a list it announces does, a command or value does not).
_SENTENCE_ENDS = ".!?…"


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
