"""Turn a follow-up question into a search query that stands on its own, without a model.

"What did she give him?" after "What did Parly and Shoigu talk about?" is searched as
"Parly Shoigu What did she give him?": the names (or, failing names, the content words) of
the previous search are carried over when the new question leans on the conversation
(pronouns, "and ...", "what about ..."). A question that stands on its own is searched as it
is, so an unrelated new question is not polluted by old context.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.language import content_tokens, is_follow_up, key_terms
from bot.models import Turn


def search_query(question: str, history: Sequence[Turn]) -> str:
    if not history or not (is_follow_up(question) or not content_tokens(question)):  # "Why?" leans on it too
        return question
    previous = history[-1].search_query or history[-1].question
    carried = key_terms(previous) or content_tokens(previous)[:6]
    mine = {term.lower() for term in key_terms(question)}
    carried = [term for term in carried if term.lower() not in mine]
    return f"{' '.join(carried)} {question}".strip() if carried else question
