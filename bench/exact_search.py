#!/usr/bin/env python
"""Exact search in memory against Chroma's HNSW index: speed, agreement, memory, by size.

    python bench/exact_search.py [--sizes 1000 5000 ...] [--json bench/results/exact-search.json]

A snapshot of the index searches its passages and its sentences exactly, every vector against
the query, up to `bot.retrieval.EXACT_SEARCH_ROWS` vectors; above, Chroma's HNSW index
answers. This chooses that bound. For each size, a Chroma collection (embedded, cosine, as
`index.store` makes them) is filled with that many vectors: the sentence vectors of the Python
pages (bench/corpora/python-docs, 4,878), each repeated with a little noise until the size is
reached. The questions of bench/gold-python-docs.jsonl then ask for their 24 nearest (the
passages a search takes) both ways,
interleaved. Per size: p50 of each way, how often Chroma's list differs from the exact one (in
its passages or their order), the share of the exact 24 that Chroma's has (recall), the one-time cost of
reading every vector from Chroma (at a snapshot's first question), and the memory they take.

The bound chosen is the largest size at which the exact search is no slower than Chroma's
query; the rows are printed so anyone can weigh it otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench.common import ROOT, Table, build_core, load_gold, machine, machine_line, median, write_results  # noqa: E402
from bot.retrieval import _ExactSearch  # noqa: E402
from index.store import add_batched, get_all  # noqa: E402

N_RESULTS = 24
SIZES = (1_000, 5_000, 10_000, 25_000, 50_000, 100_000)


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import chromadb

    info = machine()
    with tempfile.TemporaryDirectory() as data:
        core = build_core(ROOT / "bench" / "corpora" / "python-docs", Path(data))
        generation = core.retriever.snapshot().generation
        _, real = generation.all_sentence_vectors()
        questions = [row["question"] for row in load_gold(ROOT / "bench" / "gold-python-docs.jsonl") if not row.get("history")]
        queries = np.asarray(core.retriever.embeddings.embed_documents(questions), dtype=np.float32)

    rng = np.random.default_rng(0)
    rows = []
    for size in args.sizes:
        base = real[np.arange(size) % len(real)]
        vectors = base + rng.normal(0, 0.02, base.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"v{i}" for i in range(size)]
        with tempfile.TemporaryDirectory() as store:
            client = chromadb.PersistentClient(path=store)
            collection = client.create_collection("bench", configuration={"hnsw": {"space": "cosine"}})
            add_batched(collection, ids, embeddings=vectors.tolist())
            t0 = time.perf_counter()
            found = get_all(collection, ["embeddings"])
            load_ms = ms_since(t0)
            exact = _ExactSearch(found["ids"], np.asarray(found["embeddings"], dtype=np.float32))
            hnsw_ms, exact_ms, differ, recall = [], [], 0, []
            for query in queries:
                t0 = time.perf_counter()
                hnsw = collection.query(query_embeddings=[query.tolist()], n_results=N_RESULTS, include=["distances"])
                hnsw_ms.append(ms_since(t0))
                t0 = time.perf_counter()
                mine = exact.nearest(query, N_RESULTS)
                exact_ms.append(ms_since(t0))
                differ += hnsw["ids"][0] != [key for key, _ in mine]
                recall.append(len(set(hnsw["ids"][0]) & {key for key, _ in mine}) / N_RESULTS)
            del client
        rows.append({"size": size, "hnsw_p50_ms": median(hnsw_ms), "exact_p50_ms": median(exact_ms),
                     "lists_differ": differ / len(queries), "hnsw_recall": float(np.mean(recall)), "load_ms": load_ms,
                     "memory_mb": vectors.nbytes / 2**20})
        print(f"{size}: {rows[-1]}", flush=True)

    fits = [r["size"] for r in rows if r["exact_p50_ms"] <= r["hnsw_p50_ms"]]
    chosen = max(fits) if fits else 0
    table = Table(["vectors", "Chroma HNSW p50 (ms)", "exact p50 (ms)", "Chroma's list differs", "Chroma's recall",
                   "read all (ms)", "memory (MB)"],
                  [[r["size"], r["hnsw_p50_ms"], r["exact_p50_ms"], r["lists_differ"], r["hnsw_recall"], r["load_ms"],
                    r["memory_mb"]]
                   for r in rows])
    print(f"\n{machine_line(info)}\n{len(queries)} questions, {N_RESULTS} nearest each\n")
    print(table.render())
    print(f"\nlargest size where exact search is no slower than Chroma's query: {chosen}")
    write_results(args.json, {"machine": info, "rows": rows, "chosen": chosen})


if __name__ == "__main__":
    main()
