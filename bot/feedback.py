"""What users think of answers: a 👍 or 👎 on an answer, kept with the answer, exported as gold.

The Telegram bot records every answer it sends (question, answer, citations, mode, language)
in `feedback.sqlite` in the data folder, keyed by the messages that carry it; a reaction on one
of those messages is stored as that user's rating of it (the latest reaction counts, removing
it removes the rating). Unrated answers are deleted after `KEEP_UNRATED_DAYS`.

`export` writes rated answers as lines of the gold format `bench/eval.py` reads: a 👍 on an
answer makes an answerable question whose gold quotes are the cited ones; a 👍 on a refusal, an
unanswerable question. A 👎 says the answer was wrong but not what is right: with `down=True`
such rows are written too, marked `"needs_review": true`, with no gold quotes, for a person to
complete before they are used.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bot.language import language
from bot.models import Answer

_MARKER = re.compile(r"\s*\[(\d+)\]")

FEEDBACK_FILE = "feedback.sqlite"
#: Answers nobody rated are forgotten after this many days.
KEEP_UNRATED_DAYS = 30.0
#: The reactions that rate an answer; any other reaction clears the user's rating.
RATINGS = {"👍": 1, "👎": -1}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, chat_id INTEGER NOT NULL, user_id INTEGER,
    question TEXT NOT NULL, answer TEXT NOT NULL, answered INTEGER NOT NULL, refusal TEXT,
    mode TEXT NOT NULL, language TEXT NOT NULL, citations TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    chat_id INTEGER NOT NULL, message_id INTEGER NOT NULL,
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE, PRIMARY KEY (chat_id, message_id));
CREATE TABLE IF NOT EXISTS ratings (
    answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE, user_id INTEGER NOT NULL,
    rating INTEGER NOT NULL, rated_at REAL NOT NULL, PRIMARY KEY (answer_id, user_id));
-- Reactions that arrived before their answer was recorded (the answer is recorded once sent,
-- and a reaction update can overtake that); `record` turns them into ratings.
CREATE TABLE IF NOT EXISTS early_ratings (
    chat_id INTEGER NOT NULL, message_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    rating INTEGER, rated_at REAL NOT NULL, PRIMARY KEY (chat_id, message_id, user_id));
"""


class FeedbackStore:
    """The answers sent and their ratings, in one SQLite file (safe to share between threads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, chat_id: int, message_ids: Sequence[int], user_id: int | None, answer: Answer,
               language: str) -> None:
        """Keep an answer sent as `message_ids`, so that a reaction on any of them rates it."""
        citations = [{"n": c.n, "source": c.source, "title": c.title, "quote": c.quote} for c in answer.citations]
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO answers (asked_at, chat_id, user_id, question, answer, answered, refusal, mode, language,"
                " citations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), chat_id, user_id, answer.question, answer.answer, int(answer.answered), answer.refusal,
                 answer.mode, language, json.dumps(citations, ensure_ascii=False)))
            self._db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?)",
                                 [(chat_id, m, cursor.lastrowid) for m in message_ids])
            for m in message_ids:
                early = self._db.execute("SELECT user_id, rating, rated_at FROM early_ratings WHERE chat_id = ? AND "
                                         "message_id = ? ORDER BY rated_at", (chat_id, m)).fetchall()
                for user_id, rating, rated_at in early:
                    self._store(cursor.lastrowid, user_id, rating, rated_at)
                self._db.execute("DELETE FROM early_ratings WHERE chat_id = ? AND message_id = ?", (chat_id, m))

    def rate(self, chat_id: int, message_id: int, user_id: int, reactions: Sequence[str]) -> int | None:
        """Store `user_id`'s reaction to a message: the rating it gives the answer the message
        carries (+1, -1, or None when the reactions hold neither 👍 nor 👎). Returns the id of
        that answer, or None when the message carries no recorded answer."""
        ratings = [RATINGS[r] for r in reactions if r in RATINGS]
        rating = ratings[-1] if ratings else None
        with self._lock, self._db:
            row = self._db.execute("SELECT answer_id FROM messages WHERE chat_id = ? AND message_id = ?",
                                   (chat_id, message_id)).fetchone()
            if row is None:  # not (yet) a recorded answer: kept for `record`, in case it is one
                self._db.execute("INSERT OR REPLACE INTO early_ratings VALUES (?, ?, ?, ?, ?)",
                                 (chat_id, message_id, user_id, rating, time.time()))
                return None
            self._store(row[0], user_id, rating, time.time())
            return int(row[0])

    def _store(self, answer_id: int, user_id: int, rating: int | None, rated_at: float) -> None:
        """`user_id`'s rating of an answer; None takes it back. Called with the lock held."""
        if rating is not None:
            self._db.execute("INSERT OR REPLACE INTO ratings VALUES (?, ?, ?, ?)", (answer_id, user_id, rating, rated_at))
        else:
            self._db.execute("DELETE FROM ratings WHERE answer_id = ? AND user_id = ?", (answer_id, user_id))

    def prune(self, keep_days: float = KEEP_UNRATED_DAYS) -> int:
        """Delete answers older than `keep_days` that nobody rated; return how many."""
        cutoff = time.time() - keep_days * 86400
        with self._lock, self._db:
            # reactions to messages that never turned out to carry an answer
            self._db.execute("DELETE FROM early_ratings WHERE rated_at < ?", (cutoff,))
            cursor = self._db.execute(
                "DELETE FROM answers WHERE asked_at < ? AND id NOT IN (SELECT answer_id FROM ratings)", (cutoff,))
            return cursor.rowcount

    def rated(self) -> list[dict]:
        """Every rated answer with its 👍 and 👎 counts, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.id, a.asked_at, a.question, a.answer, a.answered, a.refusal, a.mode, a.language, a.citations,"
                " SUM(r.rating > 0), SUM(r.rating < 0) FROM answers a JOIN ratings r ON r.answer_id = a.id"
                " GROUP BY a.id ORDER BY a.asked_at").fetchall()
        keys = ("id", "asked_at", "question", "answer", "answered", "refusal", "mode", "language", "citations",
                "up", "down")
        return [dict(zip(keys, row)) | {"citations": json.loads(row[8]), "answered": bool(row[4])} for row in rows]


def gold_line(rated: dict) -> dict:
    """A rated answer as a row of bench/eval.py's gold format (see the module docs): the gold
    quotes are the answer's cited sentences (the whole quote shown when a sentence is not
    verbatim in it, as a language model's may not be)."""
    approved = rated["up"] > rated["down"]
    gold = []
    if approved and rated["answered"]:
        for citation in rated["citations"]:
            sentences = [s for s in _marked(rated["answer"], citation["n"]) if s in citation["quote"]]
            gold += [{"source": citation["source"], "quote": s} for s in sentences or [citation["quote"]]]
    row = {
        "id": f"feedback-{rated['id']}", "lang": language(rated["question"]), "question": rated["question"],
        "answerable": rated["answered"] if approved else not rated["answered"],
        "gold": gold,
        "facts": [], "history": [],
        "feedback": {"up": rated["up"], "down": rated["down"], "mode": rated["mode"], "answer": rated["answer"],
                     "refusal": rated["refusal"],
                     "asked": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(rated["asked_at"]))},
    }
    if not approved:
        row["needs_review"] = True
    return row


def _marked(answer: str, n: int) -> list[str]:
    """The sentences of `answer` that carry the marker [n]."""
    parts = _MARKER.split(answer)  # text, number, text, number, ..., text
    return [parts[i].strip() for i in range(0, len(parts) - 1, 2) if parts[i + 1] == str(n) and parts[i].strip()]


def export(store: FeedbackStore, target: Path, *, down: bool = False) -> tuple[int, int]:
    """Write the rated answers to `target` as gold lines (JSON Lines): the approved ones, and
    with `down` the disapproved ones marked for review. Returns (written, left out)."""
    lines, left_out = [], 0
    for rated in store.rated():
        if rated["up"] > rated["down"] or down:
            lines.append(json.dumps(gold_line(rated), ensure_ascii=False))
        else:
            left_out += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines), left_out
