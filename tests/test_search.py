"""A question's search finds the passages, and the sentences, nearest to it: all of them, best
first, whatever graph Chroma's approximate (HNSW) index was built with. Up to
`bot.retrieval.EXACT_SEARCH_ROWS` vectors an index snapshot compares the question with every
one; built again from the same Python pages, Chroma's index missed some of the nearest, for other
questions in each process (bench/exact_search.py, bench/HISTORY.md), so the same question could
get another answer. That cannot be made to happen on demand on the bundled corpus, so these
tests hold the search to the definition: the nearest by cosine over every vector in the store.

Real embedder, real Chroma, the bundled corpus.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.core import AnswerCore

QUESTIONS = ["What did Parly give Shoigu?", "Qu'ont dit les ministres sur la Syrie en 2021 ?",
             "Что Лавров сказал об Иране?", "Who represented Germany at the Moscow meeting?"]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_a_search_finds_every_nearest_passage_and_sentence_best_first(core: AnswerCore, embeddings) -> None:
    from bot.retrieval import _Snapshot

    snapshot = _Snapshot(core.retriever.snapshot().generation)
    by_id = snapshot.generation.vectors_of(snapshot.ids)
    passages = _unit(np.stack([by_id[pid] for pid in snapshot.ids]))
    sentences = snapshot.generation.sentences_of(snapshot.ids)
    sentence_vectors = _unit(np.stack([r.vector for r in sentences]))
    assert len(snapshot.ids) > 8 and len(sentences) > 10
    for question in QUESTIONS:
        query = _unit(np.asarray(embeddings.embed_query(question), dtype=np.float32))
        cosine = passages @ query
        found = snapshot.nearest(query, 8)
        assert np.allclose([c for _, c in found], np.sort(cosine)[::-1][:8], atol=1e-5), question
        assert all(abs(c - cosine[snapshot.position[pid]]) < 1e-5 for pid, c in found), question

        cosine = sentence_vectors @ query
        nearest = np.argsort(-cosine, kind="stable")[:10]
        tenth = cosine[nearest[-1]]
        expected = list(dict.fromkeys(sentences[i].passage_id for i in nearest))
        got = snapshot.nearest_sentences(query, 10)
        # the same passages, best sentence first; only a tie with the tenth sentence may differ
        best = {pid: max(cosine[i] for i, r in enumerate(sentences) if r.passage_id == pid) for pid in got}
        assert all(best[pid] >= tenth - 1e-5 for pid in got), question
        assert [best[pid] for pid in got] == sorted((best[pid] for pid in got), reverse=True), question
        assert set(got) - set(expected) <= {pid for pid in got if abs(best[pid] - tenth) < 1e-5}, question


def test_an_answer_does_not_depend_on_what_chroma_s_approximate_index_misses(
        core: AnswerCore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's index, searched alone, misses the nearest passage or sentence now and then (its
    graph is built anew each time); the answer to the same question stays the same. Here its
    every search misses its best result, and every answer and its citations are as before."""
    from bot.retrieval import _Snapshot
    from index.store import Generation

    def asked() -> list[tuple[str | None, str, list[str]]]:
        core.retriever._snapshot = _Snapshot(core.retriever.snapshot().generation)
        answers = [core.ask(q) for q in QUESTIONS]
        return [(a.refusal, a.answer, [c.quote for c in a.citations]) for a in answers]

    before = asked()
    nearest, nearest_sentences = Generation.nearest, Generation.nearest_sentences
    monkeypatch.setattr(Generation, "nearest", lambda g, v, n: nearest(g, v, n + 1)[1:])
    monkeypatch.setattr(Generation, "nearest_sentences", lambda g, v, n: nearest_sentences(g, v, n + 1)[1:])
    assert asked() == before
    assert sum(refusal is None for refusal, _, _ in before) >= 3


def test_a_search_of_many_vectors_gives_the_nearest_best_first() -> None:
    """The exact search itself, on thousands of vectors: the nearest by cosine, best first,
    vectors equally near in the order they were stored."""
    from bot.retrieval import _ExactSearch

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 384)).astype(np.float32)
    vectors[2000] = vectors[10] * 2  # the same direction as row 10, stored after it
    search = _ExactSearch([f"v{i}" for i in range(3000)], vectors)
    for query in (vectors[10] + rng.normal(scale=0.1, size=384).astype(np.float32), rng.normal(size=384)):
        cosine = _unit(vectors) @ _unit(query.astype(np.float32))
        expected = [f"v{i}" for i in np.argsort(-cosine, kind="stable")[:50]]
        found = search.nearest(query, 50)
        assert [key for key, _ in found] == expected
        assert np.allclose([c for _, c in found], cosine[np.argsort(-cosine, kind="stable")[:50]], atol=1e-5)
    assert [key for key, _ in search.nearest(vectors[10], 2)] == ["v10", "v2000"]
    assert search.nearest(vectors[0], 0) == [] and len(search.nearest(vectors[0], 5000)) == 3000


def test_above_the_bound_chroma_s_index_answers_and_nothing_is_read_whole(
        core: AnswerCore, embeddings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collection larger than EXACT_SEARCH_ROWS is not held in memory: Chroma's index finds
    the passages, and on a collection this small it finds the nearest ones."""
    from bot import retrieval
    from index.store import Generation

    def whole(*_: object) -> None:
        raise AssertionError("read every vector of a collection above the bound")

    monkeypatch.setattr(retrieval, "EXACT_SEARCH_ROWS", 10)
    monkeypatch.setattr(Generation, "all_passage_vectors", whole)
    monkeypatch.setattr(Generation, "all_sentence_vectors", whole)
    snapshot = retrieval._Snapshot(core.retriever.snapshot().generation)
    by_id = snapshot.generation.vectors_of(snapshot.ids)
    query = _unit(np.asarray(embeddings.embed_query(QUESTIONS[0]), dtype=np.float32))
    found = snapshot.nearest(query, 5)
    expected = sorted(snapshot.ids, key=lambda pid: -float(_unit(by_id[pid]) @ query))[:5]
    assert [pid for pid, _ in found] == expected
    assert snapshot.nearest_sentences(query, 10)
