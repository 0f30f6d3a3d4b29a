"""The questions bench/fit.py fits on and reports: each gathered once, and how an answer to it scores.

`collect` asks every question of the gold sets in `SETS` as `AnswerCore.ask` would, up to the
decision (the conversation before a follow-up is answered with BOOTSTRAP weights, so a fit does
not depend on the previous fit), and keeps its evidence; `answer` then decides it with any
weights, and `score` measures a set of answers the way bench/eval.py does.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import DEFAULT_DOCS, ROOT, Corpus, build_core, load_gold, overlap
from bench.eval import ask_with_history, gold_spans, judge
from bot.answering import Context, analyse, decision, first_refusal, ranking, refusal

PYDOCS = ROOT / "bench" / "corpora" / "python-docs"
#: (gold file, documents, split of its rows to use or None for all, role)
SETS = [
    ("tests/gold.jsonl", DEFAULT_DOCS, None, "train"),
    ("bench/gold.jsonl", DEFAULT_DOCS, None, "train"),
    ("bench/gold-train.jsonl", DEFAULT_DOCS, None, "train"),
    ("bench/gold-chains-train.jsonl", DEFAULT_DOCS, None, "train"),
    ("bench/gold-python-docs.jsonl", PYDOCS, "train", "train"),
    ("bench/gold-heldout.jsonl", DEFAULT_DOCS, None, "heldout"),
    ("bench/gold-python-docs.jsonl", PYDOCS, "heldout", "heldout"),
]
#: Similarity ranking, every question answered: what conversations are answered with while the
#: evidence is gathered (see `collect`).
BOOTSTRAP = decision.from_json({"ranker": {"weights": {"similarity": 1.0}, "bias": 0.0},
                                "decision": {"weights": {}, "bias": 0.0, "threshold": 0.0}, "join": 0.0})

@dataclass
class Record:
    """One question, its evidence gathered once, and what is needed to judge an answer."""

    set: str
    role: str
    row: dict
    corpus: Corpus
    core: Any
    context: Context | None  # None when a check refused before retrieval
    early: Any = None  # that refusal
    gold: np.ndarray | None = None  # per candidate: overlaps a gold quote


def collect(cache_dir: Path) -> list[Record]:
    records: list[Record] = []
    cores: dict[Path, Any] = {}
    for gold, docs, split, role in SETS:
        path = ROOT / gold
        if not path.exists():
            continue
        if docs not in cores:
            cores[docs] = build_core(docs, cache_dir / docs.name)
            # The conversation before a follow-up is answered with BOOTSTRAP weights, not with the
            # shipped ones, so that a fit does not depend on the previous fit.
            cores[docs].pipeline.weights = BOOTSTRAP
        core, corpus = cores[docs], Corpus(docs)
        history_cache: dict = {}
        for row in load_gold(path):
            if split is not None and row.get("split") != split:
                continue
            records.append(gather(f"{gold}{':' + split if split else ''}", role, row, core, corpus, history_cache))
    return records


def gather(name: str, role: str, row: dict, core: Any, corpus: Corpus, history_cache: dict) -> Record:
    """The question analysed and its evidence gathered exactly as `AnswerCore.ask` does."""
    turns = ask_with_history(core, row, history_cache)
    snapshot = core.retriever.snapshot()
    question = analyse(row["question"], turns[-core.settings.history_turns:] if core.settings.history_turns else [],
                       snapshot.proper_names)
    context = Context(question, snapshot)
    for stage in ("question", "collection"):
        refused = first_refusal(stage, context)
        if refused:
            return Record(name, role, row, corpus, core, None, refusal(question, *refused))
    context.evidence = core.pipeline.evidence(question, snapshot)
    refused = first_refusal("retrieval", context)
    if refused:
        return Record(name, role, row, corpus, core, None, refusal(question, *refused))
    spans = gold_spans(corpus, row) if row["answerable"] else []
    gold = np.array([any(s == c.passage.source and overlap((c.start, c.end), span) > 0 for s, span in spans)
                     for c in context.evidence.candidates], dtype=bool)
    return Record(name, role, row, corpus, core, context, gold=gold)


# --- judging answers ------------------------------------------------------------------------


def answer(record: Record, w: decision.Weights) -> Any:
    if record.context is None:
        return record.early
    core = record.core
    pipeline = core.pipeline.with_weights(w)
    ev = record.context.evidence
    context = Context(record.context.question, record.context.snapshot,
                      replace(ev, candidates=ranking.rank(ev.candidates, w, record.context.question)))
    return pipeline.decide(context)


def score(records: list[Record], w: decision.Weights) -> dict[str, Any]:
    results = []
    for r in records:
        a = answer(r, w)
        results.append((r, a, judge(a, r.row, r.corpus)))
    answerable = [(r, a, j) for r, a, j in results if r.row["answerable"]]
    unanswerable = [(r, a, j) for r, a, j in results if not r.row["answerable"]]
    answered = [(r, a, j) for r, a, j in results if a.answered]
    chained = [(r, a, j) for r, a, j in results if r.row.get("chain")]

    def rate(n: int, d: int) -> float:
        return n / d if d else math.nan

    return {
        "n": len(results),
        "correct": rate(sum(j["correct"] for _, _, j in answerable), len(answerable)),
        "refusal": rate(sum(not a.answered for _, a, _ in unanswerable), len(unanswerable)),
        "false_refusal": rate(sum(not a.answered for _, a, _ in answerable), len(answerable)),
        "facts": rate(sum(a.answered and not j["missing_facts"] for _, a, j in answerable),
                      sum(a.answered for _, a, _ in answerable)),
        "precision": rate(sum(j["correct"] for _, _, j in answered), len(answered)),
        "accuracy": rate(sum(j["correct"] for _, _, j in results), len(results)),
        "chain": rate(sum(j["correct"] for _, _, j in chained), len(chained)),
        "median_sentences": statistics.median([j["markers"] for _, a, j in answered]) if answered else math.nan,
        "refusals": dict(Counter(a.refusal for _, a, _ in results if not a.answered)),
    }
