"""Faults of the embedded store and the data folder: clear errors, and the previous index kept.

Every case starts from a copy of one small, complete index (of the same documents folder).
The CLI runs in process (Typer's runner, the shared model), so that a fault can be injected
where no real one can be made on demand: a disk that fills up in the middle of a rebuild.
Expected each time: exit code 1, one line on stderr starting with "error:", no traceback, and
the previous index unchanged (its files byte for byte, or still answering).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chromadb.api.models.Collection import Collection
from chromadb.errors import InternalError
from helpers import make_settings, one_error_line, write_documents

import prompts
from bot.core import AnswerCore
from index.embeddings import E5Embeddings
from index.store import IndexStore

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "glassworks.txt": "The Orrin Glassworks\n\nThe Orrin Glassworks was founded in 1764 by Elsa Dahlgren. "
    "The furnace of the Orrin Glassworks has burned without a pause since 1952. "
    "The Orrin Glassworks is famous for its blue bottles.\n",
    "canal.txt": "The Pellham Canal\n\nThe Pellham Canal is 38 kilometres long and has 14 locks. "
    "The Pellham Canal was dug by 900 workers under the engineer Ruben Achterberg. "
    "Barges on the Pellham Canal carried coal until 1961.\n",
}
QUESTION = "Who founded the Orrin Glassworks?"
ANSWER = "Elsa Dahlgren"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, embeddings: E5Embeddings) -> Path:
    """A folder with documents/ and data/ (a complete embedded index of them) to copy data/ from."""
    root = tmp_path_factory.mktemp("base")
    core = AnswerCore.from_settings(make_settings(write_documents(root / "documents", DOCUMENTS), root / "data"),
                                    embeddings)
    assert ANSWER in core.ask(QUESTION).answer
    return root


@pytest.fixture
def copy(base: Path, tmp_path: Path) -> Path:
    """A private copy of the base data folder (the index of base/documents)."""
    return Path(shutil.copytree(base / "data", tmp_path / "data"))


@pytest.fixture
def cli_on(cli: Callable[..., Any], base: Path) -> Callable[..., Any]:
    """`cli_on(data, *args)` runs `citebot ARGS` in process (conftest's `cli`) on base/documents
    with the data folder `data`; Typer's result."""
    return lambda data, *args: cli(*args, CITEBOT_DOCS_DIR=str(base / "documents"), CITEBOT_DATA_DIR=str(data))


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def generation_names(data: Path) -> list[str]:
    store = IndexStore.open("citebot", path=data / "chroma")
    return sorted(c.name for c in store.client.list_collections() if "_g" in c.name)


# --- the data folder ------------------------------------------------------------------------


def test_data_dir_that_is_a_file(cli_on: Callable[..., Any], tmp_path: Path) -> None:
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("x")
    for args in (["index"], ["ask", QUESTION]):
        line = one_error_line(cli_on(not_a_folder, *args))
        assert str(not_a_folder) in line and "CITEBOT_DATA_DIR" in line


def test_data_dir_not_writable(cli_on: Callable[..., Any], copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating files in the data folder is refused (EACCES, as for a folder owned by someone else;
    simulated, since tests may run as root, whom permissions do not stop)."""
    data = copy
    before = fingerprint(data)
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(path: Any) -> None:
        if Path(path).resolve().is_relative_to(data.resolve()):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def guarded_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if not Path(path).exists():  # an existing folder answers EEXIST first, as the kernel does
            refuse(path)
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    line = one_error_line(cli_on(copy, "index", "--rebuild"))
    assert "permission denied" in line and str(data) in line and "CITEBOT_DATA_DIR" in line
    assert fingerprint(data) == before
    answer = cli_on(copy, "ask", QUESTION)  # reading still works
    assert answer.exit_code == 0 and ANSWER in answer.stdout, answer.stderr


# --- a write failing in the middle of a rebuild -------------------------------------------


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    InternalError("error returned from database: (code: 13) database or disk is full"),
], ids=["ENOSPC", "sqlite-full"])
def test_disk_full_during_a_rebuild_keeps_the_previous_index(
    cli_on: Callable[..., Any], copy: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception,
) -> None:
    before = generation_names(copy)
    upsert = Collection.upsert
    calls = {"n": 0}

    def upsert_until_full(self: Collection, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 1:  # the first batch is written, the disk fills up on the next
            raise failure
        upsert(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "upsert", upsert_until_full)
    line = one_error_line(cli_on(copy, "index", "--rebuild"))
    assert "full" in line or "no space" in line
    assert "previous index is unchanged" in line
    monkeypatch.setattr(Collection, "upsert", upsert)

    assert generation_names(copy) == before, "the half-built generation must be gone, the old one kept"
    answer = cli_on(copy, "ask", QUESTION)
    assert answer.exit_code == 0 and ANSWER in answer.stdout
    rerun = cli_on(copy, "index", "--rebuild")
    assert rerun.exit_code == 0, rerun.stderr
    assert len(generation_names(copy)) == 2 and generation_names(copy) != before


# --- a damaged embedded store -------------------------------------------------------------


def garbage_header(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.write(os.urandom(4096))


def truncated(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 3)


@pytest.mark.parametrize("damage", [garbage_header, truncated], ids=["garbage-header", "truncated"])
def test_a_damaged_store_is_reported_and_left_alone(
    cli_on: Callable[..., Any], base: Path, copy: Path, embeddings: E5Embeddings, damage: Callable[[Path], None],
) -> None:
    store = copy / "chroma"
    damage(store / "chroma.sqlite3")
    before = fingerprint(store)
    for args in (["ask", QUESTION], ["index"], ["index", "--rebuild"]):
        line = one_error_line(cli_on(copy, *args))
        assert "damaged" in line and str(store) in line, line
    assert fingerprint(store) == before, "citebot must not touch a damaged store"
    core = AnswerCore.from_settings(make_settings(base / "documents", copy), embeddings)  # the bot keeps running
    answer = core.ask(QUESTION)
    assert not answer.answered and answer.answer == prompts.load("answer_index_unavailable")
    assert fingerprint(store) == before
