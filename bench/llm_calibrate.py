"""Calibrate the support test of bot/llm/verify.py on hand-labelled claims.

    python bench/llm_calibrate.py [--docs documents] [--data DIR]

Each line of bench/llm_support_pairs.jsonl is a claim, a snippet naming the passage (the
chunk of the index containing it) and whether that passage supports the claim. The script
scores every pair (embedding similarity, word coverage, names and numbers), searches the
thresholds that keep at most `--max-false` of the unsupported claims while keeping the most
supported ones, and compares them with the thresholds in bot/llm/verify.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_DOCS, build_core, load_gold  # noqa: E402
from bot.llm import verify  # noqa: E402
from index.store import get_all  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "llm_support_pairs.jsonl"


def score_pairs(core, rows: list[dict]) -> list[tuple[dict, verify.Support]]:
    """Each claim scored against its passage, in the context the model would have had: the
    passages retrieved for the claim (the labelled passage first, then the next three)."""
    snapshot = core.retriever.snapshot()
    sentences = get_all(snapshot.generation.sentences, ["embeddings", "metadatas"])
    vectors: dict[str, list] = {}
    for vector, meta in zip(sentences["embeddings"], sentences["metadatas"]):
        vectors.setdefault(meta["chunk_id"], []).append(vector)
    out = []
    for row in rows:
        matches = [i for i, text in enumerate(snapshot.texts) if row["passage"] in text]
        if len(matches) != 1:
            raise SystemExit(f"snippet {row['passage']!r} names {len(matches)} passages, not one")
        passage = snapshot.passage(matches[0], 0.0, 0.0)
        others = [p for p in core.retriever.search(row["claim"]) if p.chunk_id != passage.chunk_id][:3]
        given = [passage, *others]
        test = verify.SupportTest(core.embeddings, given, {p.chunk_id: np.asarray(vectors[p.chunk_id]) for p in given})
        out.append((row, test.score(row["claim"], test.embed([row["claim"]])[0], 1)))
    return out


def search(scored: list[tuple[dict, verify.Support]], max_false: float) -> dict[str, float]:
    """The thresholds that keep the most supported claims with at most `max_false` of the others."""
    label = np.array([row["supported"] for row, _ in scored])
    sim = np.array([s.similarity for _, s in scored])
    cov = np.array([s.coverage for _, s in scored])
    clause = np.array([s.clause_coverage for _, s in scored])
    same = np.array([s.same_language for _, s in scored])
    terms = np.array([s.terms_ok for _, s in scored])
    best: tuple | None = None
    for cross in np.arange(0.80, 0.951, 0.005):
        cross_ok = terms & ~same & (sim >= cross)
        for cov_min, clause_min in itertools.product((0.4, 0.5, 0.6, 0.7), (0.0, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8)):
            for sim_min in np.arange(0.80, 0.981, 0.005):
                kept = cross_ok | (terms & same & (sim >= sim_min) & (cov >= cov_min) & (clause >= clause_min))
                recall, false = kept[label].mean(), kept[~label].mean()
                # Ties: fewer false accepts, then the stricter thresholds.
                key = (false <= max_false, recall, -false, sim_min, cross, cov_min, clause_min)
                if best is None or key > best[0]:
                    best = (key, {"SIMILARITY_MIN": round(sim_min, 3), "COVERAGE_MIN": cov_min,
                                  "CLAUSE_COVERAGE_MIN": clause_min, "CROSS_SIMILARITY_MIN": round(cross, 3),
                                  "recall": recall, "false": false})
    assert best is not None
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--data", type=Path, default=None, help="index folder (default: a temporary one)")
    parser.add_argument("--max-false", type=float, default=0.05, help="largest share of unsupported claims kept")
    parser.add_argument("--verbose", action="store_true", help="print every pair's scores")
    args = parser.parse_args()
    core = build_core(args.docs, args.data or Path(tempfile.mkdtemp(prefix="citebot-calibrate-")))
    scored = score_pairs(core, load_gold(PAIRS))
    positives = [s for row, s in scored if row["supported"]]
    negatives = [s for row, s in scored if not row["supported"]]
    print(f"{len(positives)} supported and {len(negatives)} unsupported claims")
    if args.verbose:
        for row, s in scored:
            print(f"{'+' if row['supported'] else '-'} {row['kind']:<13} {row['lang']} sim={s.similarity:.3f} "
                  f"cov={s.coverage:.2f} clause={s.clause_coverage:.2f} terms={'ok' if s.terms_ok else 'NO'} kept={'yes' if s.supported else 'no '} "
                  f"{row['claim'][:60]}")
    found = search(scored, args.max_false)
    print("search:", ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in found.items()))
    print("bot/llm/verify.py:", ", ".join(f"{k}={getattr(verify, k)}" for k in
                                         ("SIMILARITY_MIN", "COVERAGE_MIN", "CLAUSE_COVERAGE_MIN",
                                          "CROSS_SIMILARITY_MIN")))
    kept = Counter((row["supported"], row["kind"], row["lang"]) for row, s in scored if s.supported)
    total = Counter((row["supported"], row["kind"], row["lang"]) for row, _ in scored)
    print("\n| label | kind | lang | kept / claims |\n|---|---|---|---|")
    for key in sorted(total, key=lambda k: (not k[0], k[1], k[2])):
        print(f"| {'supported' if key[0] else 'unsupported'} | {key[1]} | {key[2]} | {kept[key]} / {total[key]} |")
    tp = sum(s.supported for s in positives)
    fp = sum(s.supported for s in negatives)
    print(f"\nwith the module's thresholds: keeps {tp}/{len(positives)} supported ({tp / len(positives):.1%}), "
          f"{fp}/{len(negatives)} unsupported ({fp / len(negatives):.1%})")


if __name__ == "__main__":
    main()
