"""Bring the index in line with the documents folder, embedding only what changed.

Each file's content hash is stored with its passages. On every run: unchanged files are
skipped; new and changed files are re-chunked, and only passages whose content-derived id is
new are embedded (the rest, and every passage of unchanged files, are copied with their
vectors from the current generation); deleted files simply do not come along. The result is
a new generation, switched in atomically (see `index.store`). Nothing changed: nothing is
written. One writer at a time: a lock file in the data folder serialises updates on this
machine, a lease in the store (`index.lease`) across machines sharing a Chroma server.

Whatever fails (the store, the disk, a kill), the previous generation stays as it was and
keeps answering: a failed build is deleted, one that was killed is deleted by the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from index.chunking import Chunk, chunk_text
from index.errors import IndexBusy, IndexError_, StoreUnavailable, UnreadableDocument, UpdateFailed
from index.lease import StoreLease
from index.loaders import SkippedFile, SourceDocument, discover, file_hash, load_document
from index.store import Generation, IndexStore, add_batched, describe, get_all, get_by_ids

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (passages embedded so far, passages to embed)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # passages and sentences embedded in this run
    reused: int = 0  # passages whose vectors were carried over
    generation: int | None = None
    seconds: float = 0.0

    @property
    def modified(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        lines = [
            f"{self.documents} documents, {self.chunks} passages in the index "
            f"({len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped) in {self.seconds:.1f} s."
        ]
        if self.modified:
            lines.append(f"Embedded {self.embedded} texts, reused {self.reused} passages.")
        for label, names in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            lines += [f"  {label}: {name}" for name in names]
        lines += [f"  skipped: {s.source}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)

    __str__ = summary


def sync_index(
    store: IndexStore,
    embeddings: Embeddings,
    docs_dir: Path,
    lock_path: Path,
    *,
    chunk_chars: int = 900,
    max_bytes: int = 20 * 1024 * 1024,
    rebuild: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 600.0,
) -> IndexReport:
    """Update the index from `docs_dir`; with `rebuild`, re-embed everything from scratch.

    A second update waits for the running one up to `lock_timeout` seconds, then raises
    IndexBusy. Failures raise StoreUnavailable (the store or data folder cannot be used) or
    UpdateFailed (the build broke off); either way the previous index is unchanged.
    """
    deadline = time.monotonic() + lock_timeout
    lock = FileLock(str(lock_path), timeout=lock_timeout)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout as exc:
        raise IndexBusy(
            f"Another index update is running (lock {lock_path}); it did not finish within "
            f"{lock_timeout:.0f} s. Try again when it is done."
        ) from exc
    except OSError as exc:
        raise StoreUnavailable(
            f"Cannot write the index lock {lock_path}: {describe(exc)}. Check that CITEBOT_DATA_DIR "
            f"({lock_path.parent}) is a folder citebot may write to."
        ) from exc
    try:
        with StoreLease(store, timeout=max(0.0, deadline - time.monotonic())) as lease:
            return _sync(store, embeddings, docs_dir, chunk_chars, max_bytes, rebuild, progress, lease)
    except (IndexError_, FileNotFoundError, NotADirectoryError):
        raise
    except Exception as exc:
        log.debug("index update failed", exc_info=True)
        raise UpdateFailed(f"The index update failed: {describe(exc)}. The previous index is unchanged.") from exc
    finally:
        lock.release()


def _sync(
    store: IndexStore, embeddings: Embeddings, docs_dir: Path, chunk_chars: int, max_bytes: int,
    rebuild: bool, progress: Progress | None, lease: StoreLease,
) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    paths, report.skipped = discover(docs_dir, max_bytes)
    current = store.active()
    # What the current generation holds: source -> content hash; chunk ids per source.
    indexed: dict[str, str] = {}
    old_ids: dict[str, list[str]] = {}
    if current is not None and not rebuild:
        records = get_all(current.chunks, ["metadatas"])
        for chunk_id, meta in zip(records["ids"], records["metadatas"]):
            indexed[meta["source"]] = meta["doc_hash"]
            old_ids.setdefault(meta["source"], []).append(chunk_id)

    keep: list[str] = []  # sources carried over as they are
    fresh: list[tuple[SourceDocument, list[Chunk]]] = []
    for path in paths:
        source = path.relative_to(docs_dir).as_posix()
        digest = file_hash(path)
        if indexed.get(source) == digest:
            keep.append(source)
            report.unchanged.append(source)
            continue
        try:
            document = load_document(path, docs_dir)
        except UnreadableDocument as exc:
            if source in indexed:  # keep the last good version rather than lose it
                keep.append(source)
                report.skipped.append(SkippedFile(source, f"{exc.reason} (the previously indexed version is kept)"))
            else:
                report.skipped.append(SkippedFile(source, exc.reason))
            continue
        (report.changed if source in indexed else report.added).append(source)
        fresh.append((document, chunk_text(document.text, source, document.title, chunk_chars)))
    seen = {p.relative_to(docs_dir).as_posix() for p in paths}
    report.removed = sorted(source for source in indexed if source not in seen)

    same_folder = current is not None and current.info.get("docs_dir") == str(docs_dir.resolve())
    if current is not None and not rebuild and not report.modified and same_folder:
        report.generation = current.number
        report.documents = len(keep)
        report.chunks = sum(len(old_ids[s]) for s in keep)
        _collect_garbage(store, keep=current.number)  # what a killed update left behind
        report.seconds = time.perf_counter() - started
        return report

    reusable = {i for s in keep for i in old_ids[s]}
    old_all = {i for ids in old_ids.values() for i in ids}
    new_chunks: list[Chunk] = []
    doc_hashes: dict[str, str] = {}
    for document, chunks in fresh:
        doc_hashes[document.source] = document.content_hash
        for chunk in chunks:
            (reusable.add(chunk.id) if chunk.id in old_all else new_chunks.append(chunk))
    report.reused = len(reusable)
    report.documents = len(keep) + len(fresh)
    report.chunks = report.reused + len(new_chunks)

    target = store.create()
    try:
        if current is not None and reusable:
            _copy(current, target, sorted(reusable), doc_hashes)
        report.embedded = _embed(target, embeddings, new_chunks, doc_hashes, progress)
        lease.check()
        store.publish(target, documents=report.documents, chunks=report.chunks, docs_dir=str(docs_dir.resolve()))
    except BaseException:  # readers never saw it; the previous generation is untouched
        store.discard(target.number)
        raise
    _collect_garbage(store, keep=target.number)
    report.generation = target.number
    report.seconds = time.perf_counter() - started
    return report


def _collect_garbage(store: IndexStore, keep: int) -> None:
    """Delete every generation but `keep`; a failure leaves them for the next update."""
    try:
        store.collect_garbage(keep=keep)
    except Exception as exc:
        log.warning("old index generations were not deleted (the next update will): %s", describe(exc))


def _copy(source: Generation, target: Generation, chunk_ids: list[str], doc_hashes: dict[str, str]) -> None:
    """Carry passages (and their sentences) over with their vectors; refresh changed files' hashes."""
    include = ["embeddings", "documents", "metadatas"]
    chunks = get_by_ids(source.chunks, chunk_ids, include)
    for meta in chunks["metadatas"]:
        meta["doc_hash"] = doc_hashes.get(meta["source"], meta["doc_hash"])
    add_batched(target.chunks, chunks["ids"], embeddings=chunks["embeddings"],
                documents=chunks["documents"], metadatas=chunks["metadatas"])
    sentence_ids = [f"{c}:{i}" for c, meta in zip(chunks["ids"], chunks["metadatas"]) for i in range(meta["sentences"])]
    sentences = get_by_ids(source.sentences, sentence_ids, include)
    add_batched(target.sentences, sentences["ids"], embeddings=sentences["embeddings"],
                documents=sentences["documents"], metadatas=sentences["metadatas"])


def _embed(
    target: Generation, embeddings: Embeddings, chunks: list[Chunk], doc_hashes: dict[str, str],
    progress: Progress | None, batch: int = 32,
) -> int:
    """Embed new passages (with their title, as context) and their sentences, in batches."""
    embedded = 0
    if progress:
        progress(0, len(chunks))
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        vectors = embeddings.embed_documents([f"{c.title}\n\n{c.text}" for c in part])
        add_batched(
            target.chunks, [c.id for c in part], embeddings=vectors, documents=[c.text for c in part],
            metadatas=[
                {"source": c.source, "title": c.title, "start": c.start, "end": c.end,
                 "doc_hash": doc_hashes[c.source], "sentences": len(c.sentences)}
                for c in part
            ],
        )
        texts, ids, metas = [], [], []
        for c in part:
            for n, (start, end) in enumerate(c.sentences):
                texts.append(c.text[start - c.start : end - c.start])
                ids.append(f"{c.id}:{n}")
                metas.append({"chunk_id": c.id, "source": c.source, "start": start, "end": end})
        add_batched(target.sentences, ids, embeddings=embeddings.embed_documents(texts),
                    documents=texts, metadatas=metas)
        embedded += len(part) + len(texts)
        if progress:
            progress(min(i + batch, len(chunks)), len(chunks))
    return embedded
