"""Citation verification (bot/llm/verify.py): parsing markers, the support test on the real
index, and the calibration still holding."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import AnswerCore
from bot.llm.verify import split_claims, verify
from helpers import bench_module
from openai_server import corpus, shared  # noqa: F401 - corpus and shared are fixtures


@pytest.mark.parametrize("text, expected", [
    ("Parly gave a photo. [1] Shoigu gave a paper. [2]", [("Parly gave a photo.", (1,)), ("Shoigu gave a paper.", (2,))]),
    ("Parly gave a photo [1]. Shoigu gave a paper [2][3].", [("Parly gave a photo.", (1,)), ("Shoigu gave a paper.", (2, 3))]),
    ("Parly gave a photo.[1] Shoigu gave a paper.", [("Parly gave a photo.", (1,)), ("Shoigu gave a paper.", ())]),
    ("Parly gave a photo [1, 2]. It was old [Passage 3].", [("Parly gave a photo.", (1, 2)), ("It was old.", (3,))]),
    ("Parly gave a photo [[1]][2].", [("Parly gave a photo.", (1, 2))]),
    ("- Parly gave a photo [1]\n- Shoigu gave a paper [2]", [("- Parly gave a photo", (1,)), ("- Shoigu gave a paper", (2,))]),
    ("[1] [2]", []),
    # Written the way the passages are: each marker cites the sentences after it.
    ("[1] Parly gave a photo. [2] Shoigu gave a paper.", [("Parly gave a photo.", (1,)), ("Shoigu gave a paper.", (2,))]),
    ("[1] Parly gave a photo. It was old.\n[2][3] Shoigu gave a paper.",
     [("Parly gave a photo.", (1,)), ("It was old.", (1,)), ("Shoigu gave a paper.", (2, 3))]),
])
def test_claims_and_their_markers(text: str, expected: list[tuple[str, tuple[int, ...]]]) -> None:
    assert [(c.text, c.markers) for c in split_claims(text)] == expected


@pytest.fixture(scope="module")
def grounding(shared) -> tuple[AnswerCore, list, list]:
    """Passages and evidence for a question, as the core hands them to the answerer."""
    from bot.answering import analyse

    settings, store, embeddings = shared
    core = AnswerCore(settings, store, embeddings)
    found = core.pipeline.evidence(analyse("What did Florence Parly give to Sergei Shoigu?"), core.retriever.snapshot())
    return core, found.passages, found.candidates


def test_verify_keeps_supported_claims_and_renumbers(grounding) -> None:
    core, passages, evidence = grounding
    n = next(i for i, p in enumerate(passages, 1) if "Normandie-Niémén" in p.text)
    checked = verify(f"Parly gave Shoigu a photograph of the Normandie-Niémén French air regiment [{n}]. "
                     f"In response, the head of the Russian military department presented his French counterpart "
                     f"with a fresh issue of the Krasnaya Zvezda newspaper [{n}].", passages, evidence, core.embeddings)
    assert checked.text == ("Parly gave Shoigu a photograph of the Normandie-Niémén French air regiment. [1] "
                            "In response, the head of the Russian military department presented his French counterpart "
                            "with a fresh issue of the Krasnaya Zvezda newspaper. [1]")
    (citation,) = checked.citations
    assert citation.n == 1 and citation.chunk_id == passages[n - 1].chunk_id and citation.verified
    assert (checked.claims, checked.dropped, checked.markers_removed, checked.attributed) == (2, 0, 0, 0)


def test_verify_moves_nothing_to_a_passage_that_was_not_cited(grounding) -> None:
    core, passages, evidence = grounding
    n = next(i for i, p in enumerate(passages, 1) if "Normandie-Niémén" in p.text)
    wrong = next(i for i, p in enumerate(passages, 1) if "Normandie-Niémén" not in p.text)
    checked = verify(f"In response, the head of the Russian military department presented his French counterpart "
                     f"with a fresh issue of the Krasnaya Zvezda newspaper [{wrong}]. Parly gave Shoigu a "
                     f"photograph of the Normandie-Niémén French air regiment [{n}][{len(passages) + 5}].",
                     passages, evidence, core.embeddings)
    assert "Krasnaya" not in checked.text and "Normandie" in checked.text  # mis-cited: dropped, not re-attributed
    assert checked.dropped == 1 and checked.markers_removed == 2


def test_unmarked_supported_claims_get_the_citation_of_their_passage(grounding) -> None:
    core, passages, evidence = grounding
    checked = verify("Shoigu invited the French military to the Victory Day parade on Red Square on May 9, 2020. "
                     "Here is what I found.", passages, evidence, core.embeddings)
    assert checked.text.endswith("May 9, 2020. [1]") and checked.attributed == 1 and checked.dropped == 1
    assert "Victory Day parade" in checked.citations[0].quote


@pytest.mark.slow
def test_the_documented_calibration_still_holds(shared) -> None:
    """bench/llm_support_pairs.jsonl: most supported claims kept, almost no unsupported one."""
    calibrate = bench_module("llm_calibrate")
    settings, store, embeddings = shared
    rows = [row for row in calibrate.load_gold(calibrate.PAIRS)]
    scored = calibrate.score_pairs(AnswerCore(settings, store, embeddings), rows)
    kept = [s.supported for row, s in scored if row["supported"]]
    false = [s.supported for row, s in scored if not row["supported"]]
    assert sum(kept) / len(kept) >= 0.65
    assert sum(false) / len(false) <= 0.07
    assert Path(calibrate.PAIRS).is_file()


def test_a_model_that_repeats_itself_is_cut_short(grounding) -> None:
    core, passages, evidence = grounding
    n = next(i for i, p in enumerate(passages, 1) if "Normandie-Niémén" in p.text)
    sentence = "Parly gave Shoigu a photograph of the Normandie-Niémén French air regiment"
    checked = verify(f"{sentence} [{n}].\n\n{sentence} [{n}].\n\n{sentence}, as well [{n}].", passages, evidence,
                     core.embeddings)
    assert checked.text == f"{sentence}. [1]" and checked.repeated == 2


def test_what_is_not_a_statement_is_dropped(shared) -> None:
    from bot.retrieval import Passage

    heading = "Russia – Meeting of the ministers and their Russian counterparts (Paris, 12 November 2021)"
    passage = Passage("c1", "paris.txt", "Russia – Meeting of the ministers…", f"{heading}\n\nThe ministers met.",
                      0, 100, 1.0, 1.0)
    text = (f"{heading} [1]\nFrance – Meeting of the ministers and their Russian counterparts (Paris, 12 November 2021)\n"
            '<passage id="1" title="Russia"> [1]\nWhat did the ministers discuss? [1]\nThe ministers discussed the')
    checked = verify(text, [passage], [], shared[2])
    assert checked.text == "" and checked.citations == [] and checked.dropped == 5


def test_a_marker_after_a_closing_quote_cites_the_quoted_sentence() -> None:
    claims = split_claims('Lavrov noted: "There is no reasonable alternative to this plan." [1] '
                          "French colleagues agreed with him. [2]")
    assert [(c.text, c.markers) for c in claims] == [
        ('Lavrov noted: "There is no reasonable alternative to this plan."', (1,)),
        ("French colleagues agreed with him.", (2,)),
    ]


def test_a_number_written_the_way_the_question_s_language_writes_it_is_the_same_number(grounding) -> None:
    """"75e", as French writes it, is the passage's "75th"; "76e" is another number."""
    core, passages, evidence = grounding
    n = next(i for i, p in enumerate(passages, 1) if "75th" in p.text)
    for ordinal, kept in (("75e", True), ("76e", False)):
        checked = verify(f"[{n}] Le défilé du 9 mai 2020 devait marquer le {ordinal} anniversaire de la victoire commune "
                         "sur le fascisme.", passages, evidence, core.embeddings)
        assert bool(checked.citations) is kept, (ordinal, checked)


def test_a_fact_told_in_the_heading_s_words_is_a_statement_the_heading_itself_is_not(shared) -> None:
    from bot.answering import analyse

    settings, store, embeddings = shared
    core = AnswerCore(settings, store, embeddings)
    found = core.pipeline.evidence(analyse("Where did the November 2021 meeting of the ministers take place?"),
                                   core.retriever.snapshot())
    n, passage = next((n, p) for n, p in enumerate(found.passages, 1) if "(Paris, 12 November 2021)" in p.text)
    heading = passage.text.strip().splitlines()[0]
    fact = verify(f"[{n}] The Paris meeting was held on 12 November 2021.", found.passages, found.candidates, embeddings)
    assert fact.text == "The Paris meeting was held on 12 November 2021. [1]" and fact.dropped == 0
    echo = verify(f"[{n}] {heading}", found.passages, found.candidates, embeddings,
                  analyse("What did the ministers discuss in Paris?"))
    assert echo.text == "" and echo.dropped == 1


def test_a_heading_that_holds_what_was_asked_is_an_answer(shared) -> None:
    """"(Paris, 12 November 2021)" in a heading answers "When...?" and "Where...?" (the gold quote of
    such questions is the heading): copied whole, it is kept; for a question it does not answer
    it stays an echo."""
    from bot.answering import analyse

    settings, store, embeddings = shared
    core = AnswerCore(settings, store, embeddings)
    for question, kept in (("When did the ministers meet in Paris?", True),
                           ("Когда прошла встреча министров в Париже?", True),
                           ("Where did the November 2021 meeting of the ministers take place?", True),
                           ("What did the ministers discuss in Paris?", False)):
        asked = analyse(question)
        found = core.pipeline.evidence(asked, core.retriever.snapshot())
        n, passage = next((n, p) for n, p in enumerate(found.passages, 1) if "(Paris, 12 November 2021)" in p.text)
        heading = passage.text.strip().splitlines()[0]
        checked = verify(f"[{n}] {heading}", found.passages, found.candidates, embeddings, asked)
        assert (checked.text == f"{heading} [1]") is kept and checked.dropped == (not kept), (question, checked)
