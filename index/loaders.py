"""Find documents in the docs folder and turn each one into plain text.

`discover` walks the folder (deterministically, never leaving it, never looping) and says which
files it will not load and why. `load_document` turns one file into a `SourceDocument` whose
`text` is the string every chunk offset and every quote refers to; anything that goes wrong
becomes `UnreadableDocument` with a reason written for the user. Each format's extraction, and the
bounds on what a hostile file may unpack, are in `index.formats`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from index.errors import UnreadableDocument
from index.formats import EXTRACTORS, Unreadable, human_size, short_reason
from index.text import MONTHS, fold, sentence_spans

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(EXTRACTORS)

_TITLE_MAX = 120
_LONG_LINE = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
        return f"larger than {human_size(max_bytes)} (CITEBOT_MAX_FILE_MB)"
    return None


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



def load_document(path: Path, docs_dir: Path) -> SourceDocument:
    """Read one file into text and title; every failure is an `UnreadableDocument`."""
    source = _source_name(path, docs_dir)
    suffix = path.suffix.lower()
    extract = EXTRACTORS.get(suffix)
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
    except Unreadable as error:
        raise UnreadableDocument(source, str(error)) from error
    except Exception as error:  # noqa: BLE001 - the contract: nothing else escapes
        raise UnreadableDocument(source, f"could not be read ({short_reason(error)})") from error
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


def heading_of(text: str) -> str:
    """A document's first line, whole, when it is a title rather than a paragraph; "" otherwise.
    The title `load_document` gives may be shortened ("Russia – Meeting of the Minister … their
    Russian…"); this keeps what the end says ("(Paris, 12 November 2021)")."""
    line = " ".join(_first_line(text).split())
    return line if len(line) <= _LONG_LINE else ""


def setting_of(text: str, heading: str) -> str:
    """Where a document is set, from the start of its text (`text`, its first passage) and its
    `heading`: the place its heading or its lead (the first line that ends like a sentence) dates
    ("(Paris, 12 November 2021)", "in Moscow on September 9, 2019") or says it was held in ("held
    in Moscow", "s'est tenue à Paris", "состоялась в Москве"), joined by ", "; "" when none. A
    report says where it happened in its dateline or its lead; the other places it names are
    what happened there ("They called on Moscow to …" of the Paris meeting)."""
    lead = next((line.strip() for line in text.splitlines()
                 if _ENDS_SENTENCE.search(line) and " ".join(line.split()) != heading), "")
    lead = next((lead[start:end] for start, end in sentence_spans(lead)), "")  # its first sentence
    return ", ".join(dict.fromkeys(
        m.group(1) for part in (heading, lead) for pattern, dated in _SET_IN for m in pattern.finditer(part)
        if not dated or _dated(part, m.end())))


def _dated(text: str, at: int) -> bool:
    """Whether a date follows `at` in `text`: a day and a month either way round (`MONTHS`), or a
    year of the last two centuries ("…, 12 November 2021", " on September 9, 2019", " le 3 mai");
    not "in Python 3" nor "in RFC 4122"."""
    found = _DATE_AFTER.match(text, at)
    return found is not None and (found.group(3) is not None or fold(found.group(1) or found.group(2)) in MONTHS)


_PLACE = r"([A-ZÀ-ÝА-ЯЁ][\w'’-]+(?:\s+[A-ZÀ-ÝА-ЯЁ][\w'’-]+)?)"
_DATE_AFTER = re.compile(r",?\s+(?:on\s+|le\s+)?(?:\d{1,2}\s+(\w+)|(\w+)\s+\d|((?:19|20)\d\d)\b)")
#: A place a text is set in, and whether a date must follow it: a dateline ("(Paris, 12 November
#: 2021)"), a place dated ("in Moscow on September 9, 2019", "à Paris le 12 novembre", "в Москве 9
#: сентября"), or where something was held ("held in Moscow", "s'est tenue à Paris", "состоялась в Москве").
_SET_IN = (
    (re.compile(rf"\({_PLACE}(?=,)"), True),
    (re.compile(rf"(?<!\w)(?:in|at|à|в|во)\s+{_PLACE}"), True),
    (re.compile(rf"(?<!\w)(?:held|took place|hosted|convened|s['’]est tenue?|a eu lieu|состоял\w*|прош(?:ла|ёл|ел|ли))"
                rf"\s+(?:in|at|à|в|во)\s+{_PLACE}"), False),
)
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’»)]*\s*$")


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
