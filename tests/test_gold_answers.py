"""Quality floors on the gold questions (tests/gold.jsonl) that the suite enforces.

An answer is correct when every required fact is in it and one of its citations quotes a gold
passage. Floors sit a little under what citebot measured when they were set (see README), so
a change that makes answers worse fails here instead of slipping through.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import converse, load_gold

from bot.core import AnswerCore
from bot.models import Answer

GOLD = Path(__file__).with_name("gold.jsonl")
FLOORS = {"correct": 0.86, "refused_when_should": 0.97}
CEILINGS = {"refused_wrongly": 0.07}


def _correct(answer: Answer, case: dict) -> bool:
    text = answer.answer.lower()
    facts = all(any(alt.lower() in text for alt in fact) for fact in case["facts"])
    cited = any(g["quote"] in c.quote and g["source"] == c.source for g in case["gold"] for c in answer.citations)
    return answer.answered and facts and cited


@pytest.fixture(scope="module")
def results(core: AnswerCore) -> list[tuple[dict, Answer]]:
    return [(case, converse(core, [*case["history"], case["question"]])[-1]) for case in load_gold(GOLD)]


def test_gold_set_scores_stay_above_their_floors(results: list[tuple[dict, Answer]]) -> None:
    answerable = [(c, a) for c, a in results if c["answerable"]]
    unanswerable = [(c, a) for c, a in results if not c["answerable"]]
    scores = {
        "correct": sum(_correct(a, c) for c, a in answerable) / len(answerable),
        "refused_when_should": sum(not a.answered for _, a in unanswerable) / len(unanswerable),
        "refused_wrongly": sum(not a.answered for _, a in answerable) / len(answerable),
    }
    failures = [f"{c['id']}: {c['question']} -> {a.answer[:120]}" for c, a in answerable if not _correct(a, c)]
    failures += [f"{c['id']} (should refuse): {c['question']}" for c, a in unanswerable if a.answered]
    report = f"scores {scores}\n" + "\n".join(failures)
    assert all(scores[k] >= v for k, v in FLOORS.items()), report
    assert all(scores[k] <= v for k, v in CEILINGS.items()), report


def test_gold_set_covers_what_users_ask(results: list[tuple[dict, Answer]]) -> None:
    languages = {c["lang"] for c, _ in results}
    assert {"en", "ru", "fr"} <= languages
    assert any(c["history"] for c, _ in results) and any(not c["answerable"] for c, _ in results)
