"""Indexing a real folder: one index per folder, nothing lost to an empty or missing folder,
no text embedded twice, giant files bounded, and what built an index recorded (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import ROOT, bundled_copy, make_settings, write_documents

from bot.core import AnswerCore
from index.embeddings import E5Embeddings

GIFT = "What did Parly give to Shoigu?"
BRIDGE = (
    "The Franco-Russian dialogue on cultural heritage.\n\n"
    "In 2020 the two ministries agreed to restore the lamps of the Alexander III bridge together. "
    "The restoration was financed by a joint fund of four million euros."
)


def open_core(docs: Path, data: Path, embeddings: E5Embeddings, **settings: Any) -> AnswerCore:
    return AnswerCore.from_settings(make_settings(docs, data, **settings), embeddings, build_if_missing=False)


def bridge_folder(path: Path) -> Path:
    return write_documents(path, {"heritage.txt": BRIDGE})


def test_each_folder_keeps_its_own_index_and_switching_back_embeds_nothing(
    tmp_path: Path, embeddings: E5Embeddings,
) -> None:
    a, b, data = bundled_copy(tmp_path / "a"), bridge_folder(tmp_path / "b"), tmp_path / "data"
    first = open_core(a, data, embeddings).reindex()
    other = open_core(b, data, embeddings).reindex()
    started = time.perf_counter()
    back = open_core(a, data, embeddings).reindex()
    assert time.perf_counter() - started < 5
    assert first.embedded > 0 and other.embedded > 0 and first.name != other.name
    assert not back.modified and back.embedded == 0 and back.generation == first.generation
    # Each folder answers from its own documents.
    assert "photograph" in open_core(a, data, embeddings).ask(GIFT).answer
    assert "four million euros" in open_core(b, data, embeddings).ask("How much did the bridge lamps cost?").answer
    listed = {info.name: info for info in open_core(a, data, embeddings).indexes()}
    assert listed[first.name].docs_dir == str(a.resolve()) and listed[first.name].documents == 2
    assert listed[other.name].docs_dir == str(b.resolve()) and listed[other.name].passages == other.chunks


def test_an_empty_or_missing_folder_never_deletes_an_index(cli: Callable[..., Any], tmp_path: Path) -> None:
    docs = bundled_copy(tmp_path / "docs")
    (tmp_path / "empty").mkdir()
    data = {"CITEBOT_DATA_DIR": str(tmp_path / "data")}
    assert cli("index", "--docs", str(docs), "--index", "team", **data).exit_code == 0
    for folder, problem in ((tmp_path / "empty", "holds no document"), (tmp_path / "missing", "does not exist")):
        result = cli("index", "--docs", str(folder), "--index", "team", **data)
        assert result.exit_code == 1 and problem in result.stderr
        assert "the index team (2 documents" in result.stderr and "is kept" in result.stderr
    listed = cli("index", "--list", "--index", "team", **data)
    assert "* team: 2 documents" in listed.stdout and str(docs.resolve()) in listed.stdout
    answer = cli("ask", GIFT, "--docs", str(docs), "--index", "team", **data)
    assert answer.exit_code == 0 and "photograph" in answer.stdout
    # Only --rebuild replaces it, and says so.
    replaced = cli("index", "--docs", str(tmp_path / "empty"), "--index", "team", "--rebuild", **data)
    assert replaced.exit_code == 0 and "0 documents, 0 passages" in replaced.stderr


def test_rebuilds_and_a_new_passage_length_take_vectors_from_the_cache(
    tmp_path: Path, embeddings: E5Embeddings,
) -> None:
    docs, data = bundled_copy(tmp_path / "docs"), tmp_path / "data"
    first = open_core(docs, data, embeddings).reindex()
    again = open_core(docs, data, embeddings).reindex(rebuild=True)
    assert again.generation != first.generation and again.reused == 0
    assert again.embedded == 0 and again.cached == first.embedded
    shorter = open_core(docs, data, embeddings, chunk_chars=600)
    changed = shorter.reindex()
    assert "passage length changed (900 -> 600" in (changed.rebuilt_because or "")
    assert changed.chunks > first.chunks  # re-chunked, not the old passages kept
    # Sentences are the same whatever the passage length: most vectors come from the cache.
    assert changed.cached > 2 * changed.embedded > 0
    assert "photograph" in shorter.ask(GIFT).answer
    assert shorter.index_info().build.chunk_chars == 600


def test_the_cache_is_shared_by_folders_and_repeats_are_embedded_once(
    tmp_path: Path, embeddings: E5Embeddings,
) -> None:
    data = tmp_path / "data"
    alone = open_core(bridge_folder(tmp_path / "one"), data, embeddings).reindex()
    twice = bridge_folder(tmp_path / "two")
    (twice / "sub").mkdir()
    shutil.copy(twice / "heritage.txt", twice / "sub" / "copy.txt")
    both = open_core(twice, data, embeddings).reindex()
    # Another folder, the same text twice (under two titles): only the copy's title-bearing passage is new.
    assert both.documents == 2 and both.embedded <= 1 and both.cached >= alone.embedded - 1


def test_a_giant_repetitive_file_is_skipped_and_the_rest_indexed_in_bounded_time(
    tmp_path: Path, embeddings: E5Embeddings,
) -> None:
    docs = bridge_folder(tmp_path / "docs")
    sentence = "The committee met again on Tuesday to discuss the budget. "
    (docs / "giant.txt").write_text(sentence * (11_000_000 // len(sentence)), encoding="utf-8")
    (docs / "minutes.txt").write_text(("Minutes of the weekly meeting.\n\n" + sentence * 40 + "\n\n") * 20, encoding="utf-8")
    (docs / "note.md").write_text("# Note\n\nThe archive closes at six in the evening on Fridays.", encoding="utf-8")
    started = time.perf_counter()
    report = open_core(docs, tmp_path / "data", embeddings).reindex()
    assert time.perf_counter() - started < 120
    skipped = {s.source: s.reason for s in report.skipped}
    assert set(skipped) == {"giant.txt"} and "more than the limit of 3000 per file" in skipped["giant.txt"]
    assert sorted(report.added) == ["heritage.txt", "minutes.txt", "note.md"]
    # minutes.txt repeats one sentence 800 times: it is embedded once.
    assert report.repeats > 700 and report.embedded < 40
    closing = open_core(docs, tmp_path / "data", embeddings).ask("When does the archive close?")
    assert "six in the evening" in closing.answer


def test_progress_moves_with_every_embedded_batch(tmp_path: Path, embeddings: E5Embeddings) -> None:
    calls: list[tuple[int, int]] = []
    report = open_core(bundled_copy(tmp_path / "docs"), tmp_path / "data", embeddings).reindex(
        progress=lambda done, total: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert len(calls) >= 3 and done == sorted(done) and calls[-1] == (report.embedded, report.embedded)


def test_openmp_waits_passively_unless_the_user_chose_otherwise() -> None:
    code = "import os, index.embeddings; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    for chosen, expected in ((None, "passive"), ("ACTIVE", "ACTIVE")):
        run_env = env if chosen is None else {**env, "OMP_WAIT_POLICY": chosen}
        out = subprocess.run([sys.executable, "-c", code], env=run_env, cwd=ROOT, capture_output=True, text=True,
                             check=True)
        assert out.stdout.strip() == expected


def test_the_answer_side_reads_the_index_only_through_its_typed_reads() -> None:
    """bot/ never calls Chroma, reads metadata dicts or parses ids: index/records.py owns the schema."""
    offending = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("chromadb", "get_all(", "get_by_ids(", "metadatas", ".chunks.", ".sentences.get", 'rsplit(":"'):
            if needle in text:
                offending.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offending == []
