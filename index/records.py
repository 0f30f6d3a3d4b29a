"""What an index holds, as typed records: the one place that knows how they are stored.

A generation of an index is two Chroma collections (see `index.store`):

- passages (`<index>_g<N>_chunks`): id = 16 hex digits derived from the source and the
  passage's text; document = the passage's text; vector = the embedding of "title\\n\\ntext";
  metadata = `PassageRecord` fields below (`sentences` is how many sentences it has).
- sentences (`<index>_g<N>_sents`): id = "<passage id>:<position>"; document = the sentence;
  vector = its embedding; metadata = passage id, source and character offsets.

The passage collection's own metadata says what built the generation (`BuildInfo`) and what it
holds (`IndexInfo`). Nothing outside `index/` reads metadata dicts or parses ids: the answer
side gets these records from `index.store.Generation`'s reads.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: citebot's index format: bumped whenever what is stored changes meaning; another number rebuilds.
FORMAT = 2


@dataclass(frozen=True)
class PassageRecord:
    id: str
    source: str
    title: str
    text: str
    start: int  # offsets of the passage in its document's text
    end: int
    sentences: int  # how many sentences it has (their positions are 0..sentences-1)
    doc_hash: str  # content hash of the file it came from

    def metadata(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "start": self.start, "end": self.end,
                "doc_hash": self.doc_hash, "sentences": self.sentences}

    @classmethod
    def from_store(cls, id: str, text: str, meta: dict[str, Any]) -> PassageRecord:
        return cls(id, meta["source"], meta["title"], text, int(meta["start"]), int(meta["end"]),
                   int(meta["sentences"]), meta["doc_hash"])


@dataclass(frozen=True)
class SentenceRecord:
    passage_id: str
    position: int  # 0 for a passage's first sentence
    source: str
    text: str
    start: int  # offsets in the document's text
    end: int
    vector: np.ndarray | None = None

    @property
    def id(self) -> str:
        return sentence_id(self.passage_id, self.position)

    def metadata(self) -> dict[str, Any]:
        return {"chunk_id": self.passage_id, "source": self.source, "start": self.start, "end": self.end}

    @classmethod
    def from_store(cls, id: str, text: str, meta: dict[str, Any], vector: Any = None) -> SentenceRecord:
        return cls(meta["chunk_id"], int(id.rsplit(":", 1)[1]), meta["source"], text, int(meta["start"]),
                   int(meta["end"]), None if vector is None else np.asarray(vector, dtype=np.float32))


def sentence_id(passage_id: str, position: int) -> str:
    return f"{passage_id}:{position}"


@dataclass(frozen=True)
class DocumentRecord:
    source: str  # path relative to the documents folder
    title: str
    passages: int


def documents_of(passages: Iterable[PassageRecord]) -> list[DocumentRecord]:
    """The documents `passages` come from, with how many passages each has, by source."""
    found: dict[str, DocumentRecord] = {}
    for p in passages:
        known = found.get(p.source)
        found[p.source] = DocumentRecord(p.source, p.title, (known.passages if known else 0) + 1)
    return [found[source] for source in sorted(found)]


@dataclass(frozen=True)
class BuildInfo:
    """What built a generation; a generation built otherwise than the settings ask is rebuilt."""

    chunk_chars: int
    model: str  # the embedding model's id
    dimension: int  # its vectors' length (0: not known yet, nothing embedded)
    format: int = FORMAT

    def differs(self, wanted: BuildInfo) -> str | None:
        """Why a generation built with `self` cannot serve `wanted` (a short phrase), or None."""
        if self.format != wanted.format:
            return f"the index format changed ({self.format} -> {wanted.format})"
        if self.model != wanted.model:
            return f"the embedding model changed ({self.model} -> {wanted.model})"
        if wanted.dimension and self.dimension and self.dimension != wanted.dimension:
            return f"the embedding dimension changed ({self.dimension} -> {wanted.dimension})"
        if self.chunk_chars != wanted.chunk_chars:
            return f"the passage length changed ({self.chunk_chars} -> {wanted.chunk_chars} characters)"
        return None


@dataclass(frozen=True)
class IndexInfo:
    """One index as `citebot index --list` shows it."""

    name: str
    docs_dir: str
    documents: int
    passages: int
    published: float  # time.time() of the last update
    build: BuildInfo | None  # None: built by a citebot that did not record it

    def metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {"docs_dir": self.docs_dir, "documents": self.documents, "chunks": self.passages,
                               "published": self.published}
        if self.build is not None:
            out.update(chunk_chars=self.build.chunk_chars, model=self.build.model,
                       dimension=self.build.dimension, format=self.build.format)
        return out

    @classmethod
    def from_store(cls, name: str, meta: dict[str, Any]) -> IndexInfo:
        build = None
        if "model" in meta:
            build = BuildInfo(int(meta["chunk_chars"]), str(meta["model"]), int(meta["dimension"]), int(meta["format"]))
        return cls(name, str(meta.get("docs_dir", "")), int(meta.get("documents", 0)), int(meta.get("chunks", 0)),
                   float(meta.get("published", 0.0)), build)


_NOT_NAME = re.compile(r"[^a-z0-9]+")


def index_name_for(prefix: str, docs_dir: Path) -> str:
    """The name of a documents folder's own index: `<prefix>-<folder name>-<hash of its path>`.

    Each folder gets its own index, so switching `--docs` between folders never re-embeds;
    two folders with the same name in different places do not share one.
    """
    resolved = str(Path(docs_dir).expanduser().resolve())
    folded = unicodedata.normalize("NFKD", Path(resolved).name).encode("ascii", "ignore").decode().lower()
    slug = _NOT_NAME.sub("-", folded).strip("-")[:30].strip("-") or "docs"
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}"
