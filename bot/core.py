"""The answer core: the one place where citebot turns a question into a cited answer.

Every front end (the `citebot ask` CLI, the console chat, Telegram) calls `AnswerCore.ask`.
It rewrites a follow-up into a standalone search, retrieves passages (hybrid dense + BM25),
checks that the documents can answer at all (the question's names and numbers occur in
them; the best sentence is similar enough), and composes an answer of cited sentences.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace

from langchain_core.embeddings import Embeddings

import prompts
from bot.config import Settings
from bot.extractive import compose, gather_evidence, select
from bot.followup import search_query
from bot.language import key_terms, language
from bot.models import Answer, Citation, Turn
from bot.retrieval import DocumentInfo, HybridRetriever
from index.embeddings import E5Embeddings
from index.indexer import IndexReport, Progress, sync_index
from index.store import IndexStore, get_by_ids, open_client

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class AnswerCore:
    def __init__(self, settings: Settings, store: IndexStore, embeddings: Embeddings) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(store=store, embeddings=embeddings, k=settings.top_k)
        self._reindex_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, embeddings: Embeddings | None = None, *,
        build_if_missing: bool = True, progress: Progress | None = None,
    ) -> AnswerCore:
        """Open the index described by `settings`, building it first if there is none yet."""
        store = open_store(settings)
        core = cls(settings, store, embeddings or E5Embeddings())
        if build_if_missing and store.active() is None:
            core.reindex(progress=progress)
        return core

    # --- questions ------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        question = _CONTROL.sub("", question).strip()
        if not question:
            return Answer(question, False, prompts.load("answer_empty_question"))
        if len(question) > MAX_QUESTION_CHARS:
            text = prompts.load("answer_question_too_long").format(length=f"{len(question):,}", limit=f"{MAX_QUESTION_CHARS:,}")
            return Answer(question, False, text)
        query = search_query(question, history[-self.settings.history_turns:] if self.settings.history_turns else ())
        snapshot = self.retriever.snapshot()

        # Names and numbers the documents never mention: in English one is enough to refuse;
        # across scripts and languages (Белоруссии / Belarus) only two or more are trusted.
        missing = [t for t in key_terms(question) if not snapshot.vocabulary.mentions(t)]
        if missing and (language(question) == "en" or len(missing) >= 2):
            terms = ", ".join(f"“{t}”" for t in missing)
            return Answer(question, False, prompts.load("answer_unknown_terms").format(terms=terms), search_query=query)

        vector = self.embeddings.embed_query(query)
        passages = self.retriever.search(query, query_vector=vector)
        evidence = gather_evidence(query, vector, passages, snapshot.generation.sentences)
        if not evidence or evidence[0].similarity - snapshot.baseline(vector) < self.settings.min_margin:
            return Answer(question, False, prompts.load("answer_not_found"), search_query=query)
        text, cited = compose(select(evidence, self.settings.max_citations), evidence)
        citations = [
            Citation(n, p.source, p.title, p.text, p.chunk_id, round(score, 4), p.start, p.end)
            for n, (p, score) in enumerate(cited, 1)
        ]
        return Answer(question, True, text, citations, search_query=query)

    # --- the index ------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.retriever.snapshot().documents

    def passage(self, chunk_id: str) -> Citation | None:
        """The passage with this id in the current index (for "show source" buttons)."""
        generation = self.retriever.snapshot().generation
        found = get_by_ids(generation.chunks, [chunk_id], ["documents", "metadatas"])
        if not found["ids"]:
            return None
        meta = found["metadatas"][0]
        return Citation(0, meta["source"], meta["title"], found["documents"][0], chunk_id, 0.0, meta["start"], meta["end"])

    def reindex(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Update the index from the documents folder; questions keep being answered meanwhile."""
        with self._reindex_lock:
            report = sync_index(
                self.store, self.embeddings, self.settings.docs_dir, self.settings.data_dir / "index.lock",
                chunk_chars=self.settings.chunk_chars, max_bytes=int(self.settings.max_file_mb * 1024 * 1024),
                rebuild=rebuild, progress=progress,
            )
        self.retriever.snapshot(force=True)
        return report


def open_store(settings: Settings) -> IndexStore:
    if settings.chroma_url:
        return IndexStore(open_client(url=settings.chroma_url), settings.collection, settings.chroma_url)
    return IndexStore(open_client(path=settings.chroma_path), settings.collection, str(settings.chroma_path))


def with_history(history: Sequence[Turn], answer: Answer, keep: int) -> list[Turn]:
    """The conversation after `answer`, trimmed to the last `keep` turns."""
    turns = [*history, Turn(answer.question, answer.search_query or answer.question, answer.answered)]
    return turns[-keep:] if keep else []


__all__ = ["AnswerCore", "open_store", "with_history", "replace"]
