"""Tests for index.loaders: discovery of the docs folder and turning each file into text.

Every fixture is generated here into tmp_path (PDFs are written by hand, DOCX with python-docx).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pypdf
import pytest
from document_files import MB, encrypt_pdf, make_pdf
from helpers import BUNDLED, reason_for

from index import loaders
from index.loaders import (
    SUPPORTED_SUFFIXES,
    SkippedFile,
    SourceDocument,
    discover,
    file_hash,
    load_document,
)

# --- fixture builders -----------------------------------------------------------------------


def make_docx(path: Path, title: str | None = None) -> None:
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    document.add_heading("Quarterly Report", level=1)
    document.add_paragraph("First paragraph of the report.")
    document.add_paragraph("")
    document.add_paragraph("Second paragraph, after an empty one.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Revenue"
    table.rows[0].cells[1].text = "42"
    document.save(path)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def load(path: Path) -> SourceDocument:
    return load_document(path, path.parent)


# --- plain text and markdown ----------------------------------------------------------------


def test_txt_crlf_becomes_lf_and_title_is_first_line(tmp_path: Path) -> None:
    raw = b"\r\n  Annual Meeting Notes  \r\nThe board met.\r\nIt agreed.\r\n"
    doc = load(write(tmp_path / "notes.txt", raw))
    assert doc.title == "Annual Meeting Notes"
    assert "\r" not in doc.text
    assert "The board met.\nIt agreed." in doc.text
    assert doc.source == "notes.txt"
    assert doc.content_hash == hashlib.sha256(raw).hexdigest() == file_hash(tmp_path / "notes.txt")


def test_txt_long_first_line_title(tmp_path: Path) -> None:
    line = "word " * 30  # 150 chars: shortened at a word
    doc = load(write(tmp_path / "a.txt", line + "\nbody"))
    assert len(doc.title) <= 121 and doc.title.endswith("…") and line.startswith(doc.title[:-1])
    paragraph = "x" * 250  # a paragraph, not a title: use the file name
    doc = load(write(tmp_path / "meeting_notes-2021.txt", paragraph))
    assert doc.title == "meeting notes 2021"


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    doc = load(write(tmp_path / "c.txt", "Title\nbell\x07 and\x1b escape\tkept\n"))
    assert doc.text == "Title\nbell and escape\tkept\n"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    doc = load(write(tmp_path / "bom.txt", "\ufeffHello\nworld".encode("utf-8")))
    assert doc.title == "Hello" and doc.text == "Hello\nworld"


def test_markdown_heading_title_and_verbatim_text(tmp_path: Path) -> None:
    source = "Intro line\n\n# Project *Falcon*\n\nSome **bold** text.\n"
    doc = load(write(tmp_path / "readme.md", source))
    assert doc.title == "Project *Falcon*"
    assert doc.text == source


def test_markdown_loses_raw_html_but_keeps_its_text_and_code(tmp_path: Path) -> None:
    source = (
        '# Falcon\n\n<div align="center"><img src="logo.png" alt="Falcon logo"></div>\n\n'
        "<!-- badges\nare here -->\nUse `List<T>` for a <b>typed</b> list.\n"
        "<details><summary>Install</summary>Run pip install falcon.</details>\n\n"
        "```xml\n<config><retries>3</retries></config>\n```\n"
    )
    doc = load(write(tmp_path / "readme.md", source))
    assert "<div" not in doc.text and "<img" not in doc.text and "badges" not in doc.text and "<b>" not in doc.text
    assert "Use `List<T>` for a typed list." in doc.text  # code spans stay as written
    assert "Install\nRun pip install falcon." in doc.text  # block tags part lines
    assert "<config><retries>3</retries></config>" in doc.text  # and so do code blocks
    assert doc.title == "Falcon"


def test_markdown_front_matter_title(tmp_path: Path) -> None:
    source = '---\nauthor: me\ntitle: "Release Plan"\n---\n# Other heading\nBody\n'
    assert load(write(tmp_path / "plan.markdown", source)).title == "Release Plan"


def test_markdown_without_heading_uses_first_line(tmp_path: Path) -> None:
    assert load(write(tmp_path / "x.md", "\n\nJust a line\nmore")).title == "Just a line"


# --- HTML ---------------------------------------------------------------------------------


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>  The  Page Title </title>
<style>body { color: red; }</style><script>var secret = "do not index";</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<h1>Main heading</h1>
<p>First   paragraph
 spans lines &amp; has entities.</p><p>Second paragraph.<br>After a break.</p>
<ul><li>one</li><li>two</li></ul>
<script>alert("nope")</script>
</body></html>"""


def test_html_visible_text_with_paragraphs(tmp_path: Path) -> None:
    doc = load(write(tmp_path / "page.html", HTML_PAGE))
    assert doc.title == "The Page Title"
    for hidden in ("color: red", "do not index", "nope", "Home", "About"):
        assert hidden not in doc.text
    assert doc.text == (
        "Main heading\n\nFirst paragraph spans lines & has entities.\n\n"
        "Second paragraph.\nAfter a break.\n\none\n\ntwo"
    )


def test_html_title_falls_back_to_h1_then_first_line(tmp_path: Path) -> None:
    assert load(write(tmp_path / "a.htm", "<body><h1>Heading One</h1><p>x</p>")).title == "Heading One"
    assert load(write(tmp_path / "b.html", "<p>Only text here</p><p>y</p>")).title == "Only text here"


def test_html_deeply_nested_does_not_recurse(tmp_path: Path) -> None:
    depth = 5000
    page = "<html><body>" + "<div>" * depth + "<p>Deep text.</p>" + "</div>" * depth + "</body></html>"
    doc = load(write(tmp_path / "deep.html", page))
    assert doc.text == "Deep text."
    unclosed = "<html><body>" + "<div><span>" * depth + "Still found."
    assert load(write(tmp_path / "unclosed.html", unclosed)).text == "Still found."


def test_html_with_only_script_has_no_text(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "s.html", "<script>x()</script>")) == "no text found"


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_text_pages_and_metadata_title(tmp_path: Path) -> None:
    data = make_pdf(["Hello from page one (really).\nSecond line.", "Page two text."], title="Falcon Report")
    assert "Hello from page one" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    doc = load(write(tmp_path / "report.pdf", data))
    assert doc.title == "Falcon Report"
    assert "Hello from page one (really).\nSecond line." in doc.text
    assert "\n\nPage two text." in doc.text
    assert doc.text.index("page one") < doc.text.index("Page two")


def test_pdf_without_title_uses_first_line(tmp_path: Path) -> None:
    assert load(write(tmp_path / "u.pdf", make_pdf(["Untitled first line\nrest"]))).title == "Untitled first line"


def test_encrypted_pdf(tmp_path: Path) -> None:
    data = encrypt_pdf(make_pdf(["Secret text"]), user_password="secret")
    assert "encrypted PDF" in reason_for(write(tmp_path / "locked.pdf", data))


def test_pdf_with_empty_user_password_opens(tmp_path: Path) -> None:
    data = encrypt_pdf(make_pdf(["Owner-protected only"]), user_password="")
    assert "Owner-protected only" in load(write(tmp_path / "owner.pdf", data)).text


def test_corrupt_pdf(tmp_path: Path) -> None:
    truncated = make_pdf(["Some text"])[:300]
    assert reason_for(write(tmp_path / "broken.pdf", truncated)).startswith("corrupt PDF: ")
    not_pdf = write(tmp_path / "fake.pdf", b"this is not a PDF at all")
    assert reason_for(not_pdf) == "corrupt PDF: not a PDF file (no %PDF header)"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    data = make_pdf([""])  # a page with an empty text stream, like a scan
    assert reason_for(write(tmp_path / "scan.pdf", data)) == "PDF has no text layer (scanned?)"


# --- DOCX ---------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_heading_title(tmp_path: Path) -> None:
    make_docx(tmp_path / "report.docx")
    doc = load(tmp_path / "report.docx")
    assert doc.title == "Quarterly Report"
    assert doc.text == (
        "Quarterly Report\n\nFirst paragraph of the report.\n\n"
        "Second paragraph, after an empty one.\n\nRevenue\t42"
    )


def test_docx_core_properties_title(tmp_path: Path) -> None:
    make_docx(tmp_path / "p.docx", title="Official Title")
    assert load(tmp_path / "p.docx").title == "Official Title"


def test_corrupt_docx(tmp_path: Path) -> None:
    make_docx(tmp_path / "ok.docx")
    truncated = (tmp_path / "ok.docx").read_bytes()[:500]
    assert reason_for(write(tmp_path / "bad.docx", truncated)).startswith("corrupt DOCX: ")


# --- files that are not text ------------------------------------------------------------


def test_empty_and_whitespace_only(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "empty.txt", b"")) == "empty file"
    assert reason_for(write(tmp_path / "blank.md", " \n\t\r\n  ")).startswith("no text found")


def test_binary_file_with_text_suffix(tmp_path: Path) -> None:
    png_like = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert reason_for(write(tmp_path / "image.txt", png_like)) == "binary file, not text"
    noise = bytes([1, 2, 3, 4, 5, 6, 7, 65]) * 100  # no NUL, but mostly control bytes
    assert reason_for(write(tmp_path / "noise.md", noise)) == "binary file, not text"


def test_cp1251_russian_text(tmp_path: Path) -> None:
    data = "Встреча министров иностранных дел и обороны России и Франции.\n".encode("cp1251")
    reason = reason_for(write(tmp_path / "ru.txt", data))
    assert reason.startswith("not UTF-8 text") and "cp1251" in reason and "convert it to UTF-8" in reason


def test_latin1_french_text(tmp_path: Path) -> None:
    data = "Réunion des ministres à Paris : sécurité européenne et coopération.\n".encode("latin-1")
    reason = reason_for(write(tmp_path / "fr.txt", data))
    assert reason.startswith("not UTF-8 text") and "latin-1" in reason


def test_utf16_text(tmp_path: Path) -> None:
    assert "UTF-16" in reason_for(write(tmp_path / "w.txt", "Hello".encode("utf-16")))


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "data.csv", "a,b")) == "unsupported file type .csv"
    assert reason_for(tmp_path / "gone.txt").startswith("cannot be read")


def test_unexpected_errors_become_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_: object) -> None:
        raise RecursionError("Boom\nwith a second line")

    monkeypatch.setattr(pypdf.PdfReader, "pages", property(explode))
    assert reason_for(write(tmp_path / "x.pdf", make_pdf(["t"]))) == "corrupt PDF: boom"
    monkeypatch.setitem(loaders.EXTRACTORS, ".txt", explode)
    assert reason_for(write(tmp_path / "x.txt", "fine")) == "could not be read (boom)"


# --- discovery ------------------------------------------------------------------------------


def test_discover_sorted_with_unicode_names_and_skips(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "b.txt", "b")
    write(docs / "A.MD", "# a")
    write(docs / "sub dir" / "é doc.md", "# unicode")
    write(docs / "sub dir" / "deeper" / "z.html", "<p>z</p>")
    write(docs / "notes.csv", "a,b")
    write(docs / "README", "no suffix")
    write(docs / "big.txt", "x" * 2000)
    write(docs / ".hidden.txt", "secret")
    write(docs / ".git" / "config.txt", "secret")

    found, skipped = discover(docs, max_bytes=1000)

    sources = [path.relative_to(docs).as_posix() for path in found]
    assert sources == ["A.MD", "b.txt", "sub dir/deeper/z.html", "sub dir/é doc.md"]
    assert skipped == [
        SkippedFile("README", "unsupported file type (no extension)"),
        SkippedFile("big.txt", "larger than 1000 bytes (CITEBOT_MAX_FILE_MB)"),
        SkippedFile("notes.csv", "unsupported file type .csv"),
    ]
    doc = load_document(docs / "sub dir" / "é doc.md", docs)
    assert doc.source == "sub dir/é doc.md" and doc.title == "unicode"
    assert discover(docs, max_bytes=1000) == (found, skipped)


def test_discover_size_limit_in_megabytes(tmp_path: Path) -> None:
    write(tmp_path / "big.pdf", b"%PDF" + b"0" * (MB + 1))
    found, skipped = discover(tmp_path, max_bytes=MB)
    assert found == [] and skipped == [SkippedFile("big.pdf", "larger than 1 MB (CITEBOT_MAX_FILE_MB)")]


def test_discover_symlinks(tmp_path: Path) -> None:
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    write(docs / "real" / "inside.txt", "inside")
    write(outside / "secret.txt", "secret")
    (docs / "leak.txt").symlink_to(outside / "secret.txt")
    (docs / "leakdir").symlink_to(outside, target_is_directory=True)
    (docs / "broken.txt").symlink_to(docs / "nowhere.txt")
    (docs / "real" / "loop").symlink_to(docs, target_is_directory=True)
    (docs / "zlink.txt").symlink_to(docs / "real" / "inside.txt")

    found, skipped = discover(docs, max_bytes=MB)

    assert found == [docs / "real" / "inside.txt"]
    assert all(outside not in path.resolve().parents for path in found)
    outside_reason = "symlink pointing outside the documents folder, not followed"
    assert skipped == [
        SkippedFile("broken.txt", "broken symlink (its target does not exist)"),
        SkippedFile("leak.txt", outside_reason),
        SkippedFile("leakdir", outside_reason),
        SkippedFile("real/loop", "same folder as ., skipped"),
        SkippedFile("zlink.txt", "same file as real/inside.txt, skipped"),
    ]


def test_discover_follows_symlink_inside_folder(tmp_path: Path) -> None:
    write(tmp_path / ".store" / "kept.md", "# kept")  # hidden, but reachable through a link
    (tmp_path / "link.md").symlink_to(tmp_path / ".store" / "kept.md")
    found, skipped = discover(tmp_path, max_bytes=MB)
    assert found == [tmp_path / "link.md"] and skipped == []
    assert load_document(found[0], tmp_path).source == "link.md"


def test_discover_missing_or_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover(tmp_path / "nope", max_bytes=MB)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        discover(write(tmp_path / "file.txt", "x"), max_bytes=MB)


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


# --- the bundled documents ----------------------------------------------------------------


def test_bundled_documents_load_with_first_line_titles() -> None:
    found, skipped = discover(BUNDLED, max_bytes=20 * MB)
    assert len(found) == 2 and skipped == []
    for path in found:
        doc = load_document(path, BUNDLED)
        first_line = next(line.strip() for line in path.read_text("utf-8").splitlines() if line.strip())
        assert doc.title == first_line or (doc.title.endswith("…") and first_line.startswith(doc.title[:-1]))
        assert doc.source == path.name and len(doc.text) > 1000
    titles = sorted(load_document(path, BUNDLED).title for path in found)
    assert titles[0].startswith("Russia – Meeting of the Minister for Europe and Foreign Affairs")
    assert titles[1] == "The results of the Russian-French meeting in the “2 + 2” format"
