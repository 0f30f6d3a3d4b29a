"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank.

Dense search finds paraphrases and questions in other languages; BM25 finds the rare words
that embeddings blur (MH17, JCPOA, Krasnaya Zvezda). `HybridRetriever` is a LangChain
`BaseRetriever`, so it drops into LCEL chains; `search()` gives citebot the richer results.
The in-memory BM25 index follows the store's active generation: an update made by another
process is picked up within `refresh_seconds`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr
from rank_bm25 import BM25Okapi

from bot.language import content_tokens, language
from bot.proper_names import ProperNames, proper_names
from bot.vocabulary import Vocabulary
from index.errors import IndexEmpty
from index.loaders import heading_of, setting_of
from index.records import DocumentRecord, PassageRecord, SentenceRecord, documents_of
from index.store import Generation, IndexStore

SearchMode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60
#: How much BM25's ranking counts against dense search's in the fusion (chosen by bench/fusion.py
#: on the training questions: the share of them whose gold passage reaches the answerer).
BM25_WEIGHT = 0.5
#: The same for a query in another language than the collection's, which shares little but
#: names with its words (chosen apart by bench/fusion.py).
BM25_WEIGHT_OTHER_LANGUAGE = 0.0
BACKGROUND_SAMPLE = 2000
#: How many passages' sentences (with their vectors, ~15 KB a passage) a snapshot keeps.
SENTENCE_CACHE = 4096
#: Up to how many vectors (a generation's passages, or its sentences) a snapshot searches
#: exactly, every vector against the query, in memory; above, Chroma's HNSW index answers. That
#: index is approximate, and its graph depends on how the build's threads ran: built again from
#: the same Python pages, it missed one of the 24 nearest passages for 2-6 of 89 questions and
#: one of the 10 nearest sentences for 16-18, other questions in each process. Chosen by
#: bench/exact_search.py: the largest size at which the exact search is no slower than Chroma's
#: query (0.9 against 1.5 ms at 25,000 vectors, where Chroma's 24 held 95% of the nearest 24;
#: 37 MB, read once a generation in 0.6 s).
EXACT_SEARCH_ROWS = 25_000


class _ExactSearch:
    """Vectors held in memory as the store gives them, each with a key (its passage's id),
    searched exactly."""

    def __init__(self, keys: list[str], vectors: np.ndarray) -> None:
        self.keys = keys
        self.vectors = vectors
        norms = np.linalg.norm(vectors, axis=1) if len(keys) else np.ones(0, np.float32)
        self.inverse_norms = 1.0 / np.maximum(norms, 1e-12)

    def nearest(self, vector: list[float] | np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` rows most similar to `vector`: (key, cosine similarity), best first; rows
        equally similar in the store's order."""
        n = min(n, len(self.keys))
        if n <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        similarity = (self.vectors @ query) * self.inverse_norms / max(float(np.linalg.norm(query)), 1e-12)
        best = np.argpartition(-similarity, n - 1)[:n] if n < len(self.keys) else np.arange(n)
        best = best[np.lexsort((best, -similarity[best]))]
        return [(self.keys[i], float(similarity[i])) for i in best]

    def vectors_of(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The vectors of these keys (unique ones: passages), as the store gives them."""
        return {key: self.vectors[self._rows[key]] for key in keys if key in self._rows}

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.keys)}


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float  # fused score (RRF) in hybrid mode, else the mode's own score
    similarity: float  # cosine similarity to the query (0 when only BM25 found it)


#: A document of the index, as front ends list it (source, title, passages).
DocumentInfo = DocumentRecord


class _Snapshot:
    """Everything kept in memory for one generation."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self.records: list[PassageRecord] = generation.passages()
        self.ids: list[str] = [r.id for r in self.records]
        self.texts: list[str] = [r.text for r in self.records]
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        self.bm25 = BM25Okapi([content_tokens(f"{r.title} {r.text}") for r in self.records]) if self.ids else None
        self.idf: dict[str, float] = dict(self.bm25.idf) if self.bm25 is not None else {}
        self.vocabulary = Vocabulary(self.texts + [r.title for r in self.records])
        # Each document's words, title included: "is this name mentioned in that document?"
        texts_of: dict[str, list[str]] = {}
        first: dict[str, PassageRecord] = {}
        for r in self.records:
            texts_of.setdefault(r.source, [r.title]).append(r.text)
            if r.source not in first or r.start < first[r.source].start:
                first[r.source] = r
        self.document_vocabulary = {source: Vocabulary(texts) for source, texts in texts_of.items()}
        #: Each document's heading: its first line, whole (`index.loaders.heading_of`), or its title.
        self.headings = {source: heading_of(r.text) or r.title for source, r in first.items()}
        #: Where each document is set, for those that say (`index.loaders.setting_of`).
        self.settings = {source: Vocabulary([placed]) for source, r in first.items()
                         if (placed := setting_of(r.text, self.headings[source]))}
        self._vocabularies: dict[Hashable, Vocabulary] = {}
        self._sentences: OrderedDict[str, list[SentenceRecord]] = OrderedDict()  # see `sentences_of`
        self._sentences_lock = threading.Lock()
        #: The language most passages are written in.
        self.language = Counter(language(t) for t in self.texts).most_common(1)[0][0] if self.texts else "en"
        # A sample of sentence vectors: what "an unrelated sentence" scores against a question.
        self.background = generation.sentence_vectors(limit=BACKGROUND_SAMPLE)
        self.documents = documents_of(self.records)
        #: Per reference array: the best similarity each of its questions reaches in the collection.
        self._unrelated: tuple[np.ndarray, np.ndarray] | None = None
        self._hubness: dict[tuple[str, int], tuple[float, float]] = {}  # see `hubness`

    @cached_property
    def _exact_passages(self) -> _ExactSearch | None:
        """The passages' vectors, searched exactly; None above EXACT_SEARCH_ROWS passages."""
        return _ExactSearch(*self.generation.all_passage_vectors()) if len(self.ids) <= EXACT_SEARCH_ROWS else None

    @cached_property
    def _exact_sentences(self) -> _ExactSearch | None:
        """The sentences' vectors (each keyed by its passage), searched exactly; None above
        EXACT_SEARCH_ROWS sentences."""
        fits = self.generation.sentence_count() <= EXACT_SEARCH_ROWS
        return _ExactSearch(*self.generation.all_sentence_vectors()) if fits else None

    def nearest(self, vector: list[float] | np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` passages most similar to `vector`: (passage id, cosine similarity), best first."""
        exact = self._exact_passages
        return exact.nearest(vector, n) if exact is not None else self.generation.nearest(vector, n)

    def nearest_sentences(self, vector: np.ndarray, n: int) -> list[str]:
        """The passages of the `n` sentences most similar to `vector`, best first, a passage once."""
        exact = self._exact_sentences
        if exact is None:
            return [pid for pid, _ in self.generation.nearest_sentences(vector, n)]
        return list(dict.fromkeys(pid for pid, _ in exact.nearest(vector, n)))

    @cached_property
    def proper_names(self) -> ProperNames:
        """The names the collection writes only as names, which a question may type in lower
        case ("parly", "red square"; made at the first question, not when the snapshot loads)."""
        return proper_names(self.texts + [r.title for r in self.records], self.language)

    def sentences_of(self, passage_ids: list[str]) -> list[SentenceRecord]:
        """The sentences of these passages with their vectors, in passage then reading order, as
        `Generation.sentences_of` reads them; the passages most recently asked for
        (SENTENCE_CACHE) are kept, so a passage that comes back question after question is
        read from the store once."""
        with self._sentences_lock:
            kept = {p: self._sentences[p] for p in passage_ids if p in self._sentences}
        missing = [p for p in passage_ids if p not in kept]
        found: dict[str, list[SentenceRecord]] = {p: [] for p in missing}
        for record in self.generation.sentences_of(missing) if missing else []:
            found[record.passage_id].append(record)
        kept |= found
        with self._sentences_lock:
            for p in passage_ids:
                self._sentences[p] = kept[p]
                self._sentences.move_to_end(p)
            while len(self._sentences) > SENTENCE_CACHE:
                self._sentences.popitem(last=False)
        return [record for p in passage_ids for record in kept[p]]

    def words_of(self, key: Hashable, text: str) -> Vocabulary:
        """The words of `text`, a passage or a sentence of this generation that `key` names
        (kept for the generation's lifetime: made once, not for every question)."""
        found = self._vocabularies.get(key)
        if found is None:
            found = self._vocabularies[key] = Vocabulary([text])
        return found

    def against_background(self, query_vector: list[float] | np.ndarray) -> tuple[float, float]:
        """The median and the best similarity of the query to the collection's sentences (the
        sample); (0, 0) for an empty collection."""
        if not len(self.background):
            return 0.0, 0.0
        similarity = self.background @ np.asarray(query_vector, dtype=np.float32)
        return float(np.median(similarity)), float(similarity.max())

    def relatedness(self, top: float, reference: np.ndarray, rows: np.ndarray | None = None) -> float:
        """How far a question's best similarity to the collection's sentences (`top`) stands
        above the best similarities that questions about other things (`reference`, one vector a
        row; only `rows` of them, a boolean mask, when given) reach in this collection, in their
        standard deviations. Raw similarities run higher in some collections than in others
        (Python's documentation resembles any "how do I" question), and lower for questions in
        another language than the documents'; this is the same scale for all of them."""
        if not len(self.background) or not len(reference):
            return 0.0
        if self._unrelated is None or self._unrelated[0] is not reference:
            self._unrelated = (reference, (self.background @ reference.T).max(axis=0))
        tops = self._unrelated[1] if rows is None else self._unrelated[1][rows]
        return (top - float(tops.mean())) / max(float(tops.std()), 1e-3)

    def hubness(self, keys: list[tuple[str, int]], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each sentence (its (passage id, position) key and its vector): its mean similarity
        to the collection's sentences (the sample), and its mean similarity to its 10 nearest
        there. A property of the sentence, not of a question: worked out once a generation."""
        new = [i for i, key in enumerate(keys) if key not in self._hubness]
        if new:
            if len(self.background):
                # Row by row: a matrix product's last bits vary with its number of rows, and a value
                # kept for the generation must not depend on which question first asked for it
                # (tests/test_warm_path.py).
                similarity = np.stack([self.background @ vectors[i] for i in new])
            else:
                similarity = np.zeros((len(new), 1), dtype=np.float32)
            centrality = similarity.mean(axis=1)
            similarity[similarity > 0.999] = 0.0  # the sentence itself
            k = min(10, similarity.shape[1])
            crowding = np.partition(similarity, -k, axis=1)[:, -k:].mean(axis=1)
            for j, i in enumerate(new):
                self._hubness[keys[i]] = (float(centrality[j]), float(crowding[j]))
        found = np.array([self._hubness[key] for key in keys], dtype=np.float32).reshape(len(keys), 2)
        return found[:, 0], found[:, 1]

    def passage(self, i: int, score: float, similarity: float) -> Passage:
        r = self.records[i]
        return Passage(r.id, r.source, r.title, r.text, r.start, r.end, score, similarity)

    def nearest_to(self, vector: np.ndarray, search: np.ndarray, found: list[Passage], n: int) -> list[Passage]:
        """The `n` passages nearest to `vector` that are not among `found`, each with its
        similarity to `search` (the vector `found` was searched with) and no fused score."""
        nearest = [pid for pid, _ in self.nearest(vector, min(len(self.ids), len(found) + n))]
        return self._with_similarity(self._unseen(nearest, found, n), search)

    def sentence_passages(self, search: np.ndarray, found: list[Passage], n: int, pool: int) -> list[Passage]:
        """Up to `n` passages, not among `found`, holding one of the `pool` sentences nearest
        to `search`, each with its own similarity to `search` and no fused score."""
        ids = self._unseen(self.nearest_sentences(search, pool), found, n)
        return self._with_similarity(ids, search)

    def passages_quoting(self, sentences: Iterable[str], search: np.ndarray, found: list[Passage]) -> list[Passage]:
        """The passages, not among `found`, that hold one of `sentences` word for word (spacing
        aside), each with its similarity to `search` and no fused score."""
        quoted = _quoted(sentences)
        if not quoted:
            return []
        holding = (pid for pid, text in zip(self.ids, self._spaced) if any(q in text for q in quoted))
        return self._with_similarity(self._unseen(holding, found, len(self.ids)), search)

    def passages_naming(self, sources: Collection[str] | None, names: Sequence[str], search: np.ndarray,
                        found: list[Passage], n: int, loose: bool = False) -> list[Passage]:
        """Up to `n` passages of the documents `sources` (None: of any), not among `found`, that
        name every one of `names` (`Vocabulary.mentions`, loosely across languages if `loose`),
        nearest to `search` first, each with its similarity to it and no fused score."""
        naming = [pid for pid, r in zip(self.ids, self.records) if (sources is None or r.source in sources)
                  and all(self.words_of(("passage", pid), r.text).mentions(name, loose) for name in names)]
        nearest = sorted(self._with_similarity(self._unseen(naming, found, len(naming)), search),
                         key=lambda p: -p.similarity)
        return nearest[:n]

    def quotes(self, chunk_id: str, sentences: Iterable[str]) -> bool:
        """Whether the passage `chunk_id` holds one of `sentences` word for word (spacing aside)."""
        at = self.position.get(chunk_id)
        return at is not None and any(q in self._spaced[at] for q in _quoted(sentences))

    def _with_similarity(self, ids: list[str], search: np.ndarray) -> list[Passage]:
        """The passages `ids` of this generation, each with its similarity to `search` and no fused
        score (their vectors from memory when the snapshot holds them, `_exact_passages`)."""
        exact = self._exact_passages
        vectors = (exact.vectors_of(ids) if exact is not None else self.generation.vectors_of(ids)) if ids else {}
        return [self.passage(self.position[pid], 0.0, float(vectors[pid] @ search)) for pid in ids if pid in vectors]

    @cached_property
    def _spaced(self) -> list[str]:
        """Each passage's text with its spacing made single spaces, as an answer quotes it."""
        return [" ".join(text.split()) for text in self.texts]

    def _unseen(self, ids: Iterable[str], found: list[Passage], n: int) -> list[str]:
        """The first `n` of `ids` (passage ids, best first) that are in this generation and not among `found`."""
        have = {p.chunk_id for p in found}
        return [pid for pid in ids if pid not in have and pid in self.position][:n]


class HybridRetriever(BaseRetriever):
    """Dense + BM25 over a citebot index, fused with reciprocal rank fusion."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: IndexStore
    embeddings: Embeddings
    k: int  #: passages per search (Settings.top_k)
    refresh_seconds: float = 2.0

    _snapshot: _Snapshot | None = PrivateAttr(default=None)
    _checked: float = PrivateAttr(default=0.0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def snapshot(self, force: bool = False) -> _Snapshot:
        """The current generation's in-memory data, reloaded when the store moved on."""
        with self._lock:
            now = time.monotonic()
            if force or self._snapshot is None or now - self._checked > self.refresh_seconds:
                active = self.store.active()
                self._checked = now
                if active is None:
                    raise IndexEmpty("There is no index yet: run `citebot index` first.")
                if self._snapshot is None or self._snapshot.generation.number != active.number:
                    self._snapshot = _Snapshot(active)
            return self._snapshot

    def reload(self) -> None:
        """Read the store's current generation now, if one was read before (else on first use)."""
        if self._snapshot is not None:
            self.snapshot(force=True)

    def search(self, query: str, k: int | None = None, mode: SearchMode = "hybrid",
               query_vector: list[float] | None = None) -> list[Passage]:
        k = k or self.k
        try:
            return self._search(self.snapshot(), query, k, mode, query_vector)
        except IndexEmpty:
            raise
        except Exception:  # the generation was replaced and deleted under us: retry once on the new one
            return self._search(self.snapshot(force=True), query, k, mode, query_vector)

    def _search(self, snap: _Snapshot, query: str, k: int, mode: SearchMode,
                query_vector: list[float] | None) -> list[Passage]:
        if not snap.ids:
            return []
        pool = max(k * 4, 20)
        similarity: dict[int, float] = {}
        dense: list[int] = []
        if mode in ("hybrid", "dense"):
            vector = query_vector or self.embeddings.embed_query(query)
            for chunk_id, cosine in snap.nearest(vector, min(pool, len(snap.ids))):
                if chunk_id in snap.position:
                    i = snap.position[chunk_id]
                    dense.append(i)
                    similarity[i] = cosine
        lexical: list[int] = []
        bm25_scores: dict[int, float] = {}
        # In a hybrid search BM25 counts as much as bench/fusion.py found it helps: not at all for
        # a query in another language than the collection's, which shares little but names with it.
        weight = BM25_WEIGHT if language(query) == snap.language else BM25_WEIGHT_OTHER_LANGUAGE
        if (mode == "bm25" or mode == "hybrid" and weight > 0) and snap.bm25 is not None:
            terms = content_tokens(query)
            if terms:
                scores = snap.bm25.get_scores(terms)
                ranked = sorted(range(len(scores)), key=lambda i: -scores[i])[:pool]
                lexical = [i for i in ranked if scores[i] > 0]
                bm25_scores = {i: float(scores[i]) for i in lexical}
        if mode == "dense":
            ranked_scores = [(i, similarity[i]) for i in dense]
        elif mode == "bm25":
            ranked_scores = [(i, bm25_scores[i]) for i in lexical]
        else:
            fused: dict[int, float] = {}
            for ranking, counts in ((dense, 1.0), (lexical, weight)):
                for rank, i in enumerate(ranking):
                    fused[i] = fused.get(i, 0.0) + counts / (RRF_K + rank + 1)
            ranked_scores = sorted(fused.items(), key=lambda item: -item[1])
        return [snap.passage(i, score, similarity.get(i, 0.0)) for i, score in ranked_scores[:k]]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=p.text, id=p.chunk_id,
                     metadata={"source": p.source, "title": p.title, "start": p.start, "end": p.end, "score": p.score})
            for p in self.search(query)
        ]


def _quoted(sentences: Iterable[str]) -> list[str]:
    """Each non-blank sentence with its spacing made single spaces, as `_Snapshot._spaced` holds
    the passages' texts."""
    return [" ".join(s.split()) for s in sentences if s.strip()]
