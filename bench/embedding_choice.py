#!/usr/bin/env python
"""Choose what to embed by measurement: what each way of embedding a corpus costs to index,
and what it does to retrieval and to the answers, in one run.

    python bench/embedding_choice.py          # bench/gold.jsonl, gold-heldout.jsonl, gold-python-docs.jsonl
    python bench/embedding_choice.py --sets bench/gold.jsonl --repeats 1     # bundled corpus only
    python bench/embedding_choice.py --repeats 3 --json bench/results/embedding_choice.json

For each corpus the gold sets need (bench.common.docs_for), citebot's index is built or reused
under --data (default .bench-cache/<docs folder name>, as bench/fit.py keeps them; re-indexed
incrementally first), and a second one with chunk_chars=600 in .bench-cache/<name>-chunk600.

Alternatives (rows of the tables):
  A  passages + sentences (today): passage vectors as the indexer stores them ("title\n\ntext").
  B  sentences only; a passage's vector = the normalised mean of its sentences' vectors.
  C  sentences + one title vector per document; passage = normalised mean of sentences and title.
  D  passages only, a passage's sentences embedded when it is first retrieved: answers as A; the
     cost is the extra latency of a question whose top_k passages are not embedded yet.
  E  shorter passages (chunk_chars=600), passages + sentences.

Indexing cost: the distinct texts an alternative embeds, and the raw embedder's seconds on them
(embed_documents on each group of distinct texts, median over --repeats; an alternative's time =
sum over its groups of per-text rate x count). D: the median number of sentences not embedded
yet in a question's top_k passages x seconds per sentence, on a fresh index (every question
first) and with the standalone questions asked in gold-set order.

Quality per gold set: dense hit@1 / hit@5 / MRR (numpy brute force over the alternative's passage
vectors, query = embed_query(question)) and hybrid hit@5 / MRR (citebot's retriever, top 10) on
the standalone answerable questions, relevance as bench/eval.py's; answers: evaluate_answers of
bench/eval.py on every question (correct; refusal = refused an unanswerable one; false refusal =
refused an answerable one). B and C run on a copy of the index whose passage vectors were
overwritten, so the real retriever and answer pipeline use them. The answer decision's weights
(bot/answering/decision.json) were fitted on A and are not refitted for B, C or E.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Corpus, Table, build_core, docs_for, embedder_of, load_gold, machine, median  # noqa: E402
from bench.eval import K_MAX, covered, evaluate_answers, gold_spans, rank_metrics  # noqa: E402
from bench.speed import header, load_note  # noqa: E402
from index.store import BATCH, get_all  # noqa: E402

DEFAULT_SETS = "bench/gold.jsonl,bench/gold-heldout.jsonl,bench/gold-python-docs.jsonl"
SHORT_CHUNKS = 600
ALTERNATIVES = {
    "A": "passages + sentences (today)",
    "B": "sentences only, passage = mean of its sentences",
    "C": "sentences + title per document, passage = mean of sentences and title",
    "D": "passages only, sentences embedded when a passage is first retrieved",
    "E": f"shorter passages (chunk_chars={SHORT_CHUNKS}), passages + sentences",
}
#: The groups of distinct texts each alternative embeds when indexing.
GROUPS = {"A": ("passages", "sentences"), "B": ("sentences",), "C": ("sentences", "titles"),
          "D": ("passages",), "E": ("short passages", "short sentences")}
ANSWER_METRICS = ("correct", "refusal", "false_refusal", "accuracy")
Search = Callable[[str], list[tuple[str, str, int]]]  # question -> (source, text, start) of the top K_MAX


@dataclass
class IndexVectors:
    """What one citebot index holds: passages (as stored) and their sentences' vectors."""

    ids: list[str]
    metas: list[dict[str, Any]]
    texts: list[str]
    passages: np.ndarray
    sentence_sum: np.ndarray  # per passage: the sum of its sentences' vectors
    sentence_count: np.ndarray
    sentence_texts: list[str]

    @classmethod
    def read(cls, core: Any) -> IndexVectors:
        generation = core.retriever.snapshot(force=True).generation
        chunks = get_all(generation.chunks, ["embeddings", "metadatas", "documents"])
        sentences = get_all(generation.sentences, ["embeddings", "metadatas", "documents"])
        passages = np.asarray(chunks["embeddings"], dtype=np.float32)
        position = {chunk_id: i for i, chunk_id in enumerate(chunks["ids"])}
        total, count = np.zeros_like(passages), np.zeros(len(passages))
        for vector, meta in zip(sentences["embeddings"], sentences["metadatas"]):
            total[position[meta["chunk_id"]]] += vector
            count[position[meta["chunk_id"]]] += 1
        return cls(chunks["ids"], chunks["metadatas"], chunks["documents"], passages, total, count,
                   sentences["documents"])

    def passage_texts(self) -> list[str]:
        """What the indexer embeds for each passage."""
        return [f"{m['title']}\n\n{t}" for m, t in zip(self.metas, self.texts)]

    def hits(self, order: Any) -> list[tuple[str, str, int]]:
        return [(self.metas[i]["source"], self.texts[i], self.metas[i]["start"]) for i in order]


def normalised(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def embed_seconds(embeddings: Any, groups: dict[str, list[str]], repeats: int) -> dict[str, float]:
    """Median seconds of embed_documents on each group of texts (groups interleaved per repeat)."""
    embeddings.embed_documents(["warm-up"])  # model loaded
    runs: dict[str, list[float]] = {name: [] for name in groups}
    for _ in range(repeats):
        for name, texts in groups.items():
            t0 = time.perf_counter()
            embeddings.embed_documents(texts)
            runs[name].append(time.perf_counter() - t0)
    return {name: median(values) for name, values in runs.items()}


def retrieval_metrics(corpus: Corpus, rows: list[dict], search: Search) -> dict[str, float]:
    """Mean hit@1, hit@5 and MRR of `search` (top K_MAX) over `rows`, relevance as bench/eval.py's."""
    per_question = []
    for row in rows:
        spans = gold_spans(corpus, row)
        per_rank = [covered(corpus, hit, spans) for hit in search(row["question"])]
        per_question.append(rank_metrics(per_rank, len(spans), ctx=6))
    return {m: statistics.fmean(q[m] for q in per_question) if per_question else math.nan
            for m in ("hit@1", "hit@5", "mrr")}


def hybrid_search(core: Any) -> Search:
    return lambda q: [(p.source, p.text, p.start) for p in core.retriever.search(q, k=K_MAX, mode="hybrid")]


def answer_metrics(core: Any, corpus: Corpus, rows: list[dict]) -> dict[str, float]:
    summary = evaluate_answers(core, corpus, rows)["summary"]
    return {m: summary[m] for m in ANSWER_METRICS}


@contextmanager
def copy_of_index(core: Any, docs: Path) -> Iterator[Any]:
    """A core on a copy of `core`'s data folder (the same generation, not rebuilt)."""
    scratch = Path(tempfile.mkdtemp(prefix="citebot-embedding-choice-"))
    try:
        shutil.copytree(core.settings.data_dir, scratch / "data")
        copy = build_core(docs, scratch / "data")
        same = copy.retriever.snapshot(force=True).generation.number == core.retriever.snapshot().generation.number
        assert same, "the copy of the index was rebuilt instead of reused"
        yield copy
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def overwrite_passage_vectors(core: Any, ids: list[str], matrix: np.ndarray) -> None:
    chunks = core.retriever.snapshot().generation.chunks
    for i in range(0, len(ids), BATCH):
        chunks.update(ids=ids[i : i + BATCH], embeddings=list(matrix[i : i + BATCH]))
    stored = get_all(chunks, ["embeddings"])
    order = {chunk_id: i for i, chunk_id in enumerate(ids)}
    assert np.allclose(np.asarray(stored["embeddings"]), matrix[[order[c] for c in stored["ids"]]], atol=1e-5)


def lazy_sentences(core: Any, index: IndexVectors, rows: list[dict]) -> dict[str, float]:
    """D: sentences still to embed in each question's top_k passages (fresh index; in gold-set order)."""
    count = {chunk_id: int(meta["sentences"]) for chunk_id, meta in zip(index.ids, index.metas)}
    embedded: set[str] = set()
    fresh, in_order = [], []
    for row in rows:
        top = [p.chunk_id for p in core.retriever.search(row["question"], k=core.settings.top_k, mode="hybrid")]
        fresh.append(sum(count[c] for c in top))
        in_order.append(sum(count[c] for c in top if c not in embedded))
        embedded.update(top)
    return {"questions": len(rows), "fresh_median": median(fresh), "in_order_median": median(in_order),
            "in_order_mean": statistics.fmean(in_order) if in_order else math.nan}


def measure_corpus(docs: Path, sets: list[Path], data: Path, repeats: int) -> dict[str, Any]:
    core = build_core(docs, data / docs.name)
    core.reindex()  # a reused index follows the documents
    short = build_core(docs, data / f"{docs.name}-chunk{SHORT_CHUNKS}", chunk_chars=SHORT_CHUNKS)
    short.reindex()
    embeddings = embedder_of(core)
    index, short_index = IndexVectors.read(core), IndexVectors.read(short)
    titles = sorted({m["title"] for m in index.metas})
    title_vector = dict(zip(titles, np.asarray(embeddings.embed_documents(titles), dtype=np.float32)))
    passage_vectors = {"B": normalised(index.sentence_sum),
                       "C": normalised(index.sentence_sum + np.stack([title_vector[m["title"]] for m in index.metas]))}
    no_sentences = int((index.sentence_count == 0).sum())

    groups = {"passages": sorted(set(index.passage_texts())), "sentences": sorted(set(index.sentence_texts)),
              "titles": titles, "short passages": sorted(set(short_index.passage_texts()))}
    seconds = embed_seconds(embeddings, groups, repeats)
    counts = {name: len(texts) for name, texts in groups.items()} | {
        "short sentences": len(set(short_index.sentence_texts))}
    rate = {name: seconds[name] / counts[name] if counts[name] else 0.0 for name in seconds}
    rate["short sentences"] = rate["sentences"]  # the same kind of text: timed once
    cost = {alt: {"texts": sum(counts[g] for g in needs), "seconds": sum(rate[g] * counts[g] for g in needs)}
            for alt, needs in GROUPS.items()}

    gold = {gold_set: load_gold(gold_set) for gold_set in sets}
    lazy = lazy_sentences(core, index, [r for rows in gold.values() for r in rows if not r["history"]])
    lazy |= {"seconds_per_sentence": rate["sentences"],
             "fresh_seconds": lazy["fresh_median"] * rate["sentences"],
             "in_order_seconds": lazy["in_order_median"] * rate["sentences"]}

    corpus = Corpus(docs)
    query_vector = cache(lambda q: np.asarray(embeddings.embed_query(q), dtype=np.float32))
    retrieval_rows = {s: [r for r in rows if r["answerable"] and r["gold"] and not r["history"]] for s, rows in gold.items()}
    quality: dict[str, dict[str, dict]] = {str(s): {} for s in sets}

    def evaluate(alt: str, vectors: IndexVectors, matrix: np.ndarray, alt_core: Any) -> None:
        def dense(q: str) -> list[tuple[str, str, int]]:
            return vectors.hits(np.argsort(-(matrix @ query_vector(q)))[:K_MAX])

        for gold_set, rows in gold.items():
            quality[str(gold_set)][alt] = {
                "dense": retrieval_metrics(corpus, retrieval_rows[gold_set], dense),
                "hybrid": retrieval_metrics(corpus, retrieval_rows[gold_set], hybrid_search(alt_core)),
                "answers": answer_metrics(alt_core, corpus, rows)}

    evaluate("A", index, index.passages, core)
    evaluate("E", short_index, short_index.passages, short)
    with copy_of_index(core, docs) as copy:
        for alt in ("B", "C"):
            overwrite_passage_vectors(copy, index.ids, passage_vectors[alt])
            evaluate(alt, index, passage_vectors[alt], copy)
    for per_alt in quality.values():  # D: the same passage and sentence vectors as A
        per_alt["D"] = {**per_alt["A"], "same_as": "A"}
    return {
        "docs": str(docs), "documents": len(titles), "passages": len(index.ids), "short_passages": len(short_index.ids),
        "passages_without_sentences": no_sentences, "repeats": repeats, "group_texts": counts,
        "group_seconds": seconds, "cost": cost, "lazy_sentences": lazy, "quality": quality,
        "questions": {str(s): {"retrieval": len(retrieval_rows[s]), "answers": len(rows)} for s, rows in gold.items()},
    }


def render(result: dict[str, Any], info: dict[str, Any]) -> None:
    lazy = result["lazy_sentences"]
    header(f"Indexing cost: {result['docs']} ({result['documents']} documents, {result['passages']} passages, "
           f"{result['short_passages']} at chunk_chars={SHORT_CHUNKS}; median of {result['repeats']})", info)
    extra = (f"fresh {lazy['fresh_seconds']:.2f} s ({lazy['fresh_median']:.0f} sentences); in order "
             f"{lazy['in_order_seconds']:.2f} s ({lazy['in_order_median']:.0f})")
    print(Table(["alternative", "texts embedded", "distinct texts", "embed s (raw)", "extra s per question"], [
        [f"{alt} {label}", " + ".join(GROUPS[alt]), result["cost"][alt]["texts"], result["cost"][alt]["seconds"],
         extra if alt == "D" else "0"] for alt, label in ALTERNATIVES.items()]).render())
    groups = ", ".join(f"{g} {n} in {result['group_seconds'][g]:.2f} s" for g, n in result["group_texts"].items()
                       if g in result["group_seconds"])
    print(f"\nRaw embedder (embed_documents) on each group of distinct texts: {groups}; short sentences "
          f"{result['group_texts']['short sentences']} at the sentences' rate. An alternative's time = sum over its "
          f"groups of per-text rate x count. D: median sentences not embedded yet in a question's top_k passages "
          f"x {lazy['seconds_per_sentence']:.4f} s/sentence over {lazy['questions']} standalone questions, on a fresh "
          f"index and asked in gold-set order (mean {lazy['in_order_mean']:.1f} sentences). Passages without a "
          f"sentence (B: zero vector, C: the title's): {result['passages_without_sentences']}.")
    header(f"Quality: {result['docs']}", info)
    rows = []
    for gold_set, per_alt in result["quality"].items():
        n = result["questions"][gold_set]
        for alt in ALTERNATIVES:
            d, h, a = (per_alt[alt][part] for part in ("dense", "hybrid", "answers"))
            rows.append([f"{Path(gold_set).name} ({n['retrieval']}/{n['answers']})", alt] + (
                ["= A"] * 9 if "same_as" in per_alt[alt] else
                [d["hit@1"], d["hit@5"], d["mrr"], h["hit@5"], h["mrr"], *(a[m] for m in ANSWER_METRICS)]))
    print(Table(["gold set (retrieval/answer questions)", "alt", "dense hit@1", "dense hit@5", "dense MRR",
                 "hybrid hit@5", "hybrid MRR", "correct", "refusal", "false refusal", "accuracy"], rows).render())
    print("\nRetrieval: standalone answerable questions, top 10; answers: every question. The answer decision's "
          "weights were fitted on A (a passage's similarity is one of its features) and are used unchanged for "
          "B, C and E. D keeps A's vectors (early on, fewer sentences behind the 'unrelated' baseline).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=DEFAULT_SETS, help="comma list of gold sets")
    parser.add_argument("--repeats", type=int, default=3, help="timings of the raw embedder (median)")
    parser.add_argument("--data", type=Path, default=ROOT / ".bench-cache",
                        help="where the indexes are kept between runs (one folder per corpus, as bench/fit.py)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sets = [Path(s.strip()) for s in args.sets.split(",") if s.strip()]
    by_corpus: dict[Path, list[Path]] = {}
    for gold_set in sets:
        by_corpus.setdefault(docs_for(gold_set), []).append(gold_set)

    info = machine()
    results: dict[str, Any] = {"machine": info, "load_before": load_note(), "corpora": {}}
    started = time.perf_counter()
    for docs, corpus_sets in by_corpus.items():
        t0 = time.perf_counter()
        result = measure_corpus(docs, corpus_sets, args.data, args.repeats)
        result["run_seconds"] = time.perf_counter() - t0
        results["corpora"][docs.name] = result
        render(result, info)
    results["load_after"] = load_note()
    print(f"\ntotal run {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
