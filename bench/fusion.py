#!/usr/bin/env python
"""Choose how much BM25 counts in citebot's hybrid retrieval, on the training questions.

    python bench/fusion.py

Hybrid retrieval fuses dense search and BM25 by reciprocal rank; `bot.retrieval.BM25_WEIGHT`
scales BM25's term for questions in the documents' language, `BM25_WEIGHT_OTHER_LANGUAGE` for
questions in another (which share little but names with the documents' words). For each
candidate weight this reports, on the standalone answerable questions of the training and the
held-out gold sets (bench/fit_questions.SETS), each group apart, hit@1, MRR and hit@ctx: a
passage holding a gold quote among the `top_k` passages the answerer is given (what an answer
can be built from). Each group's weight is the one with its best training hit@ctx, then
training MRR; held-out figures are reported, never used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot.retrieval  # noqa: E402
from bench.common import ROOT, Corpus, build_core, load_gold, machine_line  # noqa: E402
from bench.eval import K_MAX, covered, gold_spans, rank_metrics  # noqa: E402
from bench.fit_questions import SETS  # noqa: E402
from bot.language import language  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
#: The two groups of questions, each with its own weight.
GROUPS = {"same": "the documents' language", "other": "another language"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache",
                        help="where the indexes of the corpora are kept between runs")
    args = parser.parse_args(argv)
    print(machine_line())
    cores: dict[Path, object] = {}
    questions = []  # (role, set, row, core, corpus, query vector)
    for gold, docs, split, role in SETS:
        if docs not in cores:
            cores[docs] = build_core(docs, args.cache / docs.name)
        core = cores[docs]
        for row in load_gold(ROOT / gold):
            if (split is None or row.get("split") == split) and row["answerable"] and not row.get("history"):
                group = "same" if language(row["question"]) == core.retriever.snapshot().language else "other"
                questions.append((role, group, row, core, Corpus(docs), core.embeddings.embed_query(row["question"])))
    print(f"{sum(q[0] == 'train' for q in questions)} training and {sum(q[0] == 'heldout' for q in questions)} "
          "held-out standalone answerable questions\n")
    print("| BM25 weight | questions in | role | n | hit@1 | MRR | hit@ctx |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for weight in WEIGHTS:
        bot.retrieval.BM25_WEIGHT = bot.retrieval.BM25_WEIGHT_OTHER_LANGUAGE = weight
        for group, role in [(g, r) for g in GROUPS for r in ("train", "heldout")]:
            rows = []
            for r, g, row, core, corpus, vector in questions:
                if r != role or g != group:
                    continue
                passages = core.retriever.search(row["question"], k=K_MAX, query_vector=vector)
                spans = gold_spans(corpus, row)
                per_rank = [covered(corpus, (p.source, p.text, p.start), spans) for p in passages]
                rows.append(rank_metrics(per_rank, len(spans), core.settings.top_k))
            n = len(rows)
            agg = {m: sum(x[m] for x in rows) / n for m in ("hit@1", "mrr", "ctx")}
            results[(weight, group, role)] = agg
            print(f"| {weight} | {GROUPS[group]} | {role} | {n} | {agg['hit@1']:.3f} | {agg['mrr']:.3f} "
                  f"| {agg['ctx']:.3f} |")
    print()
    for group, setting in (("same", "BM25_WEIGHT"), ("other", "BM25_WEIGHT_OTHER_LANGUAGE")):
        best = max(WEIGHTS, key=lambda w: (round(results[(w, group, "train")]["ctx"], 6),
                                           round(results[(w, group, "train")]["mrr"], 6), w))
        print(f"chosen for questions in {GROUPS[group]} (best training hit@ctx, then MRR): {setting} {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
