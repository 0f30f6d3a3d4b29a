#!/usr/bin/env python
"""Quality of citebot on a gold question set: retrieval and answers, against the baselines.

    python bench/eval.py                                  # bench/gold.jsonl, all systems
    python bench/eval.py --gold tests/gold.jsonl
    python bench/eval.py --json bench/results/eval.json   # metrics (and every question) as JSON
    python bench/eval.py --check-floors bench/floors.json # exit 1 when a floor is not met (CI)
    python bench/eval.py --lower-case                     # the same questions typed in lower case

Retrieval (standalone answerable questions; follow-ups need the conversation and are scored
in the answer metrics only), for citebot's hybrid, dense-only and BM25-only retrieval and for
the plain LangChain tutorial recipe (RecursiveCharacterTextSplitter 1000/200 + Chroma
similarity_search, same embedder):
  a retrieved passage is relevant when it holds at least half of a gold quote's span in the
  gold document. hit@k: a relevant passage in the top k. MRR: 1/rank of the first relevant
  passage (top 10). nDCG@10: binary gain per gold quote, credited once, to the first passage
  holding it (IDCG from the number of gold quotes). all@5: every gold quote in the top 5
  (questions needing two documents). ctx: hit within the passages the system actually hands
  its answerer (citebot: top_k; the recipe: k=4).

Answers (every question, follow-ups with their history asked first, as the chat does):
  correct (answerable): answered, every fact present in the answer text (any alternative;
  case/accent-insensitive) and at least one citation's passage overlapping a gold quote.
  correct (unanswerable): refused. refusal = refused/unanswerable; false refusal =
  refused/answerable; citation precision = share of [n] markers whose sentence is found in
  the cited passage; precision = correct answers / answered; accuracy = correct / all.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT, Corpus, docs_for, LangChainRecipe, Table, build_core, embedder_of, fold, load_gold, machine,
    machine_line, overlap,
)
from bench.floors import check_floors, gold_key, write_floors  # noqa: E402

K_MAX = 10
MARKER = re.compile(r"\[(\d+)\]")
SYSTEMS = ("hybrid", "dense", "bm25", "langchain")
SYSTEM_LABELS = {
    "hybrid": "citebot hybrid (dense+BM25, RRF)",
    "dense": "citebot dense only",
    "bm25": "citebot BM25 only",
    "langchain": "LangChain recipe (1000/200 + Chroma k=4)",
}


# --- retrieval -----------------------------------------------------------------------------


def gold_spans(corpus: Corpus, row: dict) -> list[tuple[str, tuple[int, int]]]:
    spans = []
    for g in row["gold"]:
        span = corpus.locate(g["source"], g["quote"])
        if span is None:
            raise SystemExit(f"{row['id']}: gold quote not found in {g['source']}: {g['quote']!r}")
        spans.append((g["source"], span))
    return spans


def covered(corpus: Corpus, hit: tuple[str, str, int | None], spans: list[tuple[str, tuple[int, int]]]) -> set[int]:
    """Indexes of the gold quotes that a retrieved passage holds (at least half of each)."""
    source, text, start = hit
    where = corpus.locate(source, text, start)
    if where is None:
        return set()
    return {
        i for i, (gsource, gspan) in enumerate(spans)
        if gsource == source and overlap(where, gspan) * 2 >= gspan[1] - gspan[0]
    }


def rank_metrics(per_rank: list[set[int]], n_gold: int, ctx: int) -> dict[str, float]:
    first = next((r for r, got in enumerate(per_rank, 1) if got), None)
    seen: set[int] = set()
    dcg = 0.0
    for r, got in enumerate(per_rank[:K_MAX], 1):
        new = got - seen
        seen |= got
        dcg += len(new) / math.log2(r + 1)
    idcg = sum(1 / math.log2(r + 1) for r in range(1, min(n_gold, K_MAX) + 1))
    top5 = set().union(*per_rank[:5]) if per_rank[:5] else set()
    return {
        "hit@1": float(first == 1),
        "hit@5": float(first is not None and first <= 5),
        "mrr": 1.0 / first if first else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "all@5": float(len(top5) == n_gold),
        "ctx": float(first is not None and first <= ctx),
        "rank": first or 0,
    }


def evaluate_retrieval(core: Any, recipe: LangChainRecipe | None, corpus: Corpus, rows: list[dict]) -> dict[str, Any]:
    systems = [s for s in SYSTEMS if s != "langchain" or recipe is not None]
    per_question: dict[str, dict[str, dict]] = {s: {} for s in systems}
    seconds: dict[str, float] = {s: 0.0 for s in systems}
    for row in rows:
        spans = gold_spans(corpus, row)
        for system in systems:
            t0 = time.perf_counter()
            if system == "langchain":
                docs = recipe.search(row["question"], k=K_MAX)
                hits = [(d.metadata["source"], d.page_content, d.metadata.get("start_index")) for d in docs]
                ctx = LangChainRecipe.K
            else:
                passages = core.retriever.search(row["question"], k=K_MAX, mode=system)
                hits = [(p.source, p.text, p.start) for p in passages]
                ctx = core.settings.top_k
            seconds[system] += time.perf_counter() - t0
            per_rank = [covered(corpus, h, spans) for h in hits]
            per_question[system][row["id"]] = rank_metrics(per_rank, len(spans), ctx)
    summary: dict[str, Any] = {}
    for system in systems:
        results = per_question[system]
        n = len(results)
        agg = {m: sum(r[m] for r in results.values()) / n if n else math.nan
               for m in ("hit@1", "hit@5", "mrr", "ndcg@10", "ctx")}
        multi = [rows_by_id for rows_by_id in rows if len({g["source"] for g in rows_by_id["gold"]}) > 1]
        agg["all@5"] = (sum(results[r["id"]]["all@5"] for r in multi) / len(multi)) if multi else math.nan
        agg["n"] = n
        agg["ms_per_query"] = 1000 * seconds[system] / n if n else math.nan
        by_lang = {}
        for lang in ("en", "ru", "fr"):
            ids = [r["id"] for r in rows if r["lang"] == lang]
            if ids:
                by_lang[lang] = sum(results[i]["hit@5"] for i in ids) / len(ids)
        agg["hit@5_by_lang"] = by_lang
        summary[system] = agg
    return {"summary": summary, "per_question": per_question}


# --- answers -------------------------------------------------------------------------------


def split_marked(answer: str) -> list[tuple[str, int]]:
    """(sentence, n) for each [n] marker: the text since the previous marker."""
    out, last = [], 0
    for match in MARKER.finditer(answer):
        sentence = MARKER.sub("", answer[last : match.start()]).strip()
        out.append((sentence, int(match.group(1))))
        last = match.end()
    return out


def supported(sentence: str, quote: str) -> bool:
    s, q = fold(sentence), fold(quote)
    if not s:
        return True
    if s.strip(" .") in q:
        return True
    words = re.findall(r"\w+", s)
    have = set(re.findall(r"\w+", q))
    return bool(words) and sum(w in have for w in words) / len(words) >= 0.8


def judge(answer: Any, row: dict, corpus: Corpus) -> dict[str, Any]:
    """How one answer fares against its gold row (the definitions in this module's docstring)."""
    text = answer.answer
    missing = [fact for fact in row["facts"] if not any(fold(alt) in fold(text) for alt in fact)]
    spans = gold_spans(corpus, row) if row["answerable"] else []
    cited_gold = False
    sentence_gold = False
    for c in answer.citations:
        where = corpus.locate(c.source, c.quote, c.start)
        if where and any(s == c.source and overlap(where, span) > 0 for s, span in spans):
            cited_gold = True
    marked = split_marked(text) if answer.answered else []
    support = []
    for sentence, n in marked:
        c = answer.citation(n)
        ok = c is not None and supported(sentence, c.quote)
        support.append(ok)
        if c is not None:
            where = corpus.locate(c.source, sentence.strip())
            if where and any(s == c.source and overlap(where, span) > 0 for s, span in spans):
                sentence_gold = True
    if row["answerable"]:
        correct = answer.answered and not missing and cited_gold
    else:
        correct = not answer.answered
    return {"correct": bool(correct), "missing_facts": missing, "cited_gold": cited_gold,
            "sentence_gold": sentence_gold, "markers": len(marked), "supported": sum(support)}


def ask_with_history(core: Any, row: dict, cache: dict[tuple[str, ...], list]) -> list:
    """Ask the row's conversation first, as the chat would (answers cached per prefix), and
    return the history to ask the row's question with."""
    from bot.core import with_history

    keep = max(core.settings.history_turns, 1)
    key: tuple[str, ...] = ()
    turns: list = cache.setdefault((), [])
    for earlier in row["history"]:
        nkey = key + (earlier,)
        if nkey not in cache:
            cache[nkey] = with_history(turns, core.ask(earlier, turns), keep)
        key, turns = nkey, cache[nkey]
    return turns


def evaluate_answers(core: Any, corpus: Corpus, rows: list[dict]) -> dict[str, Any]:
    results = []
    history_cache: dict[tuple[str, ...], list] = {}
    for row in rows:
        turns = ask_with_history(core, row, history_cache)
        t0 = time.perf_counter()
        answer = core.ask(row["question"], turns)
        seconds = time.perf_counter() - t0
        verdict = judge(answer, row, corpus)
        results.append({
            "id": row["id"], "lang": row["lang"], "question": row["question"], "history": row["history"],
            "chain": row.get("chain"), "answerable": row["answerable"], "answered": answer.answered,
            **verdict, "refusal": answer.refusal, "sentences": len(MARKER.findall(answer.answer)),
            "answer": answer.answer, "search_query": getattr(answer, "search_query", ""), "seconds": round(seconds, 4),
            "citations": [{"n": c.n, "source": c.source, "start": c.start, "end": c.end, "score": c.score}
                          for c in answer.citations],
        })
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    answered = [r for r in results if r["answered"]]

    def rate(part, of):
        return part / of if of else math.nan

    summary = {
        "n": len(results), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "correct": rate(sum(r["correct"] for r in answerable), len(answerable)),
        "facts_present": rate(sum(r["answered"] and not r["missing_facts"] for r in answerable), len(answerable)),
        "cited_gold": rate(sum(r["cited_gold"] for r in answerable), len(answerable)),
        "sentence_gold": rate(sum(r["sentence_gold"] for r in answerable), len(answerable)),
        "refusal": rate(sum(not r["answered"] for r in unanswerable), len(unanswerable)),
        "false_refusal": rate(sum(not r["answered"] for r in answerable), len(answerable)),
        "citation_precision": rate(sum(r["supported"] for r in answered), sum(r["markers"] for r in answered)),
        "precision": rate(sum(r["correct"] for r in answered), len(answered)),
        "accuracy": rate(sum(r["correct"] for r in results), len(results)),
        "seconds_per_question": rate(sum(r["seconds"] for r in results), len(results)),
        "median_sentences": statistics.median([r["sentences"] for r in answered]) if answered else math.nan,
    }
    chained = [r for r in results if r["chain"]]
    summary["chain_turns"] = len(chained)
    summary["chain_correct"] = rate(sum(r["correct"] for r in chained), len(chained))
    summary["refusals"] = dict(Counter(r["refusal"] or "?" for r in results if not r["answered"]).most_common())
    summary["wrong_refusals"] = dict(Counter(r["refusal"] or "?" for r in answerable if not r["answered"]).most_common())
    by_lang = {}
    for lang in ("en", "ru", "fr"):
        part = [r for r in results if r["lang"] == lang]
        if part:
            by_lang[lang] = {"n": len(part), "accuracy": rate(sum(r["correct"] for r in part), len(part))}
    summary["by_lang"] = by_lang
    return {"summary": summary, "per_question": results}


def failure(r: dict) -> tuple[int, str]:
    """(severity, reason); lower severity = worse."""
    if not r["answerable"]:
        return (0, "answered an unanswerable question") if r["answered"] else (9, "")
    if not r["answered"]:
        return 2, "refused an answerable question"
    reasons = []
    if r["missing_facts"]:
        reasons.append("missing " + "; ".join("/".join(f) for f in r["missing_facts"]))
    if not r["cited_gold"]:
        reasons.append("no citation from a gold passage")
    return (1, ", ".join(reasons)) if reasons else (9, "")


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "bench" / "gold.jsonl")
    parser.add_argument("--docs", type=Path, default=None,
                        help="documents folder (default: the gold set's, see bench.common.docs_for)")
    parser.add_argument("--split", choices=("train", "heldout"), default=None,
                        help="only the rows of this split (gold sets whose rows carry a 'split')")
    parser.add_argument("--data", type=Path, default=None,
                        help="citebot data folder to use (default: a fresh temporary one, index built each run)")
    parser.add_argument("--json", type=Path, default=None, help="write the metrics and every question's result here")
    parser.add_argument("--check-floors", type=Path, default=None, help="floors file; exit 1 when one is not met")
    parser.add_argument("--write-floors", type=Path, default=None,
                        help="write this run's figures less --margin as the floors for this gold set into this file")
    parser.add_argument("--margin", type=float, default=0.03, help="slack below the measured figures (--write-floors)")
    parser.add_argument("--no-langchain", action="store_true", help="skip the LangChain recipe baseline")
    parser.add_argument("--worst", type=int, default=25, help="how many failed questions to list (worst first)")
    parser.add_argument("--lower-case", action="store_true",
                        help="ask every question (and its conversation) typed in lower case, as many people chat")
    args = parser.parse_args(argv)

    rows = [r for r in load_gold(args.gold) if args.split is None or r.get("split") == args.split]
    if args.lower_case and (args.write_floors or args.check_floors):
        parser.error("the floors are for the questions as written: not with --lower-case")
    if args.lower_case:
        rows = [{**r, "question": r["question"].lower(), "history": [h.lower() for h in r["history"]]} for r in rows]
    args.docs = args.docs or docs_for(args.gold)
    info = machine()
    print(machine_line(info))
    print(f"Gold set: {args.gold} ({len(rows)} questions, {sum(not r['answerable'] for r in rows)} unanswerable)"
          + (", typed in lower case" if args.lower_case else ""))
    corpus = Corpus(args.docs)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citebot-eval-") as tmp:
        data = args.data or Path(tmp) / "data"
        t0 = time.perf_counter()
        core = build_core(args.docs, data)
        build_s = time.perf_counter() - t0
        recipe = None
        recipe_s = math.nan
        if not args.no_langchain:
            t0 = time.perf_counter()
            recipe = LangChainRecipe(args.docs, embedder_of(core))
            recipe.build()
            recipe_s = time.perf_counter() - t0
        retrieval_rows = [r for r in rows if r["answerable"] and not r["history"]]
        retrieval = evaluate_retrieval(core, recipe, corpus, retrieval_rows)
        answers = evaluate_answers(core, corpus, rows)

    rs, ans = retrieval["summary"], answers["summary"]
    print(f"citebot index: {build_s:.1f} s; recipe index: {recipe_s:.1f} s; total run {time.perf_counter() - started:.0f} s\n")
    print(f"Retrieval ({len(retrieval_rows)} standalone answerable questions; "
          f"all@5 over {sum(len({g['source'] for g in r['gold']}) > 1 for r in retrieval_rows)} two-document questions)\n")
    table = Table(["system", "hit@1", "hit@5", "MRR", "nDCG@10", "all@5", "hit@ctx", "hit@5 en/ru/fr", "ms/query"], [
        [SYSTEM_LABELS[s], v["hit@1"], v["hit@5"], v["mrr"], v["ndcg@10"], v["all@5"], v["ctx"],
         " / ".join(f"{v['hit@5_by_lang'].get(lang, math.nan):.2f}" for lang in ("en", "ru", "fr")), v["ms_per_query"]]
        for s, v in rs.items()
    ])
    print(table.render())
    print(f"\nAnswers ({ans['n']} questions: {ans['answerable']} answerable, {ans['unanswerable']} unanswerable)\n")
    print(Table(["correct", "refusal", "false refusal", "citation precision", "precision", "accuracy",
                 "facts present", "gold passage cited", "s/question"],
                [[ans["correct"], ans["refusal"], ans["false_refusal"], ans["citation_precision"], ans["precision"],
                  ans["accuracy"], ans["facts_present"], ans["cited_gold"], ans["seconds_per_question"]]]).render())
    print(f"\nmedian sentences per answer: {ans['median_sentences']}; follow-up chain turns correct: "
          f"{ans['chain_correct']:.3f} (n={ans['chain_turns']})" if ans["chain_turns"] else
          f"\nmedian sentences per answer: {ans['median_sentences']}")
    print("refusals by check: " + (", ".join(f"{k} {v}" for k, v in ans["refusals"].items()) or "none")
          + "; of answerable questions: " + (", ".join(f"{k} {v}" for k, v in ans["wrong_refusals"].items()) or "none"))
    print("accuracy by language: " + ", ".join(
        f"{lang} {v['accuracy']:.3f} (n={v['n']})" for lang, v in ans["by_lang"].items()))

    failures = sorted(
        ((failure(r), r) for r in answers["per_question"] if failure(r)[0] < 9),
        key=lambda item: (item[0][0], -(retrieval["per_question"]["hybrid"].get(item[1]["id"], {}).get("rank", 0) or 99)),
    )
    print(f"\nFailures, worst first ({len(failures)} of {ans['n']}):")
    for (severity, reason), r in failures[: args.worst]:
        rank = retrieval["per_question"]["hybrid"].get(r["id"], {}).get("rank")
        rank_note = "" if rank is None else f" [hybrid gold rank {rank or '>10'}]"
        hist = f" (after: {' / '.join(r['history'])})" if r["history"] else ""
        print(f"- {r['id']} {r['question']!r}{hist}: {reason}{rank_note}")
        print(f"    answer: {r['answer'][:220]!r}")
    if len(failures) > args.worst:
        print(f"  ... {len(failures) - args.worst} more (--worst N, or --json)")

    metrics = {
        "machine": info, "gold": str(args.gold), "lower_case": args.lower_case, "questions": len(rows),
        "index_seconds": build_s, "recipe_index_seconds": recipe_s,
        "retrieval": {s: {k: v for k, v in vals.items()} for s, vals in rs.items()},
        "answers": ans,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**metrics, "per_question": {
            "retrieval": retrieval["per_question"], "answers": answers["per_question"]}},
            ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nwrote {args.json}")
    if args.write_floors:
        write_floors(metrics, args.write_floors, args.gold, args.margin)
        print(f"\nwrote floors for {gold_key(args.gold)} into {args.write_floors}")
    if args.check_floors:
        problems = check_floors(metrics, args.check_floors, args.gold)
        if problems:
            print("\nFLOORS NOT MET:\n" + "\n".join(f"  - {p}" for p in problems))
            return 1
        print(f"\nAll floors in {args.check_floors} met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
