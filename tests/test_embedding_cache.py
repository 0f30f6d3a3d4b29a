"""The embedding cache: each text embedded once, across calls, restarts, processes and threads;
a size bound; and a cache that cannot be used never breaks the build. A counting fake model
(vectors derived from a hash of the text) stands in for the real one: the cache is under test."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from index.cache import EmbeddingCache, embed_once, text_digest

MODEL = "fake-model-v1"


def fake_vector(text: str, dim: int = 8) -> list[float]:
    raw = hashlib.sha512(text.encode("utf-8")).digest()
    while len(raw) < dim:
        raw += hashlib.sha512(raw).digest()
    return [(b - 127.5) / 7.0 for b in raw[:dim]]  # float64 values that float32 cannot hold exactly


class FakeModel:
    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.seen: list[str] = []
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            self.calls += 1
            self.seen.extend(texts)
        return [fake_vector(t, self.dim) for t in texts]


def assert_vectors(got: list[list[float]], texts: list[str], dim: int = 8) -> None:
    assert len(got) == len(texts)
    for vector, text in zip(got, texts, strict=True):
        assert type(vector) is list and all(type(x) is float for x in vector)
        np.testing.assert_allclose(vector, fake_vector(text, dim), rtol=1e-6, atol=1e-6)


def test_duplicates_embedded_once_in_order(tmp_path: Path) -> None:
    model = FakeModel()
    texts = ["alpha", "beta", "alpha", "gamma", "beta", "alpha"]
    vectors, stats = embed_once(texts, model, MODEL, EmbeddingCache(tmp_path / "c.sqlite"), batch_size=2)
    assert sorted(model.seen) == ["alpha", "beta", "gamma"]
    assert model.seen == ["alpha", "beta", "gamma"]  # first-occurrence order, not sorted by length
    assert_vectors(vectors, texts)
    assert (stats.texts, stats.unique, stats.cached, stats.embedded) == (6, 3, 0, 3)
    # Without a cache, duplicates are still embedded once.
    model2 = FakeModel()
    vectors2, _ = embed_once(texts, model2, MODEL, None)
    assert model2.seen == ["alpha", "beta", "gamma"] and vectors2 == vectors


def test_after_restart_nothing_is_embedded(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"  # the parent folder is created
    texts = [f"passage {i}" for i in range(50)]
    first, _ = embed_once(texts, FakeModel(), MODEL, EmbeddingCache(path), batch_size=16)

    model = FakeModel()
    cache = EmbeddingCache(path)  # a new object on the same file: as after a restart
    again, stats = embed_once([*texts[::-1], "new one"], model, MODEL, cache)
    assert model.seen == ["new one"]
    assert (stats.cached, stats.embedded) == (50, 1)
    assert_vectors(again, [*texts[::-1], "new one"])
    assert again[:50] == first[::-1]  # exactly: fresh vectors are rounded to float32 like cached ones
    assert cache.stats() == (51, 51 * 8 * 4)
    assert set(cache.get_many(MODEL, [text_digest(t) for t in texts[:3]] + ["0" * 64])) == {
        text_digest(t) for t in texts[:3]
    }
    cache.close()


def test_model_ids_do_not_share_entries(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    embed_once(["one", "two"], FakeModel(), "model-a", cache)
    model = FakeModel()
    _, stats = embed_once(["one", "two"], model, "model-b", cache)
    assert model.seen == ["one", "two"] and stats.cached == 0
    assert cache.get_many("model-c", [text_digest("one")]) == {}
    assert cache.stats()[0] == 4


def test_size_bound_evicts_least_recently_used(tmp_path: Path) -> None:
    path, dim = tmp_path / "c.sqlite", 64  # 256 bytes a vector
    cache = EmbeddingCache(path, max_mb=0.01)  # 10485 bytes: 40 vectors; evicts down to 36
    bound = cache.max_bytes

    def put(names: list[str]) -> None:
        cache.put_many(MODEL, {text_digest(n): fake_vector(n, dim) for n in names})
        assert cache.stats()[1] <= bound
        time.sleep(0.002)  # distinct `used` times

    old = [f"old {i}" for i in range(10)]
    put(old)
    put([f"b {i}" for i in range(10)])
    assert len(cache.get_many(MODEL, [text_digest(n) for n in old[:5]])) == 5  # used again: now recent
    time.sleep(0.002)
    recent = [f"{batch} {i}" for batch in "cde" for i in range(10)]
    for start in range(0, 30, 10):
        put(recent[start : start + 10])

    reopened = EmbeddingCache(path, max_mb=0.01)
    entries, size = reopened.stats()
    assert size <= bound and entries == 36  # 50 written, evicted down to 90 % of the bound
    survivors = reopened.get_many(MODEL, [text_digest(n) for n in old + recent])
    assert all(text_digest(n) in survivors for n in recent + old[:5])  # recently used ones stay
    assert not any(text_digest(n) in survivors for n in old[5:])  # the least recently used go first
    np.testing.assert_allclose(survivors[text_digest("old 0")], fake_vector("old 0", dim), rtol=1e-6)


def _writer(path: str, k: int, barrier: threading.Barrier) -> None:
    """Child process: writes shared and own entries in small batches while the other does the same."""
    cache = EmbeddingCache(Path(path))
    barrier.wait(timeout=30)
    names = [f"shared {i}" for i in range(100)] + [f"own {k} {i}" for i in range(100)]
    for start in range(0, len(names), 10):
        cache.put_many(MODEL, {text_digest(n): fake_vector(n) for n in names[start : start + 10]})
        cache.get_many(MODEL, [text_digest(n) for n in names[:20]])
    got = cache.get_many(MODEL, [text_digest(n) for n in names])
    assert len(got) == len(names), "the cache stopped working in a writer"


def test_concurrent_processes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_writer, args=(str(path), k, barrier)) for k in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        if w.is_alive():  # stuck: fail, and leave no process behind
            w.kill()
    assert [w.exitcode for w in workers] == [0, 0]

    names = [f"shared {i}" for i in range(100)] + [f"own {k} {i}" for k in (1, 2) for i in range(100)]
    model = FakeModel()
    cache = EmbeddingCache(path)
    vectors, stats = embed_once(names, model, MODEL, cache)
    assert model.seen == [] and stats.cached == 300
    assert_vectors(vectors, names)
    assert cache.stats() == (300, 300 * 8 * 4)
    assert not caplog.records


def test_opening_a_new_file_while_another_writer_holds_it_waits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two builds starting on a new cache file at once: the second must wait for the first, not give up.
    (SQLite's switch to WAL mode fails at once, without waiting, while another connection writes.)"""
    path = tmp_path / "c.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a writer on the still-empty file, as the first build is
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        model = FakeModel()
        vectors, _ = embed_once(["a", "b"], model, MODEL, cache := EmbeddingCache(path))
        assert_vectors(vectors, ["a", "b"])
        assert not caplog.records
        assert cache.stats() == (2, 2 * 8 * 4)
    finally:
        release.join()
        other.close()


def test_threads_share_one_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    model, errors = FakeModel(), []
    lists = [[f"shared {i}" for i in range(40)] + [f"own {k} {i}" for i in range(40)] for k in range(4)]

    def run(texts: list[str]) -> None:
        try:
            vectors, _ = embed_once(texts, model, MODEL, cache, batch_size=5)
            assert_vectors(vectors, texts)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(texts,)) for texts in lists]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert cache.stats() == (40 + 4 * 40, (40 + 4 * 40) * 8 * 4)
    assert not caplog.records
    again = FakeModel()
    embed_once(lists[0] + lists[3], again, MODEL, EmbeddingCache(tmp_path / "c.sqlite"))
    assert again.seen == []


def _check_unusable(cache: EmbeddingCache, caplog: pytest.LogCaptureFixture) -> None:
    texts = ["a", "b", "a", "c"]
    with caplog.at_level(logging.WARNING, logger="index.cache"):
        for _ in range(2):
            model = FakeModel()
            vectors, stats = embed_once(texts, model, MODEL, cache, batch_size=1)
            assert model.seen == ["a", "b", "c"] and stats.cached == 0
            assert_vectors(vectors, texts)
        assert cache.stats() == (0, 0)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "index.cache"]
    assert len(warnings) == 1  # once, not for every batch
    assert str(cache.path) in warnings[0].getMessage()


def test_path_that_cannot_be_created_does_not_break_the_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a file").write_text("not a folder")  # unwritable for every user, root included
    _check_unusable(EmbeddingCache(tmp_path / "a file" / "c.sqlite"), caplog)


def test_garbage_file_does_not_break_the_build_and_is_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite"
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    _check_unusable(EmbeddingCache(path), caplog)
    assert path.read_bytes() == garbage


def test_a_build_killed_half_way_keeps_what_it_paid_for(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    texts = [f"t{i}" for i in range(10)]

    def dies_on_third_batch(batch: list[str]) -> list[list[float]]:
        if batch[0] == "t6":
            raise KeyboardInterrupt
        return [fake_vector(t) for t in batch]

    with pytest.raises(KeyboardInterrupt):
        embed_once(texts, dies_on_third_batch, MODEL, EmbeddingCache(path), batch_size=3)
    model = FakeModel()
    _, stats = embed_once(texts, model, MODEL, EmbeddingCache(path), batch_size=3)
    assert model.seen == ["t6", "t7", "t8", "t9"] and stats.cached == 6


def test_on_batch_reports_progress(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    embed_once(["x", "y"], FakeModel(), MODEL, cache)
    calls: list[tuple[int, int]] = []
    texts = ["x", "y"] + [f"n{i}" for i in range(7)] + ["x", "n0"]
    model = FakeModel()
    embed_once(texts, model, MODEL, cache, batch_size=3, on_batch=lambda done, total: calls.append((done, total)))
    assert model.calls == 3
    assert calls == [(2, 9), (5, 9), (8, 9), (9, 9)]  # at start (the cached ones), then after each batch

    calls.clear()
    embed_once(texts, FakeModel(), MODEL, cache, on_batch=lambda done, total: calls.append((done, total)))
    assert calls == [(9, 9)]  # all cached: called once, already done
