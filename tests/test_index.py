"""Indexing: incremental updates, no duplicates, bad files reported, atomic generations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import bundled_copy, make_settings, write_documents

from bot.core import AnswerCore
from index.store import get_all

EXTRA = (
    "The Franco-Russian dialogue on cultural heritage.\n\n"
    "In 2020 the two ministries agreed to restore the Tsar Alexander III bridge lamps together. "
    "The restoration was financed by a joint fund of four million euros."
)


@pytest.fixture
def unindexed(tmp_path: Path) -> tuple[Path, AnswerCore]:
    """A copy of the bundled documents and an empty index."""
    docs = bundled_copy(tmp_path / "docs")
    core = AnswerCore.from_settings(make_settings(docs, tmp_path / "data", index="citebot"), build_if_missing=False)
    return docs, core


@pytest.fixture
def built(tmp_path: Path, indexed_template: Path) -> tuple[Path, AnswerCore]:
    """A copy of the bundled documents and a copy of their index (saves embedding it again)."""
    docs = bundled_copy(tmp_path / "docs")
    shutil.copytree(indexed_template, tmp_path / "data")
    core = AnswerCore.from_settings(make_settings(docs, tmp_path / "data", index="citebot"), build_if_missing=False)
    return docs, core


@pytest.fixture(scope="module")
def indexed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    docs = bundled_copy(root / "docs")
    AnswerCore.from_settings(make_settings(docs, root / "data", index="citebot"))
    # The same absolute docs path is recorded in the index; tests use their own copy, so
    # record theirs by running reindex (a no-op apart from that) in each test.
    return root / "data"


def _chunk_ids(core: AnswerCore) -> list[str]:
    generation = core.store.active()
    assert generation is not None
    return get_all(generation.chunks, [])["ids"]


def test_first_build_indexes_every_document_and_a_second_run_changes_nothing(unindexed) -> None:
    docs, core = unindexed
    first = core.reindex()
    assert sorted(first.added) == sorted(p.name for p in docs.iterdir())
    assert first.chunks > 0 and first.embedded > first.chunks  # passages and their sentences
    ids = _chunk_ids(core)
    assert len(ids) == len(set(ids)) == first.chunks

    second = core.reindex()
    assert not second.modified and second.embedded == 0
    assert second.generation == first.generation  # nothing written
    assert sorted(second.unchanged) == sorted(first.added)
    assert _chunk_ids(core) == ids


def test_add_change_delete_are_incremental(built) -> None:
    docs, core = built
    assert core.reindex().embedded == 0
    (docs / "heritage.md").write_text("# Cultural heritage\n\n" + EXTRA, encoding="utf-8")
    added = core.reindex()
    assert added.added == ["heritage.md"] and not added.changed
    assert added.reused == added.chunks - 1  # only the new passage was embedded
    assert core.ask("Who financed the restoration of the bridge lamps?").answered

    moscow = next(p for p in docs.iterdir() if "moscow" in p.name)
    moscow.write_text(moscow.read_text(encoding="utf-8") + "\n\nA closing remark about the weather in Moscow.\n", encoding="utf-8")
    changed = core.reindex()
    assert changed.changed == [moscow.name]
    assert 0 < changed.embedded < added.embedded + 10  # unchanged passages of the file were reused
    ids = _chunk_ids(core)
    assert len(ids) == len(set(ids)) == changed.chunks

    (docs / "heritage.md").unlink()
    removed = core.reindex()
    assert removed.removed == ["heritage.md"]
    sources = {m["source"] for m in get_all(core.store.active().chunks, ["metadatas"])["metadatas"]}
    assert "heritage.md" not in sources
    assert not core.ask("Who financed the restoration of the bridge lamps?").answered


def test_bad_files_are_reported_and_skipped_without_stopping_the_build(built) -> None:
    docs, core = built
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (docs / "empty.md").write_text("", encoding="utf-8")
    (docs / "cyrillic.txt").write_bytes("Встреча министров в Москве".encode("cp1251"))
    (docs / "notes.xyz").write_text("plain", encoding="utf-8")
    report = core.reindex()
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"binary.txt", "empty.md", "cyrillic.txt", "notes.xyz"}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.md"]
    assert "UTF-8" in reasons["cyrillic.txt"]
    assert "unsupported" in reasons["notes.xyz"]
    assert len(report.unchanged) == 2 and report.embedded == 0
    assert "skipped: binary.txt" in report.summary()


def test_a_file_that_turns_unreadable_keeps_its_last_good_version(built) -> None:
    docs, core = built
    paris = next(p for p in docs.iterdir() if "paris" in p.name)
    paris.write_bytes(b"\x00\x01\x02" * 100)
    report = core.reindex()
    assert any(s.source == paris.name and "kept" in s.reason for s in report.skipped)
    assert core.ask("What is MH17?").answered


def test_rebuild_starts_from_scratch_and_keeps_ids_stable(built) -> None:
    _, core = built
    first = core.reindex()
    ids = sorted(_chunk_ids(core))
    again = core.reindex(rebuild=True)
    assert again.generation != first.generation and again.reused == 0
    assert sorted(_chunk_ids(core)) == ids  # content-derived ids
    names = [c.name for c in core.store.client.list_collections()]
    assert sorted(n for n in names if "_g" in n) == [f"citebot_g{again.generation}_chunks", f"citebot_g{again.generation}_sents"]


def test_pointing_at_another_folder_reindexes_it(tmp_path: Path, indexed_template: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(indexed_template, data)
    other = write_documents(tmp_path / "other", {"heritage.txt": "Cultural heritage\n\n" + EXTRA})
    core = AnswerCore.from_settings(make_settings(other, data, index="citebot"))
    assert [d.source for d in core.documents()] == ["heritage.txt"]
    assert not core.ask("What is MH17?").answered
