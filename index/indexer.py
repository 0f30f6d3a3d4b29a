"""Bring the index in line with the documents folder, embedding only what changed.

Each file's content hash is stored with its passages. On every run: unchanged files are
skipped; new and changed files are re-chunked, and only passages whose content-derived id is
new are embedded (the rest, and every passage of unchanged files, are copied with their
vectors from the current generation); deleted files simply do not come along. What is
embedded goes through `index.cache.embed_once`: a text that repeats is embedded once, and one
embedded before (by any build, of any folder, with the same model) comes from the cache. The
result is a new generation, switched in atomically (see `index.store`), that records what built
it (`index.records.BuildInfo`): a generation built with another model, passage length or index
format is rebuilt, not mixed. Nothing changed: nothing is written. A folder that is missing or
empty never replaces an index (`NoDocuments`); only `rebuild` does. One writer at a time: a
lock file in the data folder serialises updates on this machine, a lease in the store
(`index.lease`) across machines sharing a Chroma server.

Whatever fails (the store, the disk, a kill), the previous generation stays as it was and
keeps answering: a failed build is deleted, one that was killed is deleted by the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from index.cache import EmbeddingCache, embed_once, text_digest
from index.chunking import Chunk, chunk_text
from index.embeddings import embedding_model_id
from index.errors import (
    IndexBusy,
    IndexError_,
    NoDocuments,
    StoreUnavailable,
    UnreadableDocument,
    UpdateFailed,
)
from index.lease import StoreLease
from index.loaders import (
    SkippedFile,
    SourceDocument,
    discover,
    file_hash,
    load_document,
)
from index.records import (
    BuildInfo,
    IndexInfo,
    PassageRecord,
    SentenceRecord,
    sentence_id,
)
from index.report import IndexReport, plural
from index.settings import IndexSettings
from index.store import Generation, IndexStore, add_batched, describe, get_by_ids

log = logging.getLogger(__name__)

#: Sources of files in the uploads folder start with this.
UPLOADS_PREFIX = "uploads/"

Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed), after each batch


def sync_index(
    store: IndexStore,
    embeddings: Embeddings,
    docs_dir: Path,
    lock_path: Path,
    *,
    settings: IndexSettings | None = None,
    cache: EmbeddingCache | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 600.0,
    uploads_dir: Path | None = None,
) -> IndexReport:
    """Update the index from `docs_dir`; with `rebuild`, build it anew (cached vectors are reused).
    `settings` (passage length, file limits; `bot.config.Settings` is one) default to
    `IndexSettings()`'s.

    Files in `uploads_dir` (documents sent to the bot), when given, are indexed too, under
    sources named "uploads/<file>"; a missing uploads folder is an empty one.

    A second update waits for the running one up to `lock_timeout` seconds, then raises
    IndexBusy. A folder that is missing or holds no readable document raises NoDocuments and
    keeps the index (with `rebuild`, an empty folder makes an empty index). Failures raise
    StoreUnavailable (the store or data folder cannot be used) or UpdateFailed (the build broke
    off); either way the previous index is unchanged.
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
    settings = settings or IndexSettings()
    plan = _Plan(docs_dir, settings.chunk_chars, settings.max_file_bytes, settings.max_passages_per_file, rebuild,
                 BuildInfo(settings.chunk_chars, embedding_model_id(embeddings), 0), uploads_dir)
    try:
        with StoreLease(store, timeout=max(0.0, deadline - time.monotonic())) as lease:
            return _sync(store, embeddings, plan, cache, progress, lease)
    except IndexError_:
        raise
    except Exception as exc:
        log.debug("index update failed", exc_info=True)
        raise UpdateFailed(f"The index update failed: {describe(exc)}. The previous index is unchanged.") from exc
    finally:
        lock.release()


@dataclass(frozen=True)
class _Plan:
    docs_dir: Path
    chunk_chars: int
    max_bytes: int
    max_passages: int
    rebuild: bool
    build: BuildInfo
    uploads_dir: Path | None = None

    def files(self, report: IndexReport) -> list[tuple[str, Path, Path]]:
        """(source, path, folder) of every supported file of the documents and uploads folders,
        sorted by source; what is left out goes to `report.skipped`."""
        found, report.skipped = discover(self.docs_dir, self.max_bytes)
        files = [(path.relative_to(self.docs_dir).as_posix(), path, self.docs_dir) for path in found]
        if self.uploads_dir is not None and self.uploads_dir.is_dir():
            uploaded, skipped = discover(self.uploads_dir, self.max_bytes)
            report.skipped += [replace(s, source=UPLOADS_PREFIX + s.source) for s in skipped]
            taken = {source for source, _, _ in files}
            for path in uploaded:
                source = UPLOADS_PREFIX + path.relative_to(self.uploads_dir).as_posix()
                if source in taken:
                    report.skipped.append(SkippedFile(source, "a file of the documents folder has this name"))
                else:
                    files.append((source, path, self.uploads_dir))
        files.sort(key=lambda item: item[0])
        return files


def _sync(
    store: IndexStore, embeddings: Embeddings, plan: _Plan, cache: EmbeddingCache | None,
    progress: Progress | None, lease: StoreLease,
) -> IndexReport:
    started = time.perf_counter()
    docs_dir = plan.docs_dir
    report = IndexReport(name=store.name)
    if not docs_dir.is_dir():
        problem = "is not a folder" if docs_dir.exists() else "does not exist"
        raise NoDocuments(f"The documents folder {docs_dir} {problem}; {_kept(store)}")
    files = plan.files(report)
    current = store.active()
    rebuild = plan.rebuild
    if current is not None and not rebuild:
        built = current.info.build
        report.rebuilt_because = (built.differs(plan.build) if built is not None
                                  else "it was built by an older citebot that did not record how")
        rebuild = report.rebuilt_because is not None
    # What the current generation holds: source -> content hash; passage ids per source.
    indexed: dict[str, str] = {}
    old_ids: dict[str, list[str]] = {}
    if current is not None and not rebuild:
        for source, (doc_hash, ids) in current.files().items():
            indexed[source], old_ids[source] = doc_hash, ids

    keep: list[str] = []  # sources carried over as they are
    fresh: list[tuple[SourceDocument, list[Chunk]]] = []
    for source, path, folder in files:
        digest = file_hash(path)
        if indexed.get(source) == digest:
            keep.append(source)
            report.unchanged.append(source)
            continue
        try:
            document = replace(load_document(path, folder), source=source)
            estimate = len(document.text) // plan.chunk_chars + 1
            if estimate > plan.max_passages:
                raise UnreadableDocument(source, (
                    f"its text would make about {estimate} passages, more than the limit of {plan.max_passages} "
                    "per file (CITEBOT_MAX_PASSAGES_PER_FILE); split it or raise the limit"))
        except UnreadableDocument as exc:
            if source in indexed:  # keep the last good version rather than lose it
                keep.append(source)
                report.skipped.append(SkippedFile(source, f"{exc.reason} (the previously indexed version is kept)"))
            else:
                report.skipped.append(SkippedFile(source, exc.reason))
            continue
        (report.changed if source in indexed else report.added).append(source)
        fresh.append((document, chunk_text(document.text, source, document.title, plan.chunk_chars)))
    seen = {source for source, _, _ in files}
    report.removed = sorted(source for source in indexed if source not in seen)
    if not keep and not fresh and not plan.rebuild:
        skipped = f" ({plural(len(report.skipped), 'file')} skipped: see `citebot index` output)" if report.skipped else ""
        raise NoDocuments(f"The documents folder {docs_dir} holds no document citebot can read (txt, md, html, "
                          f"pdf, docx){skipped}; {_kept(store)}")

    same_folder = current is not None and current.info.docs_dir == str(docs_dir.resolve())
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
        dimension = current.info.build.dimension if current is not None and current.info.build else 0
        if current is not None and reusable:
            _copy(current, target, sorted(reusable), doc_hashes)
        dimension = _embed(target, embeddings, plan.build.model, cache, new_chunks, doc_hashes, progress,
                           report) or dimension
        lease.check()
        info = IndexInfo(store.name, str(docs_dir.resolve()), report.documents, report.chunks, time.time(),
                         replace(plan.build, dimension=dimension))
        store.publish(target, info)
    except BaseException:  # readers never saw it; the previous generation is untouched
        store.discard(target.number)
        raise
    _collect_garbage(store, keep=target.number)
    report.generation = target.number
    report.seconds = time.perf_counter() - started
    return report


def _kept(store: IndexStore) -> str:
    """"the index X (N documents) is kept", or that there is none, for NoDocuments messages."""
    try:
        current = store.active()
    except IndexError_:
        current = None
    if current is None:
        return "nothing was indexed."
    info = current.info
    return (f"the index {store.name} ({plural(info.documents, 'document')} from {info.docs_dir}) is kept. "
            "Only `citebot index --rebuild` replaces it with an empty one.")


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
    passages = [PassageRecord.from_store(*row) for row in zip(chunks["ids"], chunks["documents"], chunks["metadatas"])]
    passages = [replace(p, doc_hash=doc_hashes.get(p.source, p.doc_hash)) for p in passages]
    add_batched(target.chunks, chunks["ids"], embeddings=chunks["embeddings"],
                documents=chunks["documents"], metadatas=[p.metadata() for p in passages])
    sentence_ids = [sentence_id(p.id, i) for p in passages for i in range(p.sentences)]
    sentences = get_by_ids(source.sentences, sentence_ids, include)
    add_batched(target.sentences, sentences["ids"], embeddings=sentences["embeddings"],
                documents=sentences["documents"], metadatas=sentences["metadatas"])


def _embed(
    target: Generation, embeddings: Embeddings, model: str, cache: EmbeddingCache | None, chunks: list[Chunk],
    doc_hashes: dict[str, str], progress: Progress | None, report: IndexReport, group: int = 16,
) -> int:
    """Embed new passages (with their title, as context) and their sentences, each distinct text
    once and none the cache holds; store them `group` passages at a time. Returns the vectors'
    length (0: none embedded or cached)."""
    def inputs(part: list[Chunk]) -> tuple[list[PassageRecord], list[SentenceRecord], list[str]]:
        passages = [PassageRecord(c.id, c.source, c.title, c.text, c.start, c.end, len(c.sentences),
                                  doc_hashes[c.source]) for c in part]
        sentences = [SentenceRecord(c.id, n, c.source, c.text[start - c.start : end - c.start], start, end)
                     for c in part for n, (start, end) in enumerate(c.sentences)]
        return passages, sentences, [f"{p.title}\n\n{p.text}" for p in passages] + [s.text for s in sentences]

    memo = _BuildMemo(cache)
    groups = [inputs(chunks[i : i + group]) for i in range(0, len(chunks), group)]
    every = [text for _, _, texts in groups for text in texts]
    distinct = {text_digest(text) for text in every}
    total = len(distinct) - len(memo.get_many(model, list(distinct)))  # what the model has to embed
    report.repeats, report.cached = len(every) - len(distinct), memo.from_cache
    dimension = len(next(iter(memo.vectors.values()))) if memo.vectors else 0
    if progress:
        progress(0, total)
    for passages, sentences, texts in groups:
        first: list[int] = []  # what embed_once counts as done before its first batch (the memo's)

        def advance(done: int, _: int) -> None:
            first.append(done)
            if progress:
                progress(report.embedded + done - first[0], total)

        found, stats = embed_once(texts, embeddings.embed_documents, model, memo, on_batch=advance)
        vectors = [np.asarray(v, dtype=np.float32) for v in found]
        report.embedded += stats.embedded
        report.embed_seconds += stats.seconds
        dimension = dimension or (len(vectors[0]) if vectors else 0)
        add_batched(target.chunks, [p.id for p in passages], embeddings=vectors[: len(passages)],
                    documents=[p.text for p in passages], metadatas=[p.metadata() for p in passages])
        add_batched(target.sentences, [s.id for s in sentences], embeddings=vectors[len(passages):],
                    documents=[s.text for s in sentences], metadatas=[s.metadata() for s in sentences])
    return dimension


class _BuildMemo:
    """The vectors one build has, in front of the embedding cache: a text repeated anywhere in the
    build is embedded once even with no cache (`embed_once` sees one group of passages at a time)."""

    def __init__(self, cache: EmbeddingCache | None) -> None:
        self.cache = cache
        self.vectors: dict[str, np.ndarray] = {}  # float32: a 30,000-text build holds ~46 MB
        self.from_cache = 0  # distinct texts the cache had

    def get_many(self, model: str, digests: Sequence[str]) -> dict[str, list[float]]:
        missing = [d for d in digests if d not in self.vectors]
        if missing and self.cache is not None:
            found = self.cache.get_many(model, missing)
            self.from_cache += len(found)
            self.vectors.update((d, np.asarray(v, dtype=np.float32)) for d, v in found.items())
        return {d: self.vectors[d] for d in digests if d in self.vectors}

    def put_many(self, model: str, items: Mapping[str, Sequence[float]]) -> None:
        self.vectors.update((d, np.asarray(v, dtype=np.float32)) for d, v in items.items())
        if self.cache is not None:
            self.cache.put_many(model, items)
