#!/usr/bin/env python
"""Indexing speed: the figures the indexing issue is "done when", side by side, in one run.

    OMP_WAIT_POLICY=passive python bench/indexing.py   # everything, 3 repeats (tens of minutes)
    python bench/indexing.py --repeats 1 --files 20 --noop-files 50 --skip hostile   # smoke test
    python bench/indexing.py --files-from /usr/share/doc --json bench/results/indexing.json

Run from the repository root, on a quiet machine; the processes it starts get OMP_WAIT_POLICY=
passive. Each table states the machine and the load average. Scenarios (names for --skip):

  bundled  cold build of the bundled corpus (documents/): `AnswerCore.reindex()` on a fresh data
           folder (so an empty embedding cache), next to the raw embedder (`embed_documents` in the
           indexer's batches of 32) over exactly the distinct texts the build embeds: passages as
           "title\\n\\ntext", then their sentences, deduplicated (checked against
           `IndexReport.embedded`). ratio = build s / raw s, each pair run back to back; medians
           over --repeats, each repeat a fresh data folder. Targets: <= 5 s, ratio <= 1.2x.
  files    the same on --files (300) small text files: the first /usr/share/doc/*/copyright files
           (under --files-from) smaller than 8,000 bytes, by package name, copied as
           <package>.txt. Targets: <= 6 min, ratio <= 1.2x.
  order    the raw embedder on the small files' distinct texts in the indexer's order next to the
           same texts sorted by length (less padding per batch, if the model pads): does sorting
           batches by length help? Interleaved, medians of --repeats.
  noop     --noop-files (1,000) small distinct files (a numbered sentence and 1-2 lines of those
           copyright files each), built once, then re-indexed with nothing changed: in process
           (`core.reindex()` of a running core) and as a new process `citebot index --docs DIR`
           (wall time, and the seconds its report states). Medians of --repeats. Target <= 2 s.
  switch   folder A (a copy of the bundled corpus) indexed, then folder B (3 small files), then
           A again with the same data folder: the switch back, in process (`AnswerCore.
           from_settings` + `reindex()`) and as `citebot index --docs A`. Target <= 2 s.
  changed  re-index of the bundled corpus after its smallest file changed: seconds, texts
           embedded, passages reused.
  hostile  one 11 MB file of a single repeated sentence plus 3 small files: the cold build
           (target <= 5 min) and the line saying why the big file was skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from bench.common import (  # noqa: E402
    DEFAULT_DOCS, ROOT, Table, document_paths, machine, machine_line, median, write_results,
)
from bench.speed import citebot_command, header, load_note, timed_process  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core import AnswerCore  # noqa: E402
from index.chunking import chunk_text  # noqa: E402
from index.embeddings import E5Embeddings  # noqa: E402
from index.errors import UnreadableDocument  # noqa: E402
from index.loaders import discover, load_document  # noqa: E402

SCENARIOS = ("bundled", "files", "order", "noop", "switch", "changed", "hostile")
SMALL_BYTES = 8000  # copyright files below this size make the --files folder
EMBED_BATCH = 32  # index.cache.embed_once's default batch, what the indexer uses
HOSTILE_SENTENCE = "The committee met again on Tuesday to discuss the budget. "
HOSTILE_BYTES = 11 * 1024 * 1024


# --- folders ---------------------------------------------------------------------------------


def copyright_files(root: Path) -> list[Path]:
    """root/*/copyright files smaller than SMALL_BYTES, sorted by package name."""
    found = [p for p in root.glob("*/copyright") if p.is_file() and p.stat().st_size < SMALL_BYTES]
    return sorted(found, key=lambda p: p.parent.name)


def source_lines(files: list[Path], limit: int = 200) -> list[str]:
    """Up to `limit` distinct sentence-like lines of `files` (else of the bundled corpus)."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files or sorted(DEFAULT_DOCS.glob("*.txt"))]
    lines = dict.fromkeys(" ".join(line.split()) for text in texts for line in text.splitlines())
    good = [line.rstrip(".") + "." for line in lines if 30 <= len(line) <= 160 and len(line.split()) >= 5]
    return good[:limit] or ["The documents folder holds this line so that the note is not empty."]


def copyright_folder(scratch: Path, copyrights: list[Path], n: int) -> Path:
    """The first `n` copyright files copied as <package>.txt into one folder (made once)."""
    folder = scratch / f"copyright-{n}"
    if not folder.exists():
        folder.mkdir()
        for path in copyrights[:n]:
            shutil.copyfile(path, folder / f"{path.parent.name}.txt")
    return folder


def note_folder(target: Path, lines: list[str], n: int, prefix: str = "note") -> Path:
    """`n` small distinct text files: a sentence with the file's number, then 1-2 pooled lines."""
    target.mkdir(parents=True)
    for i in range(n):
        picked = [lines[(2 * i + j) % len(lines)] for j in range(1 + i % 2)]
        text = f"This is {prefix} number {i} of the {prefix} collection.\n" + " ".join(picked) + "\n"
        (target / f"{prefix}-{i:04d}.txt").write_text(text, encoding="utf-8")
    return target


# --- citebot and the raw embedder ------------------------------------------------------------


def open_core(docs: Path, data: Path, embeddings: Any, build_if_missing: bool = False) -> AnswerCore:
    settings = Settings(docs_dir=docs, data_dir=data)
    return AnswerCore.from_settings(settings, embeddings, build_if_missing=build_if_missing)


def timed_reindex(core: AnswerCore) -> tuple[float, Any]:
    t0 = time.perf_counter()
    report = core.reindex()
    return time.perf_counter() - t0, report


def embedded_texts(docs: Path, settings: Settings) -> list[str]:
    """The distinct texts a cold build of `docs` embeds, in the order the indexer embeds them:
    every passage ("title\\n\\ntext"), then every passage's sentences, first occurrences."""
    passages, sentences = [], []
    for path in discover(docs, settings.max_file_bytes)[0]:
        try:
            document = load_document(path, docs)
        except UnreadableDocument:
            continue
        if len(document.text) // settings.chunk_chars + 1 > settings.max_passages_per_file:
            continue  # skipped by the indexer too
        for c in chunk_text(document.text, document.source, document.title, settings.chunk_chars):
            passages.append(f"{c.title}\n\n{c.text}")
            sentences += [c.text[a - c.start : b - c.start] for a, b in c.sentences]
    return list(dict.fromkeys(passages + sentences))


def raw_embed(embeddings: Any, texts: list[str]) -> float:
    """Seconds of `embed_documents` over `texts`, in the indexer's batches."""
    t0 = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embeddings.embed_documents(texts[i : i + EMBED_BATCH])
    return time.perf_counter() - t0


def cli_index(docs: Path, data: Path) -> tuple[float, float | None]:
    """A new process `citebot index --docs DOCS`: (wall seconds, seconds its report states)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env |= {"CITEBOT_DATA_DIR": str(data), "OMP_WAIT_POLICY": "passive", "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="citebot-cli-"))  # no .env from the repo
    try:
        seconds, done = timed_process(citebot_command() + ["index", "--docs", str(docs)], env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"citebot index --docs {docs} failed: {(done.stderr or done.stdout)[-500:]}")
    if "0 added, 0 changed, 0 removed" not in done.stderr:
        print(f"WARNING: `citebot index --docs {docs}` was not a no-op:\n{done.stderr.strip()}")
    inside = re.search(r"\) in ([\d.]+) s\.", done.stderr)
    return seconds, float(inside.group(1)) if inside else None


# --- scenarios -------------------------------------------------------------------------------


def cold_build(docs: Path, embeddings: Any, repeats: int, scratch: Path) -> dict[str, Any]:
    """Cold builds of `docs` (fresh data folder each) next to the raw embedder on the same texts.
    The last repeat's data folder is kept (under `scratch`) and returned as "data"."""
    texts = embedded_texts(docs, Settings(docs_dir=docs, data_dir=scratch))
    embeddings.embed_documents(["warm-up"])  # model loaded
    runs = []
    for i in range(repeats):
        raw_s = raw_embed(embeddings, texts)
        data = scratch / f"data-{docs.name}-{i}"
        build_s, r = timed_reindex(open_core(docs, data, embeddings))
        runs.append({"build_s": build_s, "raw_s": raw_s, "ratio": build_s / raw_s, "inside_s": r.seconds,
                     "embed_s": r.embed_seconds})
        if i < repeats - 1:
            shutil.rmtree(data, ignore_errors=True)
    if r.embedded != len(texts) or r.cached:
        print(f"WARNING: the build embedded {r.embedded} texts ({r.cached} cached); the raw embedder got "
              f"{len(texts)}: the ratio compares different work")
    mb = sum(p.stat().st_size for p in document_paths(docs)) / 1e6
    return {"docs": str(docs), "mb": mb, "documents": r.documents, "chunks": r.chunks, "embedded": r.embedded,
            "raw_texts": len(texts), "repeats_in_run": r.repeats, "skipped": [f"{s.source}: {s.reason}" for s in r.skipped],
            **{key: median([run[key] for run in runs]) for key in runs[0]}, "runs": runs, "data": str(data)}


def noop(docs: Path, data: Path, embeddings: Any, repeats: int, other: Path | None = None) -> dict[str, Any]:
    """Re-index of an indexed folder with nothing changed: in a running core, and as a new process
    `citebot index --docs DOCS`. With `other` (indexed in the same data folder), a switch back:
    `other` is re-indexed (it is the folder in use) before each timed run, and the in-process run
    opens `docs`' index anew (`AnswerCore.from_settings`) before its `reindex()`."""
    core = open_core(docs, data, embeddings)
    core.check()  # a running core has its snapshot loaded
    inproc, runs = [], []
    for _ in range(repeats):
        if other is not None:
            open_core(other, data, embeddings).reindex()
        t0 = time.perf_counter()
        if other is not None:
            core = open_core(docs, data, embeddings, build_if_missing=True)
        r = core.reindex()
        inproc.append(time.perf_counter() - t0)
        assert not r.modified and r.embedded == 0 and core.startup_report is None, f"not a no-op: {r.summary()}"
    for _ in range(repeats):
        if other is not None:
            cli_index(other, data)
        runs.append(cli_index(docs, data))
    return {"docs": str(docs), "other": other and str(other), "documents": r.documents, "chunks": r.chunks,
            "in_process_s": median(inproc), "inside_s": r.seconds, "process_s": median([w for w, _ in runs]),
            "process_inside_s": median([s for _, s in runs if s is not None]), "runs": {"in_process": inproc, "process": runs}}


def changed(docs: Path, data: Path, embeddings: Any, repeats: int) -> dict[str, Any]:
    """Re-index after the smallest file of an indexed folder changed (restored afterwards)."""
    core = open_core(docs, data, embeddings)
    target = min(document_paths(docs), key=lambda p: p.stat().st_size)
    original = target.read_bytes()
    runs = []
    try:
        for i in range(repeats):
            target.write_bytes(original + f"\n\nA sentence added for re-index run {i} of the benchmark.\n".encode())
            seconds, r = timed_reindex(core)
            runs.append((seconds, r.embedded, r.reused))
    finally:
        target.write_bytes(original)
        core.reindex()
    return {"file": target.name, "seconds": median([s for s, _, _ in runs]),
            "embedded": median([e for _, e, _ in runs]), "reused": median([u for _, _, u in runs]), "runs": runs}


def length_order(docs: Path, embeddings: Any, repeats: int, scratch: Path) -> dict[str, Any]:
    """The raw embedder on `docs`' distinct texts in the indexer's order next to sorted by length
    (less padding per batch, if the model pads), interleaved, medians of `repeats`."""
    texts = embedded_texts(docs, Settings(docs_dir=docs, data_dir=scratch))
    by_length = sorted(texts, key=len)
    embeddings.embed_documents(["warm-up"])
    runs = [(raw_embed(embeddings, texts), raw_embed(embeddings, by_length)) for _ in range(repeats)]
    as_is, ordered = median([a for a, _ in runs]), median([b for _, b in runs])
    return {"texts": len(texts), "as_is_s": as_is, "sorted_s": ordered, "gain": as_is / ordered, "runs": runs}


def hostile(lines: list[str], embeddings: Any, scratch: Path) -> dict[str, Any]:
    """Cold build of one 11 MB file of a single repeated sentence, plus 3 small text files."""
    docs = note_folder(scratch / "hostile", lines, 3, prefix="small")
    (docs / "minutes.txt").write_text(HOSTILE_SENTENCE * (HOSTILE_BYTES // len(HOSTILE_SENTENCE)), encoding="utf-8")
    seconds, r = timed_reindex(open_core(docs, scratch / "data-hostile", embeddings))
    skipped = [f"{s.source}: {s.reason}" for s in r.skipped]
    if not any(line.startswith("minutes.txt:") for line in skipped):
        print("WARNING: the 11 MB file was not skipped")
    return {"build_s": seconds, "documents": r.documents, "chunks": r.chunks, "embedded": r.embedded,
            "skipped": skipped, "big_file_mb": (docs / "minutes.txt").stat().st_size / 1024 / 1024}


# --- tables ----------------------------------------------------------------------------------


def print_build(title: str, x: dict[str, Any], info: dict[str, Any]) -> None:
    header(f"{title}: cold build, {x['documents']} documents ({x['mb']:.2f} MB), {x['chunks']} passages "
           f"(median of {len(x['runs'])})", info)
    print(Table(["", "seconds", "note"], [
        ["citebot cold build (`AnswerCore.reindex()`, empty cache)", x["build_s"],
         f"{x['embedded']} distinct texts embedded ({x['embed_s']:.2f} s in the model), {x['repeats_in_run']} repeats "
         f"embedded once; sync_index {x['inside_s']:.2f} s"],
        ["raw embedder over the same distinct texts", x["raw_s"], f"{x['raw_texts']} texts, batches of {EMBED_BATCH}"],
        ["build / raw", f"{x['ratio']:.2f}x", "target <= 1.2x"],
    ]).render() + "".join(f"\n  skipped: {line}" for line in x["skipped"]))


def print_noop(title: str, x: dict[str, Any], info: dict[str, Any]) -> None:
    header(f"{title} (median of {len(x['runs']['in_process'])})", info)
    how = "`AnswerCore.from_settings` + `reindex()`" if x["other"] else "`core.reindex()` of a running core"
    print(Table(["", "seconds", "note"], [
        [f"in process ({how})", x["in_process_s"], f"sync_index {x['inside_s']:.3f} s"],
        ["new process `citebot index --docs DIR`", x["process_s"],
         f"its report: {x['process_inside_s']:.1f} s; the rest is start-up"]]).render())


def show(key: str, x: dict[str, Any], info: dict[str, Any]) -> None:
    """Print scenario `key`'s result `x` (with the machine and the load average now)."""
    if key in ("bundled", "files"):
        print_build("Bundled corpus (documents/)" if key == "bundled" else f"{x['documents']} small text files", x, info)
    elif key == "noop":
        print_noop(f"No-op re-index of {x['documents']} files (built once in {x['build_s']:.1f} s, "
                   f"{x['build_embedded']} texts)", x, info)
    elif key == "switch":
        print_noop("Switching back to an indexed folder (A, then B, then A)", x, info)
    elif key == "changed":
        header("Re-index after one file changed", info)
        print(Table(["", "seconds", "note"], [[f"`{x['file']}` changed", x["seconds"],
              f"{x['embedded']:.0f} texts embedded, {x['reused']:.0f} passages reused"]]).render())
    elif key == "order":
        header(f"Batches sorted by length? The raw embedder on {x['texts']} distinct texts of the small files "
               f"(median of {len(x['runs'])}, interleaved)", info)
        print(Table(["order", "seconds", "note"], [
            ["the indexer's (passages, then their sentences)", x["as_is_s"], ""],
            ["sorted by length", x["sorted_s"], f"{x['gain']:.2f}x as fast"]]).render())
    elif key == "hostile":
        header(f"Hostile folder: one {x['big_file_mb']:.0f} MB file of one repeated sentence + 3 small files", info)
        print(Table(["", "seconds", "note"], [["cold build", x["build_s"],
              f"{x['documents']} documents, {x['chunks']} passages, {x['embedded']} texts embedded"]]).render()
              + "".join(f"\n  skipped: {line}" for line in x["skipped"]))


def summary(results: dict[str, Any], info: dict[str, Any]) -> None:
    """One table: each figure of the issue next to its target."""
    rows = [(f"{name}: build / raw embedder", results[key]["ratio"], 1.2, "x")
            for key, name in (("bundled", "bundled corpus"), ("files", "small text files")) if key in results]
    rows += [(f"{name}: cold build", results[key]["build_s"], target, " s")
             for key, name, target in (("bundled", "bundled corpus", 5), ("files", "small text files", 360),
                                       ("hostile", "hostile folder", 300)) if key in results]
    rows += [(f"{name}, {how}", results[key][field], 2, " s")
             for key, name in (("noop", f"no-op re-index, {results.get('noop', {}).get('documents')} files"),
                               ("switch", "switch back to an indexed folder"))
             for field, how in (("in_process_s", "in process"), ("process_s", "`citebot index` process")) if key in results]
    header("Summary: the issue's targets (for a quiet machine)", info)
    print(Table(["figure", "target", "measured", "met"], [
        [figure, f"<= {target:g}{unit}", f"{value:.2f}{unit}", "yes" if value <= target else "NO"]
        for figure, value, target, unit in rows]).render())


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files-from", type=Path, default=Path("/usr/share/doc"),
                        help="folder of <package>/copyright files (the 'files' folder, and the lines of the notes)")
    parser.add_argument("--files", type=int, default=300, help="small text files in the 'files' scenario")
    parser.add_argument("--noop-files", type=int, default=1000, help="files in the 'noop' scenario")
    parser.add_argument("--skip", default="", help=f"comma list of scenarios to skip: {','.join(SCENARIOS)}")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if skip - set(SCENARIOS):
        parser.error(f"unknown scenarios in --skip: {', '.join(sorted(skip - set(SCENARIOS)))}")
    info = machine()
    print(f"{machine_line(info)}; {load_note()}")
    results: dict[str, Any] = {"machine": info, "load_before": load_note(), "args": vars(args)}
    embeddings = E5Embeddings()
    copyrights = copyright_files(args.files_from)
    lines = source_lines(copyrights)
    scratch = Path(tempfile.mkdtemp(prefix="citebot-indexing-"))
    try:
        bundled = scratch / "bundled"
        shutil.copytree(DEFAULT_DOCS, bundled)
        for key in SCENARIOS:
            if key in skip and not (key == "bundled" and "changed" not in skip):  # changed needs its build
                continue
            if key == "bundled":
                results[key] = cold_build(bundled, embeddings, args.repeats, scratch)
            elif key == "changed":
                results[key] = changed(bundled, Path(results["bundled"]["data"]), embeddings, args.repeats)
            elif key == "files":
                if len(copyrights) < args.files:
                    print(f"WARNING: only {len(copyrights)} copyright files under {SMALL_BYTES} bytes in {args.files_from}")
                results[key] = cold_build(copyright_folder(scratch, copyrights, args.files), embeddings,
                                          args.repeats, scratch)
            elif key == "noop":
                docs, data = note_folder(scratch / "notes", lines, args.noop_files), scratch / "data-notes"
                build_s, r = timed_reindex(open_core(docs, data, embeddings))
                results[key] = {"build_s": build_s, "build_embedded": r.embedded} | noop(docs, data, embeddings, args.repeats)
            elif key == "switch":
                b, data = note_folder(scratch / "folder-b", lines, 3, prefix="other"), scratch / "data-switch"
                for folder in (bundled, b):  # A indexed, then B
                    open_core(folder, data, embeddings).reindex()
                results[key] = noop(bundled, data, embeddings, args.repeats, other=b)
            elif key == "order":
                results[key] = length_order(copyright_folder(scratch, copyrights, args.files), embeddings,
                                            args.repeats, scratch)
            elif key == "hostile":
                results[key] = hostile(lines, embeddings, scratch)
            show(key, results[key], info)
        results["load_after"] = load_note()
        summary(results, info)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_results(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
