"""The measured decision: whether to answer at all.

Two logistic models over the signals of `bot.answering.evidence`, with the weights and
thresholds that `bench/fit.py` fitted on training questions and wrote to `decision.json`
beside this module (the file also records what they were fitted on and how they scored):

- the ranker scores each sentence: how likely it is to be the one that answers (its weights
  are used by `bot.answering.ranking.rank`, which also chooses the answer's sentences);
- the decision takes the best sentence's signals and what surrounds it (its margin over the
  collection, its lead over the next best, how much of the question's names its document
  covers, whether it holds the asked type) and gives the probability that answering with it
  is right. Below `threshold` citebot refuses ("weak_evidence").

A question whose relatedness (`Evidence.relatedness`: how much closer it comes to the
collection than questions about other things do) is below `floor` is about something else:
it is off topic ("off_topic"), whatever its language and whatever the collection. `join`, how
close in score a second sentence must be to join the answer, is `ranking.joins`'.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from bot.answering.evidence import FEATURES, Candidate, Evidence
from bot.vocabulary import Vocabulary

#: The signals of the decision, in order (see `decision_features`).
DECISION_FEATURES = (
    "score",         # the ranker's score of the best sentence
    "margin",        # its similarity less the collection's median similarity to the search
    "lead",          # its score less the next best sentence's
    "holds_type",    # it holds the asked type
    "names_document",  # share of the question's own names its document (title included) mentions
    "names_passage",
    "lexical",
    "foreign",       # the question is not in the documents' language (similarities run lower)
    "hub",           # the best sentence's similarity to questions about other things
    "known_words",   # share of the question's words the collection uses at all (Evidence.known_words)
    "shares_nothing",  # no name, and none of its words, occurs in the collection
    "relatedness",   # the question's best similarity to the collection over other questions' (Evidence.relatedness)
)


@dataclass(frozen=True)
class Weights:
    ranker: np.ndarray
    ranker_bias: float
    decision: np.ndarray
    decision_bias: float
    threshold: float
    join: float
    #: Below this relatedness (`Evidence.relatedness`) the question is about something else ("off_topic").
    floor: float
    info: dict[str, Any]


@cache
def weights() -> Weights:
    """The fitted weights shipped with citebot (bot/answering/decision.json)."""
    return from_json(json.loads(resources.files(__package__).joinpath("decision.json").read_text(encoding="utf-8")))


def from_json(data: dict[str, Any]) -> Weights:
    ranker, decision = data["ranker"], data["decision"]
    return Weights(
        ranker=np.array([ranker["weights"].get(n, 0.0) for n in FEATURES], dtype=np.float32),
        ranker_bias=float(ranker["bias"]),
        decision=np.array([decision["weights"].get(n, 0.0) for n in DECISION_FEATURES], dtype=np.float64),
        decision_bias=float(decision["bias"]), threshold=float(decision["threshold"]),
        join=float(data["join"]), floor=float(data.get("floor", -1e9)), info=data.get("info", {}),
    )


def decision_features(evidence: Evidence, best: Candidate, document: Vocabulary) -> np.ndarray:
    """The decision's signals for answering with `best` (DECISION_FEATURES, in order)."""
    others = [c.score for c in evidence.candidates if c is not best and not c.bare]
    names = evidence.question.names
    covered = sum(document.mentions(n, evidence.foreign) for n in names) / len(names) if names else 1.0
    return np.array([
        best.score, best.similarity - evidence.baseline, best.score - max(others, default=best.score - 1.0),
        best.holds_type, covered, best.names_passage, best.lexical,
        float(evidence.foreign), best.hub, evidence.known_words,
        float(evidence.known_words == 0 and not evidence.question.search_names), evidence.relatedness,
    ], dtype=np.float64)


def probability(features: np.ndarray, w: Weights | None = None) -> float:
    """The probability that answering is right, given the decision's signals."""
    w = w or weights()
    z = float(features @ w.decision + w.decision_bias)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
