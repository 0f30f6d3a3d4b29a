"""The answer core: the one place where citebot turns a question into a cited answer.

Every front end (the `citebot ask` CLI, the console chat, Telegram) calls `AnswerCore.ask`.
It rewrites a follow-up into a standalone search, retrieves passages (hybrid dense + BM25),
checks that the documents can answer at all (the question's names and numbers occur in
them; the best sentence is similar enough), and composes an answer of cited sentences.
While the index store cannot be reached, questions get "the index is unavailable" answers and
the core picks the store up again by itself when it is back.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

import prompts
from bot.config import Settings
from bot.extractive import compose, gather_evidence, select, unsupported_terms
from bot.followup import search_query
from bot.language import asks_for_number, content_tokens, is_small_talk, key_terms, language, states_number
from bot.llm import LLMAnswerer, stream_answer
from index.text import words
from bot.models import Answer, Citation, Turn
from bot.retrieval import DocumentInfo, HybridRetriever
from index.embeddings import E5Embeddings
from index.indexer import IndexReport, Progress, sync_index
from index.errors import IndexEmpty, StoreUnavailable
from index.store import IndexStore, describe, get_by_ids

if TYPE_CHECKING:
    from bot.retrieval import _Snapshot

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
# Control and invisible formatting characters, and lone surrogates (undecodable bytes of a
# command line arrive as those, and no text encoder accepts them).
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class AnswerCore:
    def __init__(self, settings: Settings, store: IndexStore, embeddings: Embeddings) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(store=store, embeddings=embeddings, k=settings.top_k)
        self._reindex_lock = threading.Lock()
        #: The language model that writes answers in LLM mode (settings.llm), else None: extractive.
        self.generator = LLMAnswerer.from_settings(settings, embeddings) if settings.llm != "none" else None

    @classmethod
    def from_settings(
        cls, settings: Settings, embeddings: Embeddings | None = None, *,
        build_if_missing: bool = True, progress: Progress | None = None,
    ) -> AnswerCore:
        """Open the index described by `settings`, building it first if there is none yet."""
        store = open_store(settings)
        core = cls(settings, store, embeddings or E5Embeddings())
        if build_if_missing:
            try:
                active = store.active()
            except StoreUnavailable as exc:  # answers "index unavailable" until the store is back
                log.info("%s", exc)
                return core
            # No index yet, or one built from another folder: (re)build it from this one.
            if active is None or active.info.get("docs_dir") != str(settings.docs_dir.resolve()):
                core.reindex(progress=progress)
        return core

    # --- questions ------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        question = _CONTROL.sub("", question).strip()
        if not re.search(r"\w", question):  # nothing to search for: empty, only emoji or punctuation
            return Answer(question, False, prompts.load("answer_empty_question"))
        if len(question) > MAX_QUESTION_CHARS:
            text = prompts.load("answer_question_too_long").format(length=f"{len(question):,}", limit=f"{MAX_QUESTION_CHARS:,}")
            return Answer(question, False, text)
        if is_small_talk(question):
            return Answer(question, False, prompts.load("answer_small_talk"))
        query = search_query(question, history[-self.settings.history_turns:] if self.settings.history_turns else ())
        if not content_tokens(query) and not key_terms(query):  # "What did she say?" with nothing before it
            return Answer(question, False, prompts.load("answer_vague_question"), search_query=query)
        if self.generator is not None and history and self.settings.history_turns:  # LLM mode condenses follow-ups
            query = self.generator.condense(question, history[-self.settings.history_turns:], fallback=query)
        return self._answer_from_index(question, query)

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        """`ask`, streamed: the text deltas as the language model writes them (a draft: the
        verified answer may differ), then the final `Answer`; without a model, just the Answer."""
        if self.generator is None:
            yield self.ask(question, history)
        else:
            yield from stream_answer(lambda: self.ask(question, history))

    def _answer_from_index(self, question: str, query: str, retry: bool = True) -> Answer:
        """The answer from one generation of the index, or "index unavailable" while the store is down.

        An update may replace (and delete) the generation being read; the question is then
        answered again from the new one, so no question is lost to an update.
        """
        try:
            return self._answer(question, query, self.retriever.snapshot(force=not retry))
        except IndexEmpty:
            raise
        except Exception as exc:
            if isinstance(exc, StoreUnavailable) or not self.store.reachable():
                log.warning("answered without the index: %s", describe(exc))
                return Answer(question, False, prompts.load("answer_index_unavailable"), search_query=query)
            if not retry:
                raise
        return self._answer_from_index(question, query, retry=False)

    def _answer(self, question: str, query: str, snapshot: _Snapshot) -> Answer:
        """Answer `query` from the generation in `snapshot` only."""
        # Names and numbers the documents never mention: in English one is enough to refuse;
        # across scripts and languages (Белоруссии / Belarus) only two or more are trusted.
        missing = [t for t in key_terms(question) if not snapshot.vocabulary.mentions(t)]
        if missing and (language(question) == "en" or len(missing) >= 2):
            terms = ", ".join(f"“{t}”" for t in missing)
            return Answer(question, False, prompts.load("answer_unknown_terms").format(terms=terms), search_query=query)

        # An English question none of whose words (beyond the names) occur anywhere, such as
        # "What is the recipe for borscht?", is about something else entirely.
        if language(question) == "en":
            names = set(content_tokens(" ".join(key_terms(question))))
            topic = [w for w in content_tokens(question) if w not in names]
            if len(topic) >= 2 and not any(snapshot.vocabulary.mentions(w) for w in topic):
                return Answer(question, False, prompts.load("answer_not_found"), search_query=query)

        vector = self.embeddings.embed_query(query)
        passages = self.retriever.search(query, query_vector=vector)
        if any(p.chunk_id not in snapshot.position for p in passages):
            raise _GenerationReplaced(f"the index moved on from generation {snapshot.generation.number}")
        names = key_terms(query)
        focus_text = " ".join(w for w, _ in words(query) if w not in names)
        focus = self.embeddings.embed_query(focus_text) if names and focus_text.strip() else None
        # Only when the rest of the question says something ("give"; not "What is MH17?").
        names_vector = self.embeddings.embed_query(" ".join(names)) if focus is not None and content_tokens(focus_text) else None
        evidence = gather_evidence(query, vector, passages, snapshot.generation.sentences, focus, snapshot.idf,
                                   names_vector)
        if not evidence or max(e.similarity for e in evidence) - snapshot.baseline(vector) < self.settings.min_margin:
            return Answer(question, False, prompts.load("answer_not_found"), search_query=query)
        chosen = select(evidence, self.settings.max_citations)
        # "How many…?" / "When…?" is not answered by sentences that state no number or date.
        if asks_for_number(question) and not any(states_number(e.text) for e in chosen):
            return Answer(question, False, prompts.load("answer_not_found"), search_query=query)
        # The passages to be cited must name what the question names (same tolerance as above).
        unsupported = unsupported_terms(key_terms(question), chosen)
        if unsupported and (language(question) == "en" or len(unsupported) >= 2):
            return Answer(question, False, prompts.load("answer_not_found"), search_query=query)
        text, cited = compose(chosen, evidence)
        citations = [
            Citation(n, p.source, p.title, p.text, p.chunk_id, round(score, 4), p.start, p.end)
            for n, (p, score) in enumerate(cited, 1)
        ]
        answer = Answer(question, True, text, citations, search_query=query)
        if self.generator is not None:  # LLM mode, only once the evidence gates above have passed
            return self.generator.answer(answer, passages, evidence)
        return answer

    # --- the index ------------------------------------------------------------------------
    def check(self) -> None:
        """Raise StoreUnavailable or IndexEmpty unless questions can be answered from the index now."""
        self.retriever.snapshot(force=True)

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


class _GenerationReplaced(Exception):
    """Retrieval went on to a newer generation than the one a question was being answered from."""


def open_store(settings: Settings) -> IndexStore:
    """The index store `settings` describe: the Chroma server at chroma_url, else the embedded one."""
    return IndexStore.open(settings.collection, path=settings.chroma_path, url=settings.chroma_url)


def with_history(history: Sequence[Turn], answer: Answer, keep: int) -> list[Turn]:
    """The conversation after `answer`, trimmed to the last `keep` turns."""
    turns = [*history, Turn(answer.question, answer.search_query or answer.question, answer.answered)]
    return turns[-keep:] if keep else []


__all__ = ["AnswerCore", "DocumentInfo", "MAX_QUESTION_CHARS", "open_store", "with_history"]
