"""Telegram HTML rendering and splitting, with hostile inputs.

Every part must parse as Telegram HTML (the test server's parser, which rejects what Telegram
rejects), fit in 4,096 UTF-16 units, and the parts together must keep all of the text.
"""

from __future__ import annotations

import pytest

from bot.models import Answer, Citation
from bot.retrieval import DocumentInfo
from bot.telegram import formatting
from bot.telegram.formatting import Span, render
from botapi_text import check_text, parse_html, utf16_len
from helpers import EN

HOSTILE = [
    "<script>alert('x')</script>",
    "</b></i><b>unbalanced & <i>open",
    "**bold** _italic_ `code` [link](http://x) ||spoiler||",
    "AT&T &amp; &lt;tag&gt; &#128512; &unknown; 5 < 6 > 4",
    '<a href="javascript:alert(1)">click</a> <blockquote expandable>q</blockquote>',
    "Emoji 👩‍👩‍👧‍👦 🇫🇷 ✈️ and combining e\u0301\u0301",
    "RTL: مرحبا بالعالم שלום עולם \u202edesrever\u202c",
]


def plain_parts(parts: list[str]) -> list[str]:
    """Each part as a user sees it, after asserting Telegram would accept it."""
    plains = []
    for part in parts:
        plain, _ = check_text(part, "HTML")
        assert utf16_len(plain) <= formatting.MESSAGE_LIMIT
        plains.append(plain)
    return plains


def squash(text: str) -> str:
    return "".join(text.split())


def citation(n: int, title: str, quote: str, chunk_id: str = "0123456789abcdef") -> Citation:
    return Citation(n=n, source=f"docs/{title}.txt", title=title, quote=quote, chunk_id=chunk_id, score=0.9)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_answer_escapes_everything_from_documents_and_users(hostile: str) -> None:
    answer = Answer(
        question=hostile,
        answered=True,
        answer=f"{hostile} [1]. More {hostile} [2].",
        citations=[citation(1, hostile, hostile), citation(2, "Plain title", "x", "fedcba9876543210")],
        notice=hostile,
    )
    [plain] = plain_parts(formatting.answer_messages(answer, EN))
    assert plain.count(hostile.strip()) >= 3  # answer (twice, with markers) and notice, verbatim
    assert f"[1] {' '.join(hostile.split())}"[:20] in " ".join(plain.split())
    assert "[2] Plain title" in plain

    [passage] = plain_parts(formatting.passage_messages(citation(0, hostile, hostile)))
    assert passage.count(hostile.strip()) == 3  # title, file name and quote


def test_answer_layout_markers_notice_and_sources() -> None:
    answer = Answer("q", True, "Parly gave a photograph [1].", [citation(1, "Moscow 2019", "quote")], notice="Note.")
    [html] = formatting.answer_messages(answer, EN)
    assert html == "Parly gave a photograph [1].\n\n<i>Note.</i>\n\n<b>Sources</b>\n[1] Moscow 2019"
    keyboard = formatting.answer_keyboard(answer)
    assert keyboard is not None
    [[button]] = keyboard.inline_keyboard
    assert (button.text, button.callback_data) == ("[1] Moscow 2019", "src:0123456789abcdef")


def test_refusal_has_no_sources_and_no_buttons() -> None:
    answer = Answer("q", False, "I could not find this in the documents, so I will not guess.")
    assert formatting.answer_messages(answer, EN) == [answer.answer]
    assert formatting.answer_keyboard(answer) is None


def test_passage_is_an_expandable_blockquote_with_the_verbatim_quote() -> None:
    quote = "Parly donated to Minister Shoigu a photograph of the Normandie-Niémen regiment & <more>."
    [html] = formatting.passage_messages(citation(0, "Moscow", quote))
    plain, entities = parse_html(html)
    assert quote in plain
    assert "<blockquote expandable>" in html
    assert any(e["type"] == "expandable_blockquote" and plain[e["offset"] :].startswith("Parly") for e in entities)


def test_long_text_splits_at_paragraphs_and_keeps_all_text() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 150 for i in range(40)]  # ~30,000 characters
    text = "\n\n".join(paragraphs)
    parts = plain_parts(render([Span(text)]))
    assert len(parts) > 1
    assert squash("".join(parts)) == squash(text)
    for part in parts:  # every part is whole paragraphs
        assert part.startswith("Paragraph ") and part.endswith("word")


def test_one_huge_paragraph_splits_at_sentences() -> None:
    text = " ".join(f"Sentence number {i} says something & <ends> here." for i in range(600))
    parts = plain_parts(render([Span(text)]))
    assert len(parts) > 1
    assert all(part.endswith(".") for part in parts)
    assert squash("".join(parts)) == squash(text)


def test_text_without_any_boundary_is_cut_hard_without_losing_characters() -> None:
    text = "x" * 20_000
    parts = plain_parts(render([Span(text)]))
    assert "".join(parts) == text
    assert [len(p) for p in parts] == [4096] * 4 + [20_000 - 4 * 4096]


def test_emoji_count_as_two_units_and_are_never_cut_in_half() -> None:
    text = "😀" * 5000  # 10,000 UTF-16 units
    parts = plain_parts(render([Span(text)]))
    assert "".join(parts) == text
    assert all(utf16_len(p) <= 4096 for p in parts)


def test_escaping_does_not_count_against_the_limit_and_tags_survive_a_split() -> None:
    quote = "&<>" * 3000 + " end."  # 9,000 characters that escape to 36,000
    spans = [Span("Title & co", "b"), Span("\n"), Span(quote, "blockquote expandable")]
    parts = render(spans)
    plains = plain_parts(parts)
    assert len(parts) == 3
    assert all(part.count("<blockquote expandable>") == 1 and part.endswith("</blockquote>") for part in parts)
    assert squash("".join(plains)) == squash("Title & co\n" + quote)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_twenty_thousand_hostile_characters_split_into_valid_parts(hostile: str) -> None:
    text = (hostile + " ") * (20_000 // (len(hostile) + 1))
    answer = Answer("q", True, text + " [1]", [citation(1, hostile, text)], notice=hostile)
    for parts in (formatting.answer_messages(answer, EN), formatting.passage_messages(answer.citations[0])):
        plains = plain_parts(parts)
        assert len(plains) >= 5
        assert squash(text) in squash("".join(plains))


def test_document_list_escapes_titles_and_splits_long_lists() -> None:
    documents = [DocumentInfo(source=f"dir/doc-{i}.txt", title=f"<Title {i}> & co", passages=i) for i in range(400)]
    parts = plain_parts(formatting.documents_messages(documents, EN))
    assert len(parts) > 1
    joined = "\n".join(parts)
    assert "400 documents" in parts[0]
    assert all(f"{i + 1}. <Title {i}> & co — dir/doc-{i}.txt" in joined for i in range(400))
    assert "1 passage" in joined and "2 passages" in joined
    assert formatting.documents_messages([], EN) == ["I don't have any documents yet."]


def test_title_list_is_escaped_and_bounded() -> None:
    documents = [DocumentInfo(source="a.txt", title="<b>x</b> " + "long " * 40, passages=1)] * 25
    titles = formatting.title_list(documents, EN)
    plain, _ = parse_html(titles)
    assert plain.count("• <b>x</b>") == 20 and plain.endswith("… and 5 more (see /docs)")
    assert all(len(line) <= 82 for line in plain.splitlines())


def test_source_callback_data_round_trips_and_rejects_forgeries() -> None:
    data = formatting.source_callback_data("0123456789abcdef")
    assert data == "src:0123456789abcdef" and len(data.encode()) <= 64
    assert formatting.parse_source_callback(data) == "0123456789abcdef"
    for forged in (None, "", "src:", "src:0123456789ABCDEF", "src:0123456789abcde", "src:0123456789abcdef0",
                   "src:0123456789abcdef\n", "SRC:0123456789abcdef", "src:../../etc/passwd", "x" * 64):
        assert formatting.parse_source_callback(forged) is None
    with pytest.raises(ValueError):
        formatting.source_callback_data("not-a-chunk-id")


def test_button_labels_are_shortened() -> None:
    answer = Answer("q", True, "a [1]", [citation(1, "A very long title " * 10, "q")])
    keyboard = formatting.answer_keyboard(answer)
    assert keyboard is not None
    label = keyboard.inline_keyboard[0][0].text
    assert len(label) <= formatting.BUTTON_LABEL_CHARS and label.endswith("…")


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>open", "Can't find end tag corresponding to start tag \"b\""),
        ("<b><i>x</b></i>", 'Unmatched end tag'),
        ("x</b>", "Unexpected end tag"),
        ("a < b", "Unclosed start tag"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "Can't nest blockquote"),
    ],
)
def test_the_test_servers_parser_rejects_what_telegram_rejects(html: str, error: str) -> None:
    """The parser the other tests rely on really does reject bad HTML."""
    with pytest.raises(Exception, match="Bad Request: can't parse entities") as raised:
        parse_html(html)
    assert error in str(raised.value)
    with pytest.raises(Exception, match="message is too long"):
        check_text("x" * 4097, "HTML")
    with pytest.raises(Exception, match="message text is empty"):
        check_text("<b> </b>", "HTML")
