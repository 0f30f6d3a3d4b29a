"""How fitted weights score, for `bench/fit.py`: the table of every gold set answered with them
(`report`), and how well the ranker and each decision signal separate (`diagnose`: the best
sentence gold, the area under the ROC curve of each signal)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bench.eval import judge
from bench.fit_questions import Record, answer, score
from bot.answering import decision, ranking
from bot.answering.evidence import FEATURES


def top1(records: list[Record], weights: np.ndarray) -> tuple[int, int]:
    """(answerable questions whose best-ranked sentence is a gold one, those with a gold candidate)."""
    rows = [r for r in records if r.context is not None and r.row["answerable"] and r.gold.any()]
    hits = sum(bool(r.gold[np.argmax(np.stack([c.features for c in r.context.evidence.candidates]) @ weights)])
               for r in rows)
    return hits, len(rows)


def report(records: list[Record], w: decision.Weights) -> None:
    names = list(dict.fromkeys(r.set for r in records))
    print("| set | role | n | correct | refused when should | refused wrongly | precision | facts (answered) "
          "| chain turns | median sentences | refusals by check |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        part = [r for r in records if r.set == name]
        s = score(part, w)
        refusals = ", ".join(f"{k} {v}" for k, v in sorted(s["refusals"].items(), key=lambda kv: -kv[1]))
        print(f"| {name} | {part[0].role} | {s['n']} | {s['correct']:.3f} | {s['refusal']:.3f} | {s['false_refusal']:.3f} "
              f"| {s['precision']:.3f} | {s['facts']:.3f} | {s['chain']:.3f} | {s['median_sentences']} | {refusals} |")


def diagnose(records: list[Record], w: decision.Weights) -> None:
    """How well the ranker and each decision signal separate, on training and held-out questions:
    best sentence gold (fitted ranker, similarity alone, the old hand weights 0.7 similarity +
    0.3 focus + 0.08 lexical - 0.3 names_excess), and the area under the ROC curve of each
    decision signal for answerable questions answered right vs unanswerable ones."""
    hand = np.zeros(len(FEATURES))
    for name, value in (("similarity", 0.7), ("focus", 0.3), ("lexical", 0.08), ("names_excess", -0.3)):
        hand[FEATURES.index(name)] = value
    alone = np.eye(len(FEATURES))[FEATURES.index("similarity")]
    for role in ("train", "heldout"):
        part = [r for r in records if r.role == role]
        (fitted, n), (sim, _), (old, _) = (top1(part, v) for v in (w.ranker, alone, hand))
        print(f"{role}: best sentence gold for {fitted}/{n} (fitted ranker), {sim}/{n} (similarity alone), "
              f"{old}/{n} (the hand weights before issue 10)")
        rows, labels = [], []
        for r in part:
            if r.context is None:
                continue
            if r.row["answerable"] and not judge(answer(r, w), r.row, r.corpus)["correct"]:
                continue
            ranked = ranking.rank(r.context.evidence.candidates, w, r.context.question)
            evidence = replace(r.context.evidence, candidates=ranked)
            document = r.context.snapshot.document_vocabulary[ranked[0].passage.source]
            rows.append(decision.decision_features(evidence, ranked[0], document))
            labels.append(r.row["answerable"])
        x, y = np.array(rows), np.array(labels)
        aucs = {name: auc(x[y, i], x[~y, i]) for i, name in enumerate(decision.DECISION_FEATURES)}
        probabilities = np.array([decision.probability(row, w) for row in x])
        print(f"  AUC, answered right vs unanswerable ({int(y.sum())} vs {int((~y).sum())}): decision "
              f"{auc(probabilities[y], probabilities[~y]):.3f}; " + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()))


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    if not len(positive) or not len(negative):
        return math.nan
    above = (positive[:, None] > negative[None, :]).mean() + 0.5 * (positive[:, None] == negative[None, :]).mean()
    return float(above)
