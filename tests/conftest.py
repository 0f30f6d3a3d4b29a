"""Shared fixtures: the embedding model, loaded once per session; the bundled corpus copied to a
temporary folder and indexed once per session with that model into a real (embedded) Chroma;
`citebot` run in process; a real Chroma server. Plain helpers are in tests/helpers.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chroma_server import ChromaServer
from helpers import SETTING_PREFIXES, bundled_copy, make_settings
from typer.testing import CliRunner

from bot.cli import app
from bot.core import AnswerCore
from index.embeddings import E5Embeddings


@pytest.fixture(scope="session")
def embeddings() -> E5Embeddings:
    """The embedding model (multilingual-e5-small, in process), warmed up so that no test's timing
    pays for loading it."""
    model = E5Embeddings()
    model.embed_query("warm up")
    return model


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundled_copy(tmp_path_factory.mktemp("corpus") / "documents")


@pytest.fixture(scope="session")
def core(corpus_dir: Path, embeddings: E5Embeddings, tmp_path_factory: pytest.TempPathFactory) -> AnswerCore:
    return AnswerCore.from_settings(make_settings(corpus_dir, tmp_path_factory.mktemp("data")), embeddings)


@pytest.fixture
def cli(embeddings: E5Embeddings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Any]:
    """`cli(*args, **settings)` runs `citebot ARGS` in process (Typer's runner) with the session's
    embedding model, in tmp_path (away from any .env file of the repository), with `settings`
    (e.g. CITEBOT_DATA_DIR=...) as its only citebot settings; Typer's result."""
    monkeypatch.setattr("bot.core.E5Embeddings", lambda: embeddings)
    monkeypatch.chdir(tmp_path)
    cleared: dict[str, str | None] = {name: None for name in os.environ if name.startswith(SETTING_PREFIXES)}

    def run(*args: str, **settings: str) -> Any:
        return CliRunner().invoke(app, list(args), env={**cleared, **settings}, catch_exceptions=False)

    return run


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server (`chroma run`) for the tests of a module."""
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "chroma") as server:
        yield server
