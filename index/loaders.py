"""Find documents in the docs folder and turn each one into plain text.

`discover` walks the folder (deterministically, never leaving it, never looping) and says which
files it will not load and why. `load_document` turns one file into a `SourceDocument` whose
`text` is the string every chunk offset and every quote refers to; anything that goes wrong
becomes `UnreadableDocument` with a reason written for the user.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import docx
import pypdf
from docx.table import Table, _Row

from index.errors import UnreadableDocument

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(".txt .md .markdown .html .htm .pdf .docx".split())

_TITLE_MAX = 120
_LONG_LINE = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13} | {127}


@dataclass(frozen=True)
class SourceDocument:
    source: str  # path relative to the docs folder, POSIX separators
    title: str
    text: str  # chunk offsets index into this string; quotes are verbatim substrings of it
    content_hash: str  # sha256 hex of the raw file bytes


@dataclass(frozen=True)
class SkippedFile:
    source: str
    reason: str


# --- discovery ----------------------------------------------------------------------------


def discover(docs_dir: Path, max_bytes: int) -> tuple[list[Path], list[SkippedFile]]:
    """Supported files under `docs_dir` (sorted by source) and the files left out, with why."""
    if not docs_dir.is_dir():
        problem = "is not a folder" if docs_dir.exists() else "does not exist"
        raise FileNotFoundError(f"documents folder {docs_dir} {problem}")
    root = docs_dir.resolve()
    found: list[Path] = []
    skipped: list[SkippedFile] = []
    seen: dict[Path, str] = {root: "."}  # real path -> the source that reached it first
    folders: list[PurePosixPath] = [PurePosixPath()]
    links: list[PurePosixPath] = []  # followed after all real entries, so a real path wins
    while folders or links:
        if folders:
            children = _list_folder(docs_dir, folders.pop(), skipped)
            links.extend(rel for rel in children if (docs_dir / rel).is_symlink())
            batch = [rel for rel in children if not (docs_dir / rel).is_symlink()]
        else:
            batch = [links.pop(0)]
        for rel in batch:
            target, problem = _resolve_inside(docs_dir / rel, root)
            if problem is None and target in seen:
                kind = "folder" if target.is_dir() else "file"
                problem = f"same {kind} as {seen[target]}, skipped"
            if problem is None:
                seen[target] = rel.as_posix()
                if target.is_dir():
                    folders.append(rel)
                    continue
                problem = _file_problem(target, max_bytes)
            if problem is None:
                found.append(docs_dir / rel)
            else:
                skipped.append(SkippedFile(rel.as_posix(), problem))
    found.sort(key=lambda path: _source_name(path, docs_dir))
    skipped.sort(key=lambda item: item.source)
    return found, skipped


def _list_folder(
    docs_dir: Path, rel_dir: PurePosixPath, skipped: list[SkippedFile]
) -> list[PurePosixPath]:
    """Non-hidden entries of one folder, sorted; an unreadable folder is reported and empty."""
    try:
        names = sorted(entry.name for entry in os.scandir(docs_dir / rel_dir))
    except OSError as error:
        source = rel_dir.as_posix() if rel_dir.parts else "."
        skipped.append(SkippedFile(source, f"folder cannot be read: {_os_reason(error)}"))
        return []
    return [rel_dir / name for name in names if not name.startswith(".")]


def _resolve_inside(path: Path, root: Path) -> tuple[Path, str | None]:
    """The real path behind `path`, or why it must not be followed."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return path, "broken symlink (its target does not exist)"
    if target != root and root not in target.parents:
        return target, "symlink pointing outside the documents folder, not followed"
    return target, None


def _file_problem(path: Path, max_bytes: int) -> str | None:
    """Why a (resolved, in-folder) file is not loaded, or None if it should be."""
    if not path.is_file():
        return "not a regular file"
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {suffix}" if suffix else "unsupported file type (no extension)"
    if path.stat().st_size > max_bytes:
        return f"larger than {_human_size(max_bytes)} (CITEBOT_MAX_FILE_MB)"
    return None


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _os_reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()


def _source_name(path: Path, docs_dir: Path) -> str:
    """`path` relative to `docs_dir` with POSIX separators (the name users and citations see)."""
    for base, candidate in ((docs_dir, path), (docs_dir.resolve(), path.absolute())):
        if candidate.is_relative_to(base):
            return candidate.relative_to(base).as_posix()
    return path.name


def file_hash(path: Path) -> str:
    """sha256 hex of the file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


# --- loading -----------------------------------------------------------------------------


class _Unreadable(Exception):
    """Raised by extractors with a user-facing reason; `load_document` adds the source."""


def load_document(path: Path, docs_dir: Path) -> SourceDocument:
    """Read one file into text and title; every failure is an `UnreadableDocument`."""
    source = _source_name(path, docs_dir)
    suffix = path.suffix.lower()
    extract = _EXTRACTORS.get(suffix)
    if extract is None:
        raise UnreadableDocument(source, f"unsupported file type {suffix or '(no extension)'}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableDocument(source, f"cannot be read: {_os_reason(error)}") from error
    if not data:
        raise UnreadableDocument(source, "empty file")
    try:
        raw_text, raw_title = extract(data)
    except _Unreadable as error:
        raise UnreadableDocument(source, str(error)) from error
    except Exception as error:  # noqa: BLE001 - the contract: nothing else escapes
        raise UnreadableDocument(source, f"could not be read ({_short(error)})") from error
    text = _clean_text(raw_text)
    if not text.strip():
        reason = "no text found" if data.strip() else "no text found (only whitespace)"
        raise UnreadableDocument(source, reason)
    title = _make_title(_clean_text(raw_title or "") or _first_line(text), path.stem)
    return SourceDocument(source, title, text, hashlib.sha256(data).hexdigest())


def _clean_text(text: str) -> str:
    """LF line endings, no NUL or other control characters except newline and tab."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _CONTROL_CHARS.sub("", text)


def _short(error: BaseException) -> str:
    """First line of an exception's message, shortened, for a reason a user reads."""
    lines = str(error).strip().splitlines()
    detail = lines[0][:100] if lines else type(error).__name__
    return detail[:1].lower() + detail[1:]


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _make_title(line: str, stem: str) -> str:
    """`line` on one line, shortened at a word; the file name if `line` is really a paragraph."""
    title = " ".join(line.split())
    if not title or len(title) > _LONG_LINE:
        return " ".join(re.sub(r"[-_]+", " ", stem).split()) or stem
    if len(title) <= _TITLE_MAX:
        return title
    return title[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(" ,;:-–") + "…"


def _decode_text(data: bytes) -> str:
    """UTF-8 text (with or without BOM), or a reason saying what the bytes look like instead."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("not UTF-8 text (looks like UTF-16); convert it to UTF-8")
    sample = data[:65536]
    if b"\x00" in sample or sum(byte in _CONTROL_BYTES for byte in sample) > len(sample) // 10:
        raise _Unreadable("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = _guess_encoding(data)
        raise _Unreadable(f"not UTF-8 text (looks like {encoding}); convert it to UTF-8") from None


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
    """The markdown source as is; title from front matter `title:` or the first `# ` heading."""
    text = _decode_text(data)
    heading = _ATX_H1.search(text)
    return text, _front_matter_title(text) or (heading.group(1) if heading else None)


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
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except Exception as error:  # noqa: BLE001 - pypdf raises many types for broken files
        raise _Unreadable(f"corrupt PDF: {_short(error)}") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise _Unreadable("PDF has no text layer (scanned?)")
    return text, title if isinstance(title, str) else None


def _open_pdf(data: bytes) -> pypdf.PdfReader:
    """A reader ready to extract from, or why not; PDFs with an empty user password are opened."""
    if b"%PDF-" not in data[:1024]:
        raise _Unreadable("corrupt PDF: not a PDF file (no %PDF header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as error:  # noqa: BLE001 - see _pdf
        raise _Unreadable(f"corrupt PDF: {_short(error)}") from error
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # noqa: BLE001 - e.g. an AES cipher pypdf cannot handle here
            opened = False
        if not opened:
            raise _Unreadable("encrypted PDF (password-protected); save an unprotected copy")
    return reader


def _docx(data: bytes) -> tuple[str, str | None]:
    """Paragraphs and table rows in document order, blank line between them."""
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - zip, XML and package errors all mean "corrupt"
        raise _Unreadable(f"corrupt DOCX: {_short(error)}") from error
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


def _docx_row(row: _Row) -> str:
    cells: list[str] = []
    for cell in row.cells:
        if not cells or cells[-1] != cell.text:  # a merged cell repeats in every column it spans
            cells.append(cell.text)
    return "\t".join(cells)


# raw bytes -> (text, title if the format says one)
_EXTRACTORS: dict[str, Callable[[bytes], tuple[str, str | None]]] = {
    ".txt": _plain_text,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
