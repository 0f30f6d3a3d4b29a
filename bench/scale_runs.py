"""The child-process runs of bench/scale.py, and the stand-in embedder they may use.

bench/scale.py starts itself as a child for each measurement, so every peak RSS is the child's
own: `_build` indexes a sample into a fresh index (`child_build`), `_serve` opens it and answers
QUESTIONS warm (`child_serve`), `_calibrate` times the real model per embedded text
(`child_calibrate`). Each child prints one JSON line, which `run_child` returns to the parent.
`StandInEmbeddings` (--embedder standin) replaces the model's arithmetic so large sizes finish on
a small machine.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, median, percentile

# What the serving child asks, EN/FR/RU, over both corpora.
QUESTIONS = [
    "How do I create an index without locking writes on the table?",
    "What does VACUUM FULL do?",
    "How can I list all tables in a database?",
    "What is the difference between a list and a tuple?",
    "How do I read a file line by line?",
    "What is the default isolation level?",
    "How do I open a file in append mode?",
    "What does the GIL protect?",
    "How do window functions work?",
    "How do I format a date as a string?",
    "What is a savepoint?",
    "How do I start a subprocess and capture its output?",
    "Which lock does ALTER TABLE take?",
    "How are decorators applied to a function?",
    "What is write-ahead logging?",
    "How do I parse command line arguments?",
    "How do I set up streaming replication?",
    "What does the with statement do?",
    "How can I see the execution plan of a query?",
    "How do I sort a dictionary by value?",
    "What is a partial index?",
    "How do I create a virtual environment?",
    "What happens when a transaction is rolled back?",
    "How do async generators work?",
    "How do I grant SELECT on all tables to a role?",
    "What is the maximum size of a text field?",
    "How do I compare two floating point numbers?",
    "What is a TOAST table?",
    "How do I use regular expressions to split a string?",
    "What does autovacuum do?",
    "Comment créer un index sur une table ?",
    "Как прочитать файл построчно?",
]


class StandInEmbeddings:
    """A fast stand-in for the model (--embedder standin): 384-d signed token hashing, normalised.

    It keeps everything but the model's arithmetic real (chunking, Chroma writes and reads,
    BM25, the answer pipeline, index size on disk), so the 1,000-page and full-corpus runs
    finish on a small machine; build time with the real model is then estimated from the
    real model's measured seconds per embedded text. Answers are meaningless, latency is not.
    """

    DIM = 384

    def _one(self, text: str) -> list[float]:
        import re
        import zlib

        import numpy as np

        v = np.zeros(self.DIM, dtype=np.float32)
        for token in re.findall(r"\w+", text.lower()):
            h = zlib.crc32(token.encode())
            v[h % self.DIM] += 1.0 if (h >> 16) & 1 else -1.0
        n = float(np.linalg.norm(v))
        return (v / n if n else v + 1 / self.DIM**0.5).tolist()

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)


def make_embeddings(kind: str):
    if kind == "standin":
        from langchain_core.embeddings import Embeddings

        class _E(StandInEmbeddings, Embeddings):
            pass

        return _E()
    from index.embeddings import E5Embeddings

    return E5Embeddings()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_build(docs: Path, data: Path, progress_file: Path, embedder: str) -> None:
    from bot.config import Settings
    from bot.core import open_store
    from index.indexer import sync_index

    settings = Settings(docs_dir=docs, data_dir=data)
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 20 or done == total:
            last[0] = now
            progress_file.write_text(json.dumps({"done": done, "total": total, "seconds": now - started,
                                                 "rss_mib": rss_mib()}))

    report = sync_index(open_store(settings), make_embeddings(embedder), docs, data / "index.lock",
                        settings=settings, rebuild=True, progress=progress)
    print(json.dumps({"seconds": time.perf_counter() - started, "documents": report.documents, "chunks": report.chunks,
                      "embedded": report.embedded, "skipped": len(report.skipped), "rss_mib": rss_mib()}))


def child_serve(docs: Path, data: Path, repeats: int, embedder: str) -> None:
    t0 = time.perf_counter()
    from bot.config import Settings
    from bot.core import AnswerCore

    core = AnswerCore.from_settings(Settings(docs_dir=docs, data_dir=data), make_embeddings(embedder),
                                    build_if_missing=False)
    core.ask(QUESTIONS[0])  # first question: the model loads, the BM25 index is built in memory
    open_s = time.perf_counter() - t0
    ask_runs, search_runs = [], []
    for _ in range(repeats):
        asks, searches = [], []
        for q in QUESTIONS:
            a = time.perf_counter()
            core.ask(q)
            b = time.perf_counter()
            core.retriever.search(q)
            c = time.perf_counter()
            asks.append(b - a)
            searches.append(c - b)
        ask_runs.append((percentile(asks, 50), percentile(asks, 95)))
        search_runs.append((percentile(searches, 50), percentile(searches, 95)))
    print(json.dumps({
        "open_and_first_answer_s": open_s,
        "ask_p50_ms": 1000 * median([r[0] for r in ask_runs]), "ask_p95_ms": 1000 * median([r[1] for r in ask_runs]),
        "search_p50_ms": 1000 * median([r[0] for r in search_runs]),
        "search_p95_ms": 1000 * median([r[1] for r in search_runs]),
        "questions": len(QUESTIONS), "repeats": repeats, "rss_mib": rss_mib(),
    }))


def child_calibrate(pages: list[tuple[Path, Path]], n_texts: int, seed: int) -> None:
    """Seconds per embedded text of the real model, on the texts the indexer would embed for
    the sampled `pages` (each a page and its corpus's root; passages with their title, and
    sentences, in their real proportion), `n_texts` of them drawn with `seed`. CPU seconds are
    reported as well as wall seconds: run with OMP_NUM_THREADS=1, CPU seconds per text are what
    one core needs, whatever else the machine is doing."""
    from index.chunking import chunk_text
    from index.embeddings import E5Embeddings
    from index.loaders import load_document
    from index.settings import IndexSettings

    texts: list[str] = []
    for path, root in pages:
        document = load_document(path, root)
        for c in chunk_text(document.text, path.name, document.title, IndexSettings().chunk_chars):
            texts.append(f"{c.title}\n\n{c.text}")
            texts += [c.text[a - c.start : b - c.start] for a, b in c.sentences]
    sample = random.Random(seed).sample(texts, min(n_texts, len(texts)))
    model = E5Embeddings()
    model.embed_documents(sample[:2])
    wall, cpu = time.perf_counter(), time.process_time()
    model.embed_documents(sample)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"texts": len(sample), "wall_s_per_text": wall / len(sample), "cpu_s_per_text": cpu / len(sample),
                      "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "load": os.getloadavg()[0]}))


def run_child(script: Path, args: list[str], on_wait: Callable[[], None] | None = None) -> dict[str, Any]:
    """Run `script` (bench/scale.py) as a child (`_build` / `_serve` / `_calibrate`) and return the
    JSON it prints last; `on_wait()` is called every 30 s meanwhile."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, str(script), *args], stdout=out, stderr=err,
                                 text=True, env=env, cwd=tempfile.gettempdir())
        while True:
            try:
                child.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                if on_wait:
                    on_wait()
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{err.read()[-2000:]}")
        return json.loads(out.read().strip().splitlines()[-1])
