"""Each supported format's bytes turned into text and a title, within bounds.

`EXTRACTORS` maps a suffix to a function from the file's bytes to (text, title if the format
says one). A failure a user should read about is `Unreadable` with the reason; `index.loaders`
adds the file's name. Uploads are hostile input, so the formats that unpack (DOCX is a zip, PDF
streams are compressed) are bounded before and while they unpack: see the MAX_ constants.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser

import docx
import pypdf
from docx.table import Table, _Row
from pypdf.generic import DictionaryObject, StreamObject

from index.text import TAG

_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13} | {127}
_MB = 1024 * 1024

# Bounds for hostile uploads. Files are at most 20 MB on disk (CITEBOT_MAX_FILE_MB), but a small
# file can still unpack to gigabytes or hold an absurd number of pages.
#
# A DOCX is a zip. Its XML packs about 10:1 and its images about 1:1, so a real 20 MB file unpacks
# to at most ~200 MB; python-docx keeps every part in memory (and parsed XML takes ~10x its size).
MAX_DOCX_UNPACKED_BYTES = 200 * _MB
# Real XML packs 5-50:1; 200:1 and beyond is padding (a run of zeros deflates ~1000:1). Only parts
# over 1 MB are judged, since tiny parts can have odd ratios and cannot hurt.
MAX_DOCX_PART_RATIO = 200
_DOCX_RATIO_FROM_BYTES = 1 * _MB
# A document has tens of parts (each image is one); thousands is a crafted archive.
MAX_DOCX_PARTS = 10_000
_WORD_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# Ten long books. An ordinary page takes ~2 ms to extract, so 5,000 pages read in ~10 s; but
# 100,000 pages fit in 10 MB (empty, or all drawing one shared text) and would take minutes.
MAX_PDF_PAGES = 5_000
# Unpacked page content streams, all pages together: 5,000 pages x 20 KB (typical text pages hold
# 3-10 KB). pypdf caps each stream at 75 MB but keeps every unpacked stream in memory while the
# reader lives, so without this a 20 MB file of packed 75 MB streams holds gigabytes.
MAX_PDF_CONTENT_BYTES = 100 * _MB


class Unreadable(Exception):
    """Raised by extractors with a user-facing reason; `load_document` adds the source."""

def short_reason(error: BaseException) -> str:
    """First line of an exception's message, shortened, for a reason a user reads."""
    lines = str(error).strip().splitlines()
    detail = lines[0][:100] if lines else type(error).__name__
    return detail[:1].lower() + detail[1:]

def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size} bytes"

def _decode_text(data: bytes) -> str:
    """UTF-8 text (with or without BOM), or a reason saying what the bytes look like instead."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("not UTF-8 text (looks like UTF-16); convert it to UTF-8")
    sample = data[:65536]
    if b"\x00" in sample or sum(byte in _CONTROL_BYTES for byte in sample) > len(sample) // 10:
        raise Unreadable("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = _guess_encoding(data)
        raise Unreadable(f"not UTF-8 text (looks like {encoding}); convert it to UTF-8") from None


def _guess_encoding(data: bytes) -> str:
    """cp1251 when most letters are high bytes (Cyrillic words), else latin-1 (accented Latin)."""
    sample = data[:65536]
    high = sum(byte >= 0xC0 for byte in sample)
    ascii_letters = sum(65 <= byte <= 90 or 97 <= byte <= 122 for byte in sample)
    return "cp1251" if high > ascii_letters else "latin-1"


def _plain_text(data: bytes) -> tuple[str, str | None]:
    return _decode_text(data), None


_ATX_H1 = re.compile(r"^ {0,3}# +(.+?)[ #]*$", re.MULTILINE)


def _markdown(data: bytes) -> tuple[str, str | None]:
    """The markdown source without its raw HTML (tags and comments; their text stays), so no
    answer quotes `<div align="center">`; title from front matter `title:` or the first `# `
    heading. Code (fenced blocks and `inline spans`) is kept as written."""
    text = _without_html(_decode_text(data))
    heading = _ATX_H1.search(text)
    return text, _front_matter_title(text) or (heading.group(1) if heading else None)


_FENCE = re.compile(r"^ {0,3}(```|~~~)")
#: An inline code span (kept), an HTML comment or a tag (dropped).
_MARKUP = re.compile(rf"(`+)[^`]*?\1|<!--.*?(?:-->|$)|{TAG.pattern}", re.DOTALL)


def _unmarked(match: re.Match[str]) -> str:
    """What stands for one match of `_MARKUP`: a code span itself, a line break for a block
    tag (`<details><summary>Install</summary>Run ...` reads as two lines), else nothing."""
    if match.group(1):
        return match.group()
    name = re.match(r"</?([A-Za-z][\w:-]*)", match.group())
    return "\n" if name and name.group(1).lower() in _HtmlText._BLOCKS | {"br", "summary"} else ""


def _without_html(text: str) -> str:
    """`text` with the HTML tags and comments outside code removed."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            out.append(_MARKUP.sub(_unmarked, "".join(prose)))
            prose.clear()

    for line in text.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is None and opened:
            flush()
            fence = opened.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence):
                fence = None
        else:
            prose.append(line)
    flush()
    return "".join(out)


def _front_matter_title(text: str) -> str | None:
    """`title:` from a YAML front matter block (between `---` lines at the top), if any."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for line in lines[1:]:
        if line.strip() in ("---", "..."):
            return None
        if line.startswith("title:"):
            return line.removeprefix("title:").strip().strip("'\"") or None
    return None


class _HtmlText(HTMLParser):
    """Visible text of an HTML page, block elements separated by blank lines. Iterative."""

    _HIDDEN = frozenset({"script", "style", "nav", "head", "noscript", "template", "svg"})
    _BLOCKS = frozenset(
        "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
        "form h1 h2 h3 h4 h5 h6 header hr li main ol p pre section summary table tr ul".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self._hidden = 0  # depth inside elements whose text is not shown
        self._collecting: str | None = None  # "title" or "h1" while reading the first of those

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._hidden = 0  # a <head> that was never closed ends here
        if tag in self._HIDDEN:
            self._hidden += 1
        if (tag == "title" and not self.title) or (tag == "h1" and not self.h1 and not self._hidden):
            self._collecting = tag
        if tag in self._BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1
        if tag == self._collecting:
            self._collecting = None
        if tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._collecting == "title":
            self.title += data
        elif self._collecting == "h1":
            self.h1 += data
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html(data: bytes) -> tuple[str, str | None]:
    parser = _HtmlText()
    parser.feed(_decode_text(data))
    parser.close()
    return parser.text(), parser.title.strip() or parser.h1.strip() or None


def _pdf(data: bytes) -> tuple[str, str | None]:
    """Text of every page, blank line between pages; title from the /Title metadata."""
    reader = _open_pdf(data)
    try:
        _check_page_count(reader)
        pages: list[str] = []
        content_bytes = 0
        for page in reader.pages:
            content_bytes += _content_bytes(page)  # unpacked before extract_text parses them
            if content_bytes > MAX_PDF_CONTENT_BYTES:
                limit = human_size(MAX_PDF_CONTENT_BYTES)
                raise Unreadable(f"PDF content unpacks to more than {limit} (a zip bomb?)")
            pages.append(page.extract_text() or "")
        title = reader.metadata.title if reader.metadata else None
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many types for broken files
        raise Unreadable(f"corrupt PDF: {short_reason(error)}") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise Unreadable("PDF has no text layer (scanned?)")
    return text, title if isinstance(title, str) else None


def _check_page_count(reader: pypdf.PdfReader) -> None:
    """Refuse a PDF with more than MAX_PDF_PAGES pages before any page is parsed.

    `len(reader.pages)` parses every page object (3.9 s for 100,000 pages); the /Count of the
    page tree's root answers in 0.15 s. /Count may lie, so when it is missing or small the real
    count is taken, which the page loop needs anyway (pypdf stops at 100,000 page tree entries).
    """
    tree = reader.root_object.get("/Pages")
    tree = tree.get_object() if tree is not None else None
    declared = tree.get("/Count") if isinstance(tree, DictionaryObject) else None
    cheap = isinstance(declared, int) and declared > MAX_PDF_PAGES
    count = declared if cheap else len(reader.pages)
    if count > MAX_PDF_PAGES:
        raise Unreadable(f"PDF has {count:,} pages, more than the {MAX_PDF_PAGES:,} citebot reads")


def _content_bytes(page: pypdf.PageObject) -> int:
    """Unpacked size of a page's content streams (pypdf keeps them, so extraction reuses them)."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    parts = contents if isinstance(contents, list) else [contents]
    streams = (part.get_object() for part in parts if part is not None)
    return sum(len(stream.get_data()) for stream in streams if isinstance(stream, StreamObject))


def _open_pdf(data: bytes) -> pypdf.PdfReader:
    """A reader ready to extract from, or why not; PDFs with an empty user password are opened."""
    if b"%PDF-" not in data[:1024]:
        raise Unreadable("corrupt PDF: not a PDF file (no %PDF header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as error:  # noqa: BLE001 - see _pdf
        raise Unreadable(f"corrupt PDF: {short_reason(error)}") from error
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # noqa: BLE001 - e.g. an AES cipher pypdf cannot handle here
            opened = False
        if not opened:
            raise Unreadable("encrypted PDF (password-protected); save an unprotected copy")
    return reader


def _docx(data: bytes) -> tuple[str, str | None]:
    """Paragraphs and table rows in document order, blank line between them."""
    try:
        _check_docx_archive(data)
        document = docx.Document(io.BytesIO(data))
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 - zip, XML and package errors all mean "corrupt"
        raise Unreadable(f"corrupt DOCX: {short_reason(error)}") from error
    blocks: list[str] = []
    heading: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_docx_row(row) for row in item.rows)
            continue
        style = getattr(item.style, "name", None) or ""
        if heading is None and item.text.strip() and style.startswith(("Heading", "Title")):
            heading = item.text
        blocks.append(item.text)
    text = "\n\n".join(block.strip() for block in blocks if block.strip())
    return text, document.core_properties.title or heading


def _check_docx_archive(data: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates every part of the DOCX into memory.

    The declared sizes are checked first, which refuses an honest bomb without unpacking it. They
    can lie, though: CPython 3.11's zipfile cuts what a member returns to its declared file_size
    (ZipExtFile._read1: `data = data[:self._left]`), but only after inflating, and ZipFile.read(),
    which python-docx uses, asks zlib for up to ZipExtFile.MAX_N (1 GiB) at a time; bzip2 and lzma
    members inflate with no limit at all. A part declaring 1 KB that holds gigabytes takes ~2 GB
    of memory. So each part is then unpacked here in 1 MB reads, counting what it really holds.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_DOCX_PARTS:
            raise Unreadable(f"DOCX has more than {MAX_DOCX_PARTS:,} parts (a zip bomb?)")
        _check_unpacked_size(sum(part.file_size for part in parts))
        for part in parts:
            _check_part_ratio(part, part.file_size)
        unpacked = 0
        for part in parts:
            if part.compress_type not in _WORD_COMPRESSION or part.flag_bits & 1:  # 1: encrypted
                problem = f"{part.filename} is packed or encrypted in a way Word never uses"
                raise Unreadable(f"corrupt DOCX: {problem}")
            probe = copy.copy(part)
            probe.file_size = MAX_DOCX_UNPACKED_BYTES - unpacked + 1  # past a lie, up to the bound
            del probe.CRC  # it covers the declared length; python-docx's read checks it
            size = 0
            with archive.open(probe) as member:
                while chunk := member.read(_MB):
                    size += len(chunk)
                    _check_unpacked_size(unpacked + size)
                    _check_part_ratio(part, size)
            unpacked += size


def _check_unpacked_size(size: int) -> None:
    if size > MAX_DOCX_UNPACKED_BYTES:
        limit = human_size(MAX_DOCX_UNPACKED_BYTES)
        raise Unreadable(f"DOCX unpacks to more than {limit} (a zip bomb?)")


def _check_part_ratio(part: zipfile.ZipInfo, size: int) -> None:
    if size > _DOCX_RATIO_FROM_BYTES and size > MAX_DOCX_PART_RATIO * part.compress_size:
        raise Unreadable(
            f"DOCX part {part.filename} unpacks to more than {MAX_DOCX_PART_RATIO} times "
            "its packed size (a zip bomb?)"
        )


def _docx_row(row: _Row) -> str:
    cells: list[str] = []
    for cell in row.cells:
        if not cells or cells[-1] != cell.text:  # a merged cell repeats in every column it spans
            cells.append(cell.text)
    return "\t".join(cells)


# raw bytes -> (text, title if the format says one)
EXTRACTORS: dict[str, Callable[[bytes], tuple[str, str | None]]] = {
    ".txt": _plain_text,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
