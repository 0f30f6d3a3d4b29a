"""Choosing LLM mode's prompt: variants asked side by side, and recorded answers re-verified.

    python bench/llm_prompts.py variants [--gold bench/gold-train.jsonl] [--limit 30] [--only NAME ...]
    python bench/llm_prompts.py replay --gold GOLD RESULTS.json

`variants` serves Qwen2.5-Coder-1.5B-Instruct once (joined and checked as `bench/llm_eval.py
--qwen` does) and asks the first `--limit` questions of a training gold set under each prompt of
bench/llm_prompt_variants.json, one after another: a system and a question template, and the form
the passages take ("once": `[n]` at the start of a passage; "numbered": `[n]` before every
sentence, what citebot sends; "header": `Passage [n] (from "title"): ...`), and optionally
"quote": true (the answer held to quoting, bot/llm/grammar.py) with "quote_candidates": N (the
ranker's best N sentences offered; absent: every sentence of the passages). Per variant it prints
how many questions were answered, how many became LLM answers, how many kept every marker as
the model wrote it, and how many answerable ones the model declined. Only training questions
belong here: the held-out sets report the chosen prompt (bench/llm_eval.py).

`replay` re-verifies what the model wrote in an earlier `bench/llm_eval.py --json` run: each
answer goes back through the real pipeline (same index, same passages) from a scripted chat
model, so a change to `bot/llm/verify.py` is measured on recorded answers in seconds, without
the model. It also classifies every sentence against every passage: cited the passage that
supports it, cited one while another supports it, supported by none, or unmarked. A follow-up
is not replayed (the model rewrote it before answering); its recorded outcome stands.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_EMBEDDING_CACHE, DEFAULT_DOCS, ROOT, build_core, load_gold, machine_line  # noqa: E402
from bench.llm_eval import _Verifications, as_written, evaluate, llama_server, qwen_model  # noqa: E402
from bot.config import Settings  # noqa: E402

VARIANTS = ROOT / "bench" / "llm_prompt_variants.json"
DEFAULT_DATA = ROOT / ".bench-cache" / "documents"


def _passage_forms() -> dict[str, Any]:
    import bot.llm.answerer as answerer

    def once(n: int, passage: Any) -> str:
        title = answerer._defuse(passage.title).replace('"', "'")
        return f'<passage id="{n}" title="{title}">\n[{n}] {answerer._defuse(passage.text)}\n</passage>'

    def header(n: int, passage: Any) -> str:
        title = answerer._defuse(passage.title).replace('"', "'")
        return f'Passage [{n}] (from "{title}"):\n{answerer._defuse(passage.text)}\n(end of passage [{n}])'

    return {"once": once, "numbered": answerer._block, "header": header}


def variants(args: argparse.Namespace) -> None:
    from langchain_core.prompts import ChatPromptTemplate

    import bot.llm.answerer as answerer

    chosen = [v for v in json.loads(VARIANTS.read_text(encoding="utf-8")) if not args.only or v["name"] in args.only]
    rows = load_gold(args.gold)[: args.limit or None]
    forms = _passage_forms()
    extractive = build_core(args.docs, args.data)
    model = qwen_model()
    report: dict[str, Any] = {}
    print(machine_line())
    print(f"{len(rows)} questions of {args.gold.name}; model {model.name}")
    print("| variant | answered | LLM answers | as written | answerable declined | seconds |")
    print("|---|---|---|---|---|---|")
    with llama_server(model, Path(tempfile.mkdtemp(prefix="citebot-llama-")) / "server.log") as url:
        core = build_core(args.docs, args.data, llm="openai:smollm2", openai_base_url=url, llm_timeout=300.0,
                          llm_max_passages=args.passages)
        block = answerer._block
        try:
            for variant in chosen:
                core.generator._answer_prompt = ChatPromptTemplate.from_messages(
                    [("system", variant["system"]), ("human", variant["human"])])
                answerer._block = forms[variant["passages"]]
                core.generator.quote = bool(variant.get("quote"))  # held to quoting (bot/llm/grammar.py)
                core.generator.quote_candidates = variant.get("quote_candidates")
                started = time.perf_counter()
                results = evaluate(rows, core, extractive)["results"]
                answered = [r for r in results if r["answered"]]
                line = {"answered": len(answered), "llm": sum(r["mode"] == "llm" for r in answered),
                        "as_written": sum(as_written(r) for r in answered),
                        "declined_answerable": sum(r["mode"] == "llm" and not r["answered"] and r["answerable"]
                                                   for r in results),
                        "seconds": round(time.perf_counter() - started)}
                print(f"| {variant['name']} | {line['answered']} | {line['llm']} | {line['as_written']} | "
                      f"{line['declined_answerable']} | {line['seconds']} |", flush=True)
                report[variant["name"]] = {"summary": line, "results": results}
                if args.json:
                    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        finally:
            answerer._block = block


def replay(args: argparse.Namespace) -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    import bot.llm.answerer as answerer
    from bot.core import AnswerCore
    from bot.llm import verify as verification
    from bot.models import Turn

    gold = {row["id"]: row for row in load_gold(args.gold)}
    results = json.loads(args.results.read_text(encoding="utf-8"))["results"]
    kinds: Counter[str] = Counter()
    original = answerer.verify

    def classifying(text: str, passages: Any, evidence: Any, embeddings: Any, question: str = "") -> Any:
        test = verification.SupportTest(embeddings, passages, verification.sentence_vectors(evidence), question)
        claims = verification.split_claims(text)
        for claim, vector in zip(claims, test.embed([c.text for c in claims])):
            good = {n for n in range(1, len(passages) + 1) if test.score(claim.text, vector, n).supported}
            if not claim.markers:
                kinds["unmarked, supported" if good else "unmarked, supported by none"] += 1
            elif set(claim.markers) <= good:
                kinds["cited the passage that supports it"] += 1
            else:
                kinds["cited one, another supports it" if good else "supported by none"] += 1
        return original(text, passages, evidence, embeddings, question)

    settings = Settings(docs_dir=args.docs, data_dir=args.data, embedding_cache=BENCH_EMBEDDING_CACHE)
    watcher = _Verifications()
    logger = logging.getLogger("citebot.llm")
    logger.addHandler(watcher)
    logger.setLevel(logging.INFO)
    answerer.verify = classifying
    before = after = answered = 0
    try:
        for result in results:
            if not result["answered"] or result["mode"] not in ("llm", "fallback"):
                continue
            answered += 1
            before += as_written(result)
            row = gold[result["id"]]
            if row["history"]:
                after += as_written(result)
                continue
            model = GenericFakeChatModel(messages=iter([AIMessage(result["model_wrote"] or " ")]))
            watcher.records.clear()
            answer = AnswerCore.from_settings(settings, chat_model=model).ask(
                row["question"], [Turn(q, q, True) for q in row["history"]])
            check = watcher.records[-1] if watcher.records else None
            after += as_written({"mode": answer.mode, "verification": check})
    finally:
        answerer.verify = original
        logger.removeHandler(watcher)
    print(f"{args.results.name}: {answered} answered; every marker as written: {before} as recorded, "
          f"{after} re-verified now")
    print("sentences:", dict(kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("variants", help="ask training questions under each prompt variant")
    ask.add_argument("--gold", type=Path, default=ROOT / "bench" / "gold-train.jsonl")
    ask.add_argument("--limit", type=int, default=30, help="the first N questions (0: all)")
    ask.add_argument("--only", nargs="*", default=[], help="variant names (default: all)")
    ask.add_argument("--json", type=Path, default=None, help="write every variant's results here")
    ask.add_argument("--passages", type=int, default=Settings.model_fields["llm_max_passages"].default,
                     help="passages given to the model (default: citebot's)")
    again = sub.add_parser("replay", help="re-verify the answers of an llm_eval --json run")
    again.add_argument("results", type=Path)
    again.add_argument("--gold", type=Path, required=True)
    for command in (ask, again):
        command.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
        command.add_argument("--data", type=Path, default=DEFAULT_DATA, help="index folder (built if missing)")
    args = parser.parse_args()
    variants(args) if args.command == "variants" else replay(args)


if __name__ == "__main__":
    main()
