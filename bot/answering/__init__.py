"""How citebot answers: one analysed question flows one way through named checks, retrieval,
a fitted ranking and decision, to a cited answer or a refusal with a reason code.

- `analyse` / `Question` (question.py): language, names, content words, asked type, follow-up;
  followup.py: what a question takes from the conversation; ellipsis.py: "And about Syria?"
  as the search before with its topic replaced;
- `CHECKS` (checks.py): every reason to refuse, in the order they run;
- evidence.py: the signals of each retrieved sentence (holding.py: whether it holds the asked
  type); decision.py: the fitted weights and the
  decision to answer; ranking.py: the candidates ranked and the answer's sentences chosen
  (answer_before.py: what the answer before changes for a follow-up; sequel.py: the sentence
  that says what the first announces);
- compose.py: the cited answer text; pipeline.py: all of it in order.

`bot.core.AnswerCore` is the one entry the front ends call.
"""

from bot.answering.checks import CHECKS, OUTCOMES, Check, Context, first_refusal
from bot.answering.evidence import FEATURES, Candidate, Evidence
from bot.answering.pipeline import GenerationReplaced, Pipeline, refusal
from bot.answering.question import MAX_QUESTION_CHARS, AnswerType, Question, analyse

__all__ = [
    "CHECKS", "FEATURES", "MAX_QUESTION_CHARS", "OUTCOMES", "AnswerType", "Candidate", "Check", "Context",
    "Evidence", "GenerationReplaced", "Pipeline", "Question", "analyse", "first_refusal", "refusal",
]
