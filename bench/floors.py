"""Quality floors: per gold set, the figures citebot meets now less a margin, enforced in CI.

    python bench/eval.py --gold G --check-floors bench/floors.json    # exit 1 when one is not met
    python bench/eval.py --gold G --write-floors bench/floors.json    # floors = this run - 0.03
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.common import ROOT

def flatten(metrics: dict) -> dict[str, float]:
    flat: dict[str, float] = {}
    for system, values in metrics["retrieval"].items():
        for k, v in values.items():
            if isinstance(v, (int, float)):
                flat[f"retrieval.{system}.{k}"] = float(v)
    for k, v in metrics["answers"].items():
        if isinstance(v, (int, float)):
            flat[f"answers.{k}"] = float(v)
    return flat


def check_floors(metrics: dict, floors_path: Path, gold_path: Path) -> list[str]:
    floors_all = json.loads(floors_path.read_text(encoding="utf-8"))
    key = gold_key(gold_path)
    floors = floors_all.get(key)
    if floors is None:
        return [f"{floors_path} has no floors for {key} (keys: {', '.join(k for k in floors_all if not k.startswith('_'))})"]
    flat = flatten(metrics)
    problems = []
    for name, bound in floors.items():
        if name.startswith("_"):
            continue
        if name == "hybrid_beats_single":
            for metric in bound:
                h = flat.get(f"retrieval.hybrid.{metric}")
                others = [flat.get(f"retrieval.{s}.{metric}") for s in ("dense", "bm25")]
                if h is None or any(o is None for o in others):
                    problems.append(f"hybrid_beats_single: {metric} not measured")
                elif h < max(others):
                    problems.append(f"hybrid {metric} {h:.3f} < best single retriever {max(others):.3f}")
            continue
        value = flat.get(name)
        if value is None or math.isnan(value):
            problems.append(f"{name}: not measured")
            continue
        if "min" in bound and value < bound["min"] - 1e-9:
            problems.append(f"{name} = {value:.3f} is below its floor {bound['min']}")
        if "max" in bound and value > bound["max"] + 1e-9:
            problems.append(f"{name} = {value:.3f} is above its ceiling {bound['max']}")
    return problems


def gold_key(gold_path: Path) -> str:
    try:
        return gold_path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(gold_path)


FLOOR_METRICS = ["retrieval.hybrid.hit@1", "retrieval.hybrid.hit@5", "retrieval.hybrid.mrr", "retrieval.hybrid.ndcg@10",
                 "answers.correct", "answers.refusal", "answers.citation_precision", "answers.precision",
                 "answers.accuracy", "answers.chain_correct"]


def write_floors(metrics: dict, floors_path: Path, gold_path: Path, margin: float) -> dict:
    """Floors = what was just measured, less `margin` (ceilings for false refusal), for this gold set."""
    flat = flatten(metrics)
    floors = {name: {"min": max(0.0, math.floor((flat[name] - margin) * 100) / 100)}
              for name in FLOOR_METRICS if name in flat and not math.isnan(flat[name])}
    if "answers.false_refusal" in flat:
        floors["answers.false_refusal"] = {"max": min(1.0, math.ceil((flat["answers.false_refusal"] + margin) * 100) / 100)}
    beats = [m for m in ("hit@5", "mrr", "ndcg@10")
             if all(f"retrieval.{s}.{m}" in flat for s in ("hybrid", "dense", "bm25"))
             and flat[f"retrieval.hybrid.{m}"] >= max(flat[f"retrieval.dense.{m}"], flat[f"retrieval.bm25.{m}"])]
    floors["hybrid_beats_single"] = beats
    everything = json.loads(floors_path.read_text(encoding="utf-8")) if floors_path.exists() else {}
    everything.setdefault("_comment", "Floors enforced by `python bench/eval.py --gold G --check-floors bench/floors.json`; "
                          "written by --write-floors from a measured run (measured value less the margin).")
    everything[gold_key(gold_path)] = floors
    floors_path.write_text(json.dumps(everything, indent=1) + "\n", encoding="utf-8")
    return floors


