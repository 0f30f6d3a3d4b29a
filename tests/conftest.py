"""Shared fixtures: the bundled corpus copied to a temporary folder, indexed once per session
with the real embedding model into a real (embedded) Chroma."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import AnswerCore

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "documents"


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("corpus") / "documents"
    shutil.copytree(BUNDLED, target)
    return target


@pytest.fixture(scope="session")
def core(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> AnswerCore:
    settings = Settings(_env_file=None, docs_dir=corpus_dir, data_dir=tmp_path_factory.mktemp("data"))
    return AnswerCore.from_settings(settings)


def make_settings(docs: Path, data: Path, **overrides: object) -> Settings:
    return Settings(_env_file=None, docs_dir=docs, data_dir=data, **overrides)
