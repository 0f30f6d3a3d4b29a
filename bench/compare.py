#!/usr/bin/env python
"""What a change did to the answers, question by question: two `bench/eval.py --json` outputs.

    python bench/eval.py --no-langchain --gold bench/gold-train.jsonl --json /tmp/before.json
    # ... change the code ...
    python bench/eval.py --no-langchain --gold bench/gold-train.jsonl --json /tmp/after.json
    python bench/compare.py /tmp/before.json /tmp/after.json

Lists the questions that became right (+), became wrong (-) or kept their verdict with another
answer (~: other wording, another refusal code), then the count right before and after. A rule
is kept only when its training questions gain and lose nothing they should not (bench/HISTORY.md);
totals alone hide a gain that pays for a loss.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def answers(path: Path) -> dict[str, dict[str, Any]]:
    """Every question's result in a `bench/eval.py --json` file, by id."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {row["id"]: row for row in data["per_question"]["answers"]}


def changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[tuple[str, dict, dict]]:
    """(mark, before, after) for every question in both whose answer changed: "+" now right,
    "-" now wrong, "~" the same verdict with another answer or refusal code."""
    found = []
    for qid, old in before.items():
        new = after.get(qid)
        if new is None:
            continue
        if old["correct"] != new["correct"]:
            found.append(("+" if new["correct"] else "-", old, new))
        elif old["answer"] != new["answer"] or old.get("refusal") != new.get("refusal"):
            found.append(("~", old, new))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--width", type=int, default=160, help="characters of each answer to show")
    args = parser.parse_args(argv)
    before, after = answers(args.before), answers(args.after)
    for mark, old, new in changes(before, after):
        print(f"{mark} {old['id']} {old['question']!r}")
        for label, row in (("before", old), ("after", new)):
            shown = (row["answer"] or "").replace("\n", " ")[:args.width]
            how = row.get("refusal") or f"answered, {row.get('markers', 0)} sentences"
            print(f"    {label}: [{how}] {shown}")
    common = [qid for qid in before if qid in after]
    right = (sum(before[q]["correct"] for q in common), sum(after[q]["correct"] for q in common))
    print(f"right: {right[0]} -> {right[1]} of {len(common)} questions in both"
          + (f" ({len(after) - len(common)} only after, {len(before) - len(common)} only before)"
             if len(common) != len(before) or len(common) != len(after) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
