#!/usr/bin/env python
"""How fast citebot is, next to the plain LangChain tutorial recipe, in one run.

    python bench/speed.py                       # bundled corpus, 3 repeats of everything
    python bench/speed.py --repeats 5 --cold-runs 7 --json bench/results/speed.json
    python bench/speed.py --index-docs DIR      # indexing figures on another folder

1. Warm `ask` in process: p50/p95 over every question of the gold set (>= 100), each
   repeat a full pass; interleaved per question with the recipe's query (embed the question
   + Chroma similarity_search k=4) so both see the same machine load. Medians over repeats.
2. Cold start of `citebot ask QUESTION --json` as a new process on a built index, next to a
   new process doing the recipe's query on its persisted Chroma (and a bare `python -c pass`).
3. Indexing (bench/indexing.py's scenarios, which has the issue's full set): cold build next to
   the raw embedder on exactly the distinct texts it embeds (passages as "title\\n\\ntext" and
   their sentences), so the ratio is the pipeline's overhead; then a no-op re-index (in process
   and as `citebot index`) and a re-index after one file changed.

Every table states the machine and the load average (other processes share the CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_DOCS, ROOT, LangChainRecipe, Table, build_core, embedder_of, load_gold, machine,
    machine_line, median, percentile, write_results,
)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def header(title: str, info: dict) -> None:
    print(f"\n## {title}\n\n{machine_line(info)}; {load_note()}\n")


# --- 1. warm latency -------------------------------------------------------------------------


def warm_latency(core: Any, recipe: LangChainRecipe, questions: list[str], repeats: int) -> dict[str, Any]:
    for q in questions[:3]:  # warm-up: model loaded, caches filled
        core.ask(q)
        recipe.search(q)
    runs = []
    for _ in range(repeats):
        ask_s, search_s, recipe_s = [], [], []
        for q in questions:
            t0 = time.perf_counter()
            core.ask(q)
            t1 = time.perf_counter()
            core.retriever.search(q)
            t2 = time.perf_counter()
            recipe.search(q)
            t3 = time.perf_counter()
            ask_s.append(t1 - t0)
            search_s.append(t2 - t1)
            recipe_s.append(t3 - t2)
        runs.append({
            name: {"p50": percentile(v, 50) * 1000, "p95": percentile(v, 95) * 1000, "mean": statistics.fmean(v) * 1000}
            for name, v in (("ask", ask_s), ("hybrid_search", search_s), ("recipe", recipe_s))
        })
    out = {name: {stat: median([r[name][stat] for r in runs]) for stat in ("p50", "p95", "mean")}
           for name in ("ask", "hybrid_search", "recipe")}
    out["questions"] = len(questions)
    out["repeats"] = repeats
    out["runs"] = runs
    return out


# --- 2. cold start ---------------------------------------------------------------------------

RECIPE_COLD = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from chromadb.config import Settings
from langchain_chroma import Chroma
from index.embeddings import E5Embeddings
store = Chroma(collection_name={collection!r}, embedding_function=E5Embeddings(), persist_directory={path!r},
               client_settings=Settings(anonymized_telemetry=False))
docs = store.similarity_search({question!r}, k=4)
print(json.dumps({{"passages": len(docs), "inner_seconds": time.perf_counter() - t0}}))
"""


def citebot_command() -> list[str]:
    exe = Path(sys.executable).parent / "citebot"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]


def timed_process(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - t0, done


def cold_start(docs: Path, data: Path, recipe_dir: Path, recipe_collection: str, question: str, runs: int) -> dict[str, Any]:
    env = {**os.environ, "CITEBOT_DOCS_DIR": str(docs), "CITEBOT_DATA_DIR": str(data),
           "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="citebot-cold-"))  # no .env from the repo
    cmds = {
        "citebot ask": citebot_command() + ["ask", question, "--json"],
        "recipe query": [sys.executable, "-c", RECIPE_COLD.format(
            root=str(ROOT), collection=recipe_collection, path=str(recipe_dir), question=question)],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    results: dict[str, list[float]] = {name: [] for name in cmds}
    errors: dict[str, str] = {}
    for _ in range(runs):
        for name, cmd in cmds.items():  # interleaved
            seconds, done = timed_process(cmd, env, workdir)
            if done.returncode != 0:
                errors[name] = (done.stderr or done.stdout)[-500:]
                continue
            if name == "citebot ask":
                json.loads(done.stdout)  # exactly one JSON object, or this raises
            results[name].append(seconds)
    shutil.rmtree(workdir, ignore_errors=True)
    return {name: {"median_s": median(v), "min_s": min(v) if v else float("nan"), "runs": len(v)}
            for name, v in results.items()} | {"errors": errors, "command": " ".join([Path(cmds["citebot ask"][0]).name, *cmds["citebot ask"][1:-3]]) + " ask QUESTION --json"}


# --- 3. indexing (bench/indexing.py's scenarios; it has the full set) -------------------


def indexing(docs: Path, embeddings: Any, repeats: int) -> dict[str, Any]:
    """On a copy of `docs`: cold builds next to the raw embedder on the texts they embed, a no-op
    re-index (in process and as `citebot index`), and a re-index after one file changed."""
    from bench.indexing import changed, cold_build, noop

    scratch = Path(tempfile.mkdtemp(prefix="citebot-index-"))
    try:
        work = scratch / docs.name
        shutil.copytree(docs, work)
        build = cold_build(work, embeddings, repeats, scratch)
        data = Path(build["data"])
        return {"build": build, "noop": noop(work, data, embeddings, repeats),
                "changed": changed(work, data, embeddings, repeats)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "bench" / "gold.jsonl", help="questions to time")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--index-docs", type=Path, default=None, help="folder for the indexing figures (default --docs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--skip", default="", help="comma list of sections to skip: warm,cold,index")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    info = machine()
    print(machine_line(info))
    results: dict[str, Any] = {"machine": info}
    questions = [r["question"] for r in load_gold(args.gold)]
    scratch = Path(tempfile.mkdtemp(prefix="citebot-speed-"))
    try:
        data = scratch / "data"
        t0 = time.perf_counter()
        core = build_core(args.docs, data)
        results["first_build_s"] = time.perf_counter() - t0
        embeddings = embedder_of(core)
        recipe = LangChainRecipe(args.docs, embeddings, persist_directory=scratch / "recipe")
        t0 = time.perf_counter()
        recipe.build()
        results["recipe_build_s"] = time.perf_counter() - t0
        results["recipe_collection"] = recipe.collection

        if "warm" not in skip:
            w = warm_latency(core, recipe, questions, args.repeats)
            results["warm"] = w
            header(f"Warm, in process: {w['questions']} questions x {w['repeats']} passes (medians of the passes)", info)
            print(Table(["", "p50 ms", "p95 ms", "mean ms", "p50 vs recipe", "p95 vs recipe"], [
                ["citebot ask (retrieve + checks + extractive answer)", w["ask"]["p50"], w["ask"]["p95"], w["ask"]["mean"],
                 f"{w['ask']['p50'] / w['recipe']['p50']:.2f}x", f"{w['ask']['p95'] / w['recipe']['p95']:.2f}x"],
                ["citebot hybrid search only (k=top_k)", w["hybrid_search"]["p50"], w["hybrid_search"]["p95"],
                 w["hybrid_search"]["mean"], f"{w['hybrid_search']['p50'] / w['recipe']['p50']:.2f}x",
                 f"{w['hybrid_search']['p95'] / w['recipe']['p95']:.2f}x"],
                ["LangChain recipe similarity_search k=4", w["recipe"]["p50"], w["recipe"]["p95"], w["recipe"]["mean"],
                 "1.00x", "1.00x"],
            ]).render())

        if "cold" not in skip:
            del recipe  # release the persisted store before other processes open it
            c = cold_start(args.docs, data, scratch / "recipe", results["recipe_collection"],
                           questions[0], args.cold_runs)
            results["cold"] = c
            header(f"Cold start: a new process answering one question on a built index (median of {args.cold_runs})", info)
            base = c["recipe query"]["median_s"]
            print(Table(["process", "median s", "min s", "vs recipe"], [
                [f"`{c['command']}`", c["citebot ask"]["median_s"], c["citebot ask"]["min_s"],
                 f"{c['citebot ask']['median_s'] / base:.2f}x"],
                ["recipe: import + open persisted Chroma + similarity_search k=4", base, c["recipe query"]["min_s"], "1.00x"],
                ["`python -c pass` (interpreter alone)", c["python -c pass"]["median_s"], c["python -c pass"]["min_s"],
                 f"{c['python -c pass']['median_s'] / base:.2f}x"],
            ]).render())
            for name, err in c["errors"].items():
                print(f"\n{name} FAILED: {err}")

        if "index" not in skip:
            from bench.indexing import print_build, print_noop, show

            docs = args.index_docs or args.docs
            x = indexing(docs, embeddings, args.repeats)
            results["index"] = x
            print_build(f"Indexing {docs}", x["build"], info)
            print_noop(f"No-op re-index of {docs}", x["noop"], info)
            show("changed", x["changed"], info)
            print("\n(the issue's full indexing figures: python bench/indexing.py)")
        results["load_after"] = load_note()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_results(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
