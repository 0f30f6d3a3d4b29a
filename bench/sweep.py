#!/usr/bin/env python
"""Choose a constant of citebot's answering on the training questions: every value, side by side.

    python bench/sweep.py bot.answering.answer_before.BESIDE_WITHIN 0 0.1 0.25 0.75 1.5 2 3

Sets the module constant to each value in turn and answers every training question with the
whole product (bench/eval.py's `evaluate_answers`: follow-ups after their conversation), as
written and typed in lower case. Training questions: tests/gold.jsonl, bench/gold.jsonl,
bench/gold-train.jsonl, bench/gold-chains-train.jsonl and the "train" rows of
bench/gold-python-docs.jsonl (bench/fit_questions.py's training sets); the held-out sets are
never asked.

The first value is the reference (the rule switched off, or the value shipped before). The
table gives, per value, the answers right (as written, in lower case), and how many answers the
reference got right that this value gets wrong. The value chosen is the one with the most right
answers, as written and in lower case together, of those losing none; on a tie, the one listed
first (list the most cautious values first).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Corpus, Table, build_core, load_gold, machine, machine_line  # noqa: E402
from bench.eval import evaluate_answers  # noqa: E402
from bench.fit_questions import SETS  # noqa: E402


def training_sets() -> list[tuple[str, Path, list[dict]]]:
    """(name, documents, rows) of every training set."""
    found = []
    for gold, docs, split, role in SETS:
        if role != "train" or not (ROOT / gold).exists():
            continue
        rows = [r for r in load_gold(ROOT / gold) if split is None or r.get("split") == split]
        found.append((gold + (f":{split}" if split else ""), Path(docs), rows))
    return found


def lower(rows: list[dict]) -> list[dict]:
    return [{**r, "question": r["question"].lower(), "history": [h.lower() for h in r["history"]]} for r in rows]


def right_answers(cores: dict[Path, Any], sets: list[tuple[str, Path, list[dict]]]) -> dict[str, set[str]]:
    """The ids answered right per typing ("as written", "lower case")."""
    right: dict[str, set[str]] = {"as written": set(), "lower case": set()}
    for name, docs, rows in sets:
        corpus = Corpus(docs)
        for typing, asked in (("as written", rows), ("lower case", lower(rows))):
            results = evaluate_answers(cores[docs], corpus, asked)["per_question"]
            right[typing] |= {f"{name}#{r['id']}" for r in results if r["correct"]}
    return right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("constant", help="module.path.NAME of the constant, e.g. bot.answering.answer_before.BESIDE_WITHIN")
    parser.add_argument("values", nargs="+", type=float, help="the values to try; the first is the reference")
    args = parser.parse_args(argv)
    module_name, _, name = args.constant.rpartition(".")
    module = importlib.import_module(module_name)
    if not hasattr(module, name):
        parser.error(f"{module_name} has no {name}")
    shipped = getattr(module, name)
    if not isinstance(shipped, (int, float)) or isinstance(shipped, bool):
        parser.error(f"{args.constant} is {shipped!r}, not a number")
    if isinstance(shipped, int) and any(v != int(v) for v in args.values):
        parser.error(f"{args.constant} is a whole number; so must every value be")
    sets = training_sets()
    print(machine_line(machine()))
    print(f"Sweeping {args.constant} (shipped: {shipped}) over {sum(len(r) for _, _, r in sets)} training questions "
          f"({', '.join(n for n, _, _ in sets)}), each as written and in lower case\n")
    results: list[tuple[float, dict[str, set[str]]]] = []
    with tempfile.TemporaryDirectory(prefix="citebot-sweep-") as tmp:
        cores = {docs: build_core(docs, Path(tmp) / f"data-{i}") for i, docs in enumerate({d for _, d, _ in sets})}
        for value in args.values:
            setattr(module, name, type(shipped)(value))
            results.append((value, right_answers(cores, sets)))
            print(f"  {value:g}: {len(results[-1][1]['as written'])} right as written, "
                  f"{len(results[-1][1]['lower case'])} in lower case", flush=True)
    setattr(module, name, shipped)
    reference = results[0][1]
    rows, best, best_right = [], None, -1
    for value, right in results:
        lost = {t: sorted(reference[t] - right[t]) for t in right}
        gained = {t: sorted(right[t] - reference[t]) for t in right}
        total = len(right["as written"]) + len(right["lower case"])
        if not any(lost.values()) and total > best_right:
            best, best_right = value, total
        rows.append([f"{value:g}", len(right["as written"]), len(right["lower case"]),
                     len(gained["as written"]) + len(gained["lower case"]), len(lost["as written"]) + len(lost["lower case"]),
                     ", ".join(i.split("#")[1] for i in sorted(set(lost["as written"]) | set(lost["lower case"]))) or "-"])
    print()
    print(Table(["value", "right as written", "right in lower case", "gained", "lost", "lost (ids)"], rows).render())
    print(f"\nchosen: {best:g} (the most right answers of the values losing none the reference, "
          f"{args.values[0]:g}, got right; the first listed on a tie)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
