"""Telegram HTML rendering: answers, passages and document lists, split into sendable parts.

Everything that comes from documents or users is escaped. A message is first built as a list of
`Span`s (plain text, optionally wrapped in one tag); long messages are split on the *plain* text,
at a paragraph, line, sentence or word boundary, and only then is each part escaped and wrapped.
A span cut in two is closed at the end of one part and reopened at the start of the next, so no
part ever holds a broken tag and every part stays within Telegram's 4,096-character limit.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import Answer, Citation
from bot.telegram.texts import Texts

if TYPE_CHECKING:
    from bot.core import DocumentInfo

#: Telegram's limit on a message's text after entity parsing (counted here in UTF-16 code units,
#: which is never less than Telegram's own count).
MESSAGE_LIMIT = 4096
#: Button labels longer than this are shortened with an ellipsis.
BUTTON_LABEL_CHARS = 48

_SOURCE_PREFIX = "src:"
_SOURCE_DATA = re.compile(r"src:([0-9a-f]{16})")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?=\s)")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True)
class Span:
    """A run of plain text, optionally wrapped in one Telegram HTML tag (e.g. "b", "i",
    "blockquote expandable")."""

    text: str
    tag: str = ""


def escape(text: str) -> str:
    """Escape text for Telegram HTML (`&`, `<`, `>`; quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit Telegram's limits are measured in."""
    return len(text.encode("utf-16-le")) // 2


def render(spans: Sequence[Span], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Render spans as Telegram HTML messages, each holding at most `limit` characters of text."""
    text = "".join(span.text for span in spans)
    bounds: list[tuple[int, int, str]] = []
    position = 0
    for span in spans:
        bounds.append((position, position + len(span.text), span.tag))
        position += len(span.text)
    parts = []
    for start, end in _part_ranges(text, limit):
        pieces = []
        for span_start, span_end, tag in bounds:
            piece = text[max(start, span_start) : min(end, span_end)]
            if not piece:
                continue
            if tag and piece.strip():
                name = tag.split()[0]
                pieces.append(f"<{tag}>{escape(piece)}</{name}>")
            else:
                pieces.append(escape(piece))
        parts.append("".join(pieces))
    return parts


def _part_ranges(text: str, limit: int) -> list[tuple[int, int]]:
    """Cut `text` into [start, end) ranges without leading or trailing whitespace, each at most
    `limit` UTF-16 units long, preferring paragraph, then line, sentence and word boundaries."""
    ranges = []
    start = _skip_space(text, 0)
    while start < len(text):
        end = _fitting_end(text, start, limit)
        if end < len(text):
            end = _best_cut(text, start, end)
        stripped_end = end
        while stripped_end > start and text[stripped_end - 1].isspace():
            stripped_end -= 1
        ranges.append((start, stripped_end))
        start = _skip_space(text, end)
    return ranges


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _fitting_end(text: str, start: int, limit: int) -> int:
    """The largest end such that text[start:end] fits in `limit` UTF-16 units."""
    end = min(len(text), start + limit)
    while (excess := telegram_length(text[start:end]) - limit) > 0:
        # Dropping excess // 2 characters drops at most `excess` units (a character is one or
        # two units), so this never drops more than needed and ends within a few rounds.
        end -= max(1, excess // 2)
    return end


def _best_cut(text: str, start: int, end: int) -> int:
    """Where to end a part that may not extend past `end`: the last paragraph break, line break,
    sentence end or space in the second half of the window, else a hard cut at `end`."""
    floor = start + (end - start) // 2
    for separator in ("\n\n", "\n"):
        index = text.rfind(separator, floor, end)
        if index > start:
            return index
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(text, floor, end)]
    if sentence_ends:
        return sentence_ends[-1]
    for index in range(end - 1, floor, -1):
        if text[index].isspace():
            return index
    # No boundary at all: cut hard, but not between a character and its combining marks or
    # inside an emoji sequence.
    while end - 1 > start and (
        unicodedata.combining(text[end]) or text[end] in _JOINERS or text[end - 1] in _JOINERS
    ):
        end -= 1
    return end


# --- what the bot sends ------------------------------------------------------------------


def answer_messages(answer: Answer, texts: Texts) -> list[str]:
    """The answer with its [n] markers, an optional notice in italics, then the cited sources."""
    spans = [Span(answer.answer.strip() or texts("NO_ANSWER"))]
    if answer.notice:
        spans += [Span("\n\n"), Span(answer.notice, "i")]
    if answer.citations:
        spans += [Span("\n\n"), Span(texts("SOURCES"), "b")]
        for citation in answer.citations:
            spans.append(Span(f"\n[{citation.n}] {citation.title}"))
    return render(spans)


def draft_message(text: str, footer: str) -> str:
    """An answer still being written (LLM mode): its text so far, cut to fit one message, then
    `footer` in italics. Only the final answer is split into several messages."""
    room = MESSAGE_LIMIT - telegram_length(footer) - 4
    shown = text.strip()
    if telegram_length(shown) > room:
        shown = shown[: _fitting_end(shown, 0, room - 1)].rstrip() + "…"
    return render([Span(shown or "…"), Span("\n\n"), Span(footer, "i")])[0]


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """One button per cited passage ("[1] title"), each showing that passage when pressed."""
    rows = [
        [InlineKeyboardButton(_label(f"[{c.n}] {c.title}"), callback_data=source_callback_data(c.chunk_id))]
        for c in answer.citations
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def passage_messages(citation: Citation) -> list[str]:
    """A cited passage in full: its document's title and file, then the verbatim quote."""
    return render(
        [
            Span(citation.title, "b"),
            Span("\n"),
            Span(citation.source, "i"),
            Span("\n"),
            Span(citation.quote.strip(), "blockquote expandable"),
        ]
    )


def documents_messages(documents: Sequence[DocumentInfo], texts: Texts) -> list[str]:
    """The /docs list: every document's title, file and number of passages."""
    if not documents:
        return render([Span(texts("DOCUMENTS_NONE"))])
    spans = [Span(texts("DOCUMENTS_HEADING", documents=texts.count(len(documents), "document")), "b")]
    for number, document in enumerate(documents, start=1):
        line = texts("DOCUMENT_LINE", source=printable(document.source),
                     passages=texts.count(document.passages, "passage"))
        spans += [Span(f"\n{number}. "), Span(document.title, "b"), Span(f" — {line}")]
    return render(spans)


def report_messages(heading: str, report: str) -> list[str]:
    """A bold heading over a multi-line plain-text report (e.g. what a reindex changed)."""
    return render([Span(heading, "b"), Span("\n\n"), Span(report)])


def title_list(documents: Iterable[DocumentInfo], texts: Texts, shown: int = 20) -> str:
    """An escaped bullet list of at most `shown` titles, ending with how many were left out."""
    documents = list(documents)
    lines = [f"• {escape(_label(document.title, 80))}" for document in documents[:shown]]
    if len(documents) > shown:
        lines.append(escape(texts("MORE_TITLES", count=len(documents) - shown)))
    return "\n".join(lines)


def source_callback_data(chunk_id: str) -> str:
    """Callback data of a source button: "src:" and the 16-hex-digit chunk id (20 bytes)."""
    data = _SOURCE_PREFIX + chunk_id
    if not _SOURCE_DATA.fullmatch(data):
        raise ValueError(f"not a chunk id: {chunk_id!r}")
    return data


def parse_source_callback(data: str | None) -> str | None:
    """The chunk id of a source button's callback data, or None if the data is not ours."""
    match = _SOURCE_DATA.fullmatch(data or "")
    return match.group(1) if match else None


def printable(text: str) -> str:
    """`text` with control characters (e.g. in a file name) shown as "?"."""
    return "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _label(text: str, chars: int = BUTTON_LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"
