"""bench/compare.py: what a change did to the answers, question by question (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import bench_module


def _run(path: Path, rows: list[tuple[str, bool, str, str | None]]) -> Path:
    answers = [{"id": qid, "question": f"question {qid}?", "correct": correct, "answer": answer, "refusal": refusal,
                "markers": answer.count("[")} for qid, correct, answer, refusal in rows]
    path.write_text(json.dumps({"per_question": {"retrieval": {}, "answers": answers}}), encoding="utf-8")
    return path


def test_every_answer_that_changed_is_listed_with_the_totals(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    before = _run(tmp_path / "before.json", [
        ("q1", False, "A wrong sentence. [1]", None), ("q2", True, "The answer. [1]", None),
        ("q3", True, "The answer. [1] An unrelated one. [2]", None), ("q4", True, "Unchanged. [1]", None),
        ("q5", True, "I could not find this.", "name_not_in_document"),
    ])
    after = _run(tmp_path / "after.json", [
        ("q1", True, "The right sentence. [1]", None), ("q2", False, "I could not find this.", "weak_evidence"),
        ("q3", True, "The answer. [1]", None), ("q4", True, "Unchanged. [1]", None),
        ("q5", True, "I could not find this.", "subject_not_in_answer"), ("q6", True, "New. [1]", None),
    ])
    assert bench_module("compare").main([str(before), str(after)]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[:2] for line in out.splitlines() if line[:1] in "+-~"]
    assert listed == [["+", "q1"], ["-", "q2"], ["~", "q3"], ["~", "q5"]]
    assert "[weak_evidence] I could not find this." in out and "[answered, 2 sentences]" in out
    assert "right: 4 -> 4 of 5 questions in both (1 only after, 0 only before)" in out
