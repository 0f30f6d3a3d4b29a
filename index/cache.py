"""Each text embedded once.

Within one build, identical texts (the same passage in two files, a sentence repeated across
documents) are embedded once. Across builds, an embedding cache keyed by (embedding model id,
SHA-256 of the text) keeps every vector the model has computed, so rebuilding from scratch,
re-chunking (a passage that comes out the same) or switching to another documents folder
pays only for texts the model has never seen. The cache is a SQLite file: it has a size bound
(the vectors' bytes; when it is exceeded the least recently used entries are evicted down to
90 % of it) and is safe under concurrent writers, several processes or threads (WAL mode, a
busy timeout, short write transactions). Vectors are stored as float32, which is what the
vector store keeps anyway; `embed_once` rounds fresh vectors the same way, so an index built
from the cache is identical to one built without it.

The cache is an optimisation and must never make an index build fail: a cache that cannot be
used (a read-only folder, a damaged file, a lock held too long) is logged once as a warning
and the build goes on without it. A damaged file is left as it is, never deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_CHUNK = 499  # digests per query: with the model id, 500 parameters
# A rowid table, not WITHOUT ROWID: a 384-float vector (1.5 KB) overflows an index b-tree page and
# takes a whole 4 KB overflow page of its own (file ~3x the vectors' bytes), while a rowid table
# keeps it in the leaf (~1.4x). `size` holds the vectors' total bytes, kept by triggers, so the
# bound costs no scan of the table.
_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL, digest TEXT NOT NULL, vector BLOB NOT NULL, used REAL NOT NULL, PRIMARY KEY (model, digest));
CREATE INDEX IF NOT EXISTS embeddings_used ON embeddings (used);
CREATE TABLE IF NOT EXISTS size (id INTEGER PRIMARY KEY CHECK (id = 0), bytes INTEGER NOT NULL);
INSERT INTO size SELECT 0, (SELECT COALESCE(SUM(length(vector)), 0) FROM embeddings)
    WHERE NOT EXISTS (SELECT 1 FROM size);
CREATE TRIGGER IF NOT EXISTS size_insert AFTER INSERT ON embeddings
    BEGIN UPDATE size SET bytes = bytes + length(NEW.vector); END;
CREATE TRIGGER IF NOT EXISTS size_delete AFTER DELETE ON embeddings
    BEGIN UPDATE size SET bytes = bytes - length(OLD.vector); END;
CREATE TRIGGER IF NOT EXISTS size_update AFTER UPDATE OF vector ON embeddings
    BEGIN UPDATE size SET bytes = bytes + length(NEW.vector) - length(OLD.vector); END;
COMMIT;
"""


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model id, text digest) in a SQLite file (WAL mode, busy timeout 30 s).

    Table `embeddings`: model TEXT, digest TEXT, vector BLOB (float32 bytes), used REAL
    (time.time() of the last write or hit), PRIMARY KEY (model, digest). The bound `max_mb` is
    in MiB of vector bytes (the file itself is ~1.4x that, and does not shrink after eviction:
    freed pages are reused). One connection shared by threads, guarded by a lock.
    """

    def __init__(self, path: Path, max_mb: float = 512.0) -> None:
        self.path = Path(path)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._disabled = False

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA busy_timeout = 30000")
                _wal(conn)
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.executescript(_SCHEMA)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _fail(self, action: str, exc: Exception) -> None:
        """Called with the lock held: warn once, close, and work without the cache from now on."""
        if not self._disabled:
            reason = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
            log.warning("embedding cache %s unusable (%s: %s); going on without it", self.path, action, reason)
        self._disabled = True
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def get_many(self, model: str, digests: Sequence[str]) -> dict[str, list[float]]:
        """The cached vectors among `digests` (missing ones are simply absent); marks them used."""
        wanted = list(dict.fromkeys(digests))
        found: dict[str, list[float]] = {}
        with self._lock:
            if self._disabled or not wanted:
                return found
            try:
                conn, now = self._connection(), time.time()
                with _write(conn):  # one snapshot, and the hits marked used in the same transaction
                    for i in range(0, len(wanted), _CHUNK):
                        chunk = wanted[i : i + _CHUNK]
                        where = f"WHERE model = ? AND digest IN ({','.join('?' * len(chunk))})"
                        rows = conn.execute(f"SELECT digest, vector FROM embeddings {where}", (model, *chunk))
                        for digest, blob in rows.fetchall():
                            if isinstance(blob, bytes) and blob and len(blob) % 4 == 0:  # else: as if missing
                                found[digest] = np.frombuffer(blob, dtype=np.float32).tolist()
                        conn.execute(f"UPDATE embeddings SET used = ? {where}", (now, model, *chunk))
            except (sqlite3.Error, OSError) as exc:
                self._fail("reading", exc)
                return {}
        return found

    def put_many(self, model: str, items: Mapping[str, Sequence[float]]) -> None:
        """Stores vectors (replacing any under the same key) in one transaction, then keeps the bound."""
        if not items:
            return
        now = time.time()
        rows = [(model, key, np.asarray(vector, dtype=np.float32).tobytes(), now) for key, vector in items.items()]
        with self._lock:
            if self._disabled:
                return
            try:
                conn = self._connection()
                with _write(conn):
                    # INSERT OR REPLACE would skip the delete trigger that keeps `size`; an upsert does not.
                    conn.executemany(
                        "INSERT INTO embeddings (model, digest, vector, used) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (model, digest) DO UPDATE SET vector = excluded.vector, used = excluded.used",
                        rows,
                    )
                    self._evict(conn)
            except (sqlite3.Error, OSError) as exc:
                self._fail("writing", exc)

    def _evict(self, conn: sqlite3.Connection) -> None:
        (total,) = conn.execute("SELECT bytes FROM size").fetchone()
        if total <= self.max_bytes:
            return
        excess, doomed = total - int(self.max_bytes * 0.9), []
        cursor = conn.execute("SELECT rowid, length(vector) FROM embeddings ORDER BY used")
        for rowid, size in cursor:
            doomed.append((rowid,))
            excess -= size
            if excess <= 0:
                break
        cursor.close()
        conn.executemany("DELETE FROM embeddings WHERE rowid = ?", doomed)

    def stats(self) -> tuple[int, int]:
        """(entries, bytes of vectors), counted; (0, 0) for a cache that cannot be used."""
        with self._lock:
            if self._disabled:
                return 0, 0
            try:
                query = "SELECT COUNT(*), COALESCE(SUM(length(vector)), 0) FROM embeddings"
                count, size = self._connection().execute(query).fetchone()
            except (sqlite3.Error, OSError) as exc:
                self._fail("reading", exc)
                return 0, 0
        return int(count), int(size)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _wal(conn: sqlite3.Connection) -> None:
    """PRAGMA journal_mode = WAL, retried: two processes switching a new file at once get
    SQLITE_BUSY at once, without the busy handler (seen in tests: 6 of 20 openings failed)."""
    deadline = time.monotonic() + 30.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: the write lock up front, so a concurrent writer waits in the
    busy handler instead of failing on a lock upgrade; ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


@dataclass
class EmbedStats:
    texts: int = 0  # texts asked for
    unique: int = 0  # distinct texts among them
    cached: int = 0  # distinct texts whose vector came from the cache
    embedded: int = 0  # distinct texts the model embedded in this call
    seconds: float = 0.0  # time spent in the model


def embed_once(
    texts: Sequence[str],
    embed: Callable[[list[str]], list[list[float]]],
    model: str,
    cache: EmbeddingCache | None,
    *,
    batch_size: int = 32,
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[list[list[float]], EmbedStats]:
    """Vectors for `texts` in order: duplicates embedded once, cached ones not at all; new vectors
    stored in the cache after each batch (so a build killed half-way keeps what it paid for).

    Missing texts go to `embed` in batches of `batch_size`, in order of first occurrence.
    `on_batch(done, total)` counts distinct texts (cached ones included): called once at the
    start and after every batch. Duplicates share one list object in the result.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    distinct = list(dict.fromkeys(texts))
    stats = EmbedStats(texts=len(texts), unique=len(distinct))
    digests = {text: text_digest(text) for text in distinct}
    found = cache.get_many(model, list(digests.values())) if cache is not None and distinct else {}
    vectors = {text: found[digest] for text, digest in digests.items() if digest in found}
    stats.cached = len(vectors)
    missing = [text for text in distinct if text not in vectors]
    if on_batch is not None:
        on_batch(len(vectors), len(distinct))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        began = time.perf_counter()
        out = embed(batch)
        stats.seconds += time.perf_counter() - began
        if len(out) != len(batch):
            raise ValueError(f"the embedding model returned {len(out)} vectors for {len(batch)} texts")
        fresh = {text: np.asarray(vector, dtype=np.float32).tolist() for text, vector in zip(batch, out, strict=True)}
        vectors.update(fresh)
        stats.embedded += len(batch)
        if cache is not None:
            cache.put_many(model, {digests[text]: vector for text, vector in fresh.items()})
        if on_batch is not None:
            on_batch(len(vectors), len(distinct))
    return [vectors[text] for text in texts], stats
