"""Documents people send to the bot: checked, kept in the uploads folder, indexed, removable.

An upload is hostile input until proven otherwise. `safe_name` makes the sender's file name a
plain name inside the uploads folder (no path, no control characters, no hidden file, a bounded
length, a supported extension); the file is read in a scratch folder first, by a child process
bounded in time and memory (`index.sandbox`; `index.loaders` bounds what a PDF or DOCX may
unpack), and only a readable document whose content is not indexed yet reaches the uploads
folder. Anything refused changes nothing.

`Uploads` is used by `bot.core.AnswerCore.add_document` / `remove_document`, which index the
folder together with the documents folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from index.errors import UnreadableDocument
from index.indexer import UPLOADS_PREFIX
from index.loaders import SUPPORTED_SUFFIXES
from index.sandbox import READ_TIMEOUT, read_bounded
from index.settings import IndexSettings

#: Longest file name kept (characters, extension included).
MAX_NAME_CHARS = 100
_UNSAFE = re.compile(r"[^\w .,()+&'@-]+")

Outcome = Literal["added", "updated", "duplicate", "rejected", "removed", "not_found", "not_uploaded"]


@dataclass(frozen=True)
class UploadResult:
    """What became of an upload or a removal, for the front end to say."""

    outcome: Outcome
    name: str  #: the file name in the uploads folder (as sent, when refused before that)
    title: str = ""
    passages: int = 0
    source: str = ""  #: the source that holds it in the index ("uploads/<name>", or the duplicate's)
    #: rejected: why, as the name of its reply (unsupported, too_big, unreadable, too_many_passages,
    #: not_plain; the front end says it in the user's language) and that reply's values
    why: str = ""
    values: dict[str, str] = field(default_factory=dict)


def safe_name(name: str | None, fallback: str = "document") -> str:
    """A file name that can only mean a file directly in the uploads folder: the last path
    component of `name`, NFC, control characters and unusual punctuation replaced by "_",
    no leading dots or spaces, at most MAX_NAME_CHARS characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join("_" if unicodedata.category(ch)[0] == "C" else ch for ch in name)
    name = _UNSAFE.sub("_", name).strip(" ._") or fallback
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    suffix = suffix[:10]
    room = MAX_NAME_CHARS - len(suffix) - 1
    stem = stem[:room].rstrip(" ._") or fallback
    return f"{stem}.{suffix}" if suffix else stem


class Uploads:
    """The uploads folder of one index."""

    def __init__(self, folder: Path, scratch: Path, settings: IndexSettings) -> None:
        self.folder = folder
        self.scratch = scratch  # where a file is read before it may enter the folder
        self.max_bytes = settings.max_file_bytes
        self.max_passages = settings.max_passages_per_file
        self.chunk_chars = settings.chunk_chars
        self.read_timeout = READ_TIMEOUT  # seconds a file may take to read

    def check(self, file_name: str | None, data: bytes, indexed: dict[str, str]) -> UploadResult | Path:
        """The path the upload will take in the folder, or why it is refused or needs nothing:
        unsupported, too big, unreadable, or a duplicate of an indexed file (`indexed`: source
        -> content hash). Reads the document in a scratch folder; writes nothing to the folder."""
        name = safe_name(file_name)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return UploadResult("rejected", name, why="unsupported", values={
                "suffix": suffix or name, "supported": ", ".join(sorted(SUPPORTED_SUFFIXES))})
        if len(data) > self.max_bytes:
            return UploadResult("rejected", name, why="too_big", values={"mb": f"{self.max_bytes / 1024 / 1024:g}"})
        digest = hashlib.sha256(data).hexdigest()
        for source, content_hash in sorted(indexed.items()):
            if content_hash == digest:
                return UploadResult("duplicate", name, source=source)
        self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.scratch) as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                document = read_bounded(path, timeout=self.read_timeout)
            except UnreadableDocument as error:
                return UploadResult("rejected", name, why="unreadable", values={"detail": error.reason})
        estimate = len(document.text) // self.chunk_chars + 1
        if estimate > self.max_passages:
            return UploadResult("rejected", name, why="too_many_passages",
                                values={"passages": str(estimate), "limit": str(self.max_passages)})
        target = self.folder / name
        if target.resolve().parent != self.folder.resolve():  # cannot happen with safe_name; never trust it
            return UploadResult("rejected", name, why="not_plain")
        return target

    def put(self, target: Path, data: bytes) -> bytes | None:
        """Write the upload to the folder atomically; return the bytes it replaced, if any."""
        self.folder.mkdir(parents=True, exist_ok=True)
        previous = target.read_bytes() if target.is_file() else None
        temporary = target.with_name(f".{target.name}.part")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        return previous

    def find(self, name: str, sources: dict[str, str]) -> str | None:
        """The indexed source `name` means: an uploaded file's name or source, or a document's
        title (`sources`: source -> title), compared without case; None if none does."""
        wanted = {" ".join(name.split()).casefold(), safe_name(name).casefold()}
        for source, title in sorted(sources.items()):
            if wanted & {source.casefold(), source.removeprefix(UPLOADS_PREFIX).casefold(), title.casefold()}:
                return source
        return None

    def path_of(self, source: str) -> Path | None:
        """The file of an uploaded source; None for a source of the documents folder."""
        if not source.startswith(UPLOADS_PREFIX):
            return None
        path = self.folder / source.removeprefix(UPLOADS_PREFIX)
        return path if path.resolve().is_relative_to(self.folder.resolve()) else None
