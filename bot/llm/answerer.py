"""The generative answer path: passages in, a verified, cited answer out.

The pipeline calls it once the checks that run before the model have passed (see
`bot.answering.checks`), with the extractive answer (or the extractive answerer's refusal)
it already decided: that is what the user gets, marked "fallback" with a short notice,
whenever the model is unreachable, too slow, replies garbage, or writes nothing that the
passages support (see `bot.llm.verify`). The model may also reply that the passages do not
answer (the DECLINE sentence of the system prompt): that is the `model_declined` refusal.

Prompts are the text templates prompts/llm_system.txt, llm_answer.txt and llm_condense.txt,
rendered with LangChain's `ChatPromptTemplate`. Passages go to the model between
<passages> tags, numbered; a tag spelled inside a document is defused, so a document cannot
close the data block and speak as the system.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import asdict, replace

from langchain_core.embeddings import Embeddings
from langchain_core.messages import convert_to_openai_messages
from langchain_core.prompts import ChatPromptTemplate

import prompts
from bot.answering.evidence import Candidate as Evidence
from bot.answering.question import Question
from bot.config import Settings
from bot.language import content_tokens, language
from bot.llm.grammar import QUOTE_CANDIDATES, quote_grammar
from bot.llm.models import ChatModel, LLMError
from bot.llm.verify import Verification, covered, verify
from bot.models import Answer, Turn
from bot.retrieval import Passage
from index.text import sentence_spans

logger = logging.getLogger("citebot.llm")

LANGUAGE_NAMES = {"en": "English", "fr": "French", "ru": "Russian"}
CONDENSE_TOKENS = 96
MAX_CONDENSED_CHARS = 300
_TAG = re.compile(r"<\s*/?\s*passages?\b", re.IGNORECASE)
_LABEL = re.compile(r"^(?:standalone|rewritten|reformulated)?\s*(?:question|query)\s*:\s*", re.IGNORECASE)

#: Where the text deltas of the answer being written in this thread go (see `stream_answer`).
_ON_DELTA: ContextVar[Callable[[str], None] | None] = ContextVar("citebot_on_delta", default=None)

#: What the system prompt tells the model to reply when the passages do not answer.
DECLINE = "NOT IN THE DOCUMENTS"


def notice(key: str, language_code: str, **values: str) -> str:
    """The notice `key` of prompts/answer_notices.txt, in the language `language_code`."""
    text = prompts.table("answer_notices", language_code)[key]
    return text.format(**values) if values else text


def _defuse(text: str) -> str:
    """`text` with any <passage(s)> tag made harmless (the model sees ‹passage instead)."""
    return _TAG.sub(lambda m: m.group().replace("<", "‹"), text)


def sentences(passage: Passage) -> list[list[str]]:
    """The sentences of `passage` as the model sees them, line by line."""
    return [[line[start:end] for start, end in sentence_spans(line)] for line in _defuse(passage.text).splitlines()]


def _block(n: int, passage: Passage) -> str:
    """Passage `n` for the prompt: every sentence starts with [n], so that a small model
    copying a sentence copies the right number with it (bench/README.md, "Second round")."""
    title = _defuse(passage.title).replace('"', "'")
    lines = [" ".join(f"[{n}] {sentence}" for sentence in line) for line in sentences(passage)]
    return f'<passage id="{n}" title="{title}">\n' + "\n".join(lines).strip("\n") + "\n</passage>"


def _removal_notice(checked: Verification, language_code: str) -> str:
    """What verification removed, in the language `language_code` ("" if nothing)."""
    def part(key: str, count: int) -> str:
        return notice(f"{key}_ONE", language_code) if count == 1 else notice(f"{key}_MANY", language_code, count=str(count))

    if checked.dropped and checked.markers_removed:
        return notice("REMOVED_BOTH", language_code, dropped=part("DROPPED", checked.dropped),
                      markers=part("MARKERS", checked.markers_removed))
    if checked.dropped or checked.markers_removed:
        which = part("DROPPED", checked.dropped) if checked.dropped else part("MARKERS", checked.markers_removed)
        return notice("REMOVED", language_code, parts=which)
    return ""


class LLMAnswerer:
    """Writes answers with a chat model and checks every citation before anyone sees them."""

    def __init__(self, model: ChatModel, embeddings: Embeddings, settings: Settings) -> None:
        self.model = model
        self.embeddings = embeddings
        self.max_passages = settings.llm_max_passages
        self.max_tokens = settings.llm_max_tokens
        #: Quoting (bot/llm/grammar.py): on for a local GGUF model unless the settings say otherwise.
        self.quote = settings.llm_quote if settings.llm_quote is not None else settings.llm == "gguf"
        #: Quoting offers only the best-ranked sentences (None: every sentence of the passages).
        self.quote_candidates: int | None = QUOTE_CANDIDATES
        self._answer_prompt = ChatPromptTemplate.from_messages(
            [("system", prompts.load("llm_system")), ("human", prompts.load("llm_answer"))]
        )
        self._condense_prompt = ChatPromptTemplate.from_messages([("human", prompts.load("llm_condense"))])

    @classmethod
    def from_settings(cls, settings: Settings, embeddings: Embeddings) -> LLMAnswerer:
        return cls(ChatModel.from_settings(settings), embeddings, settings)

    def describe(self) -> str:
        return self.model.describe()

    def probe(self) -> str:
        """A tiny test prompt: the model's reply, or `LLMError`."""
        reply = "".join(self.model.stream([{"role": "user", "content": prompts.load("llm_probe")}],
                                          max_tokens=8))
        if not reply.strip():
            raise LLMError("The language model returned an empty reply")
        return reply.strip()

    # --- follow-ups -----------------------------------------------------------------------
    def condense(self, question: str, history: Sequence[Turn], fallback: str | None = None) -> str:
        """`question` rewritten by the model to stand on its own, or `fallback` (default: the
        question as asked) when there is no history or the rewrite is empty or implausible."""
        fallback = question if fallback is None else fallback
        earlier = [turn.question for turn in history if turn.question.strip()]
        if not earlier:
            return fallback
        messages = self._render(self._condense_prompt, history="\n".join(f"- {q}" for q in earlier), question=question)
        try:
            reply = "".join(self.model.stream(messages, max_tokens=CONDENSE_TOKENS))
        except LLMError as exc:
            logger.warning("Follow-up not condensed: %s", exc)
            return fallback
        rewrite = _first_line(reply)
        if not _plausible(rewrite, question, earlier):
            logger.info("Condensed follow-up rejected: %r", rewrite[:200])
            return fallback
        return rewrite

    # --- answers --------------------------------------------------------------------------
    def select(self, passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Passage]:
        """The passages to give the model: those with the best evidence first, at most `max_passages`."""
        order = list(dict.fromkeys(e.passage.chunk_id for e in evidence))
        order += [p.chunk_id for p in passages if p.chunk_id not in order]
        by_id = {p.chunk_id: p for p in passages}
        return [by_id[i] for i in order if i in by_id][: self.max_passages]

    def messages(self, question: str, passages: Sequence[Passage], language_code: str | None = None) -> list[dict[str, str]]:
        """The chat messages asking `question` about `passages`, to be answered in the
        language `language_code` ("en", "fr", "ru"; default: the question's)."""
        blocks = "\n".join(_block(n, p) for n, p in enumerate(passages, 1))
        name = LANGUAGE_NAMES.get(language_code or language(question), "the language of the question")
        return self._render(self._answer_prompt, passages=blocks, question=question, language=name)

    def answer(self, extractive: Answer, question: Question, passages: Sequence[Passage],
               evidence: Sequence[Evidence]) -> Answer:
        """The model's answer to `question` (analysed once by the pipeline), verified;
        `extractive` marked "fallback" if that fails. Text deltas go, as the model writes them,
        to the sink `stream_answer` set.

        Quoting (`self.quote`), the model only chooses sentences: a question the extractive
        decision refuses is refused without asking it (bot/llm/grammar.py says why)."""
        if self.quote and not extractive.answered:
            return extractive
        given = self.select(passages, evidence)
        standalone = extractive.search_query or extractive.question
        on_delta = _ON_DELTA.get()
        draft: list[str] = []
        try:
            messages = self.messages(standalone, given, question.language)
            grammar = self._grammar(given, evidence) if self.quote else None
            for delta in self.model.stream(messages, max_tokens=self.max_tokens, grammar=grammar):
                draft.append(delta)
                if on_delta is not None:
                    on_delta(delta)
        except LLMError as exc:
            logger.warning("Language model failed, answering extractively: %s", exc)
            return replace(extractive, mode="fallback", notice=notice("FAILED", question.language, reason=str(exc).rstrip(".")))
        text = "".join(draft).strip()
        if not text:
            return replace(extractive, mode="fallback", notice=notice("EMPTY", question.language))
        if declines(text):
            return Answer(extractive.question, False, prompts.load("answer_not_found", question.language), mode="llm",
                          search_query=extractive.search_query, refusal="model_declined", language=question.language)
        checked = verify(text, given, evidence, self.embeddings, question)
        logger.info("LLM answer verified: %d of %d sentences kept", checked.kept, checked.claims,
                    extra={"citebot_verification": {**{k: v for k, v in asdict(checked).items() if k != "citations"},
                                                    "kept": checked.kept}})
        if not checked.citations:
            return replace(extractive, mode="fallback", notice=notice("UNVERIFIED", question.language))
        return Answer(extractive.question, True, checked.text, checked.citations, mode="llm",
                      search_query=extractive.search_query, notice=_removal_notice(checked, question.language),
                      language=question.language)

    def _grammar(self, given: Sequence[Passage], evidence: Sequence[Evidence]) -> str:
        """The quoting grammar over `given`: their sentences, or only the `quote_candidates`
        best-ranked of them."""
        offered = None if self.quote_candidates is None else {e.text for e in evidence[: self.quote_candidates]}
        return quote_grammar([[s for s in sum(sentences(p), []) if offered is None or s in offered] for p in given],
                             DECLINE)

    @staticmethod
    def _render(template: ChatPromptTemplate, **values: str) -> list[dict[str, str]]:
        return [dict(m) for m in convert_to_openai_messages(template.format_messages(**values))]


class _StreamClosed(BaseException):
    """The consumer of `stream_answer` went away: stop generating (not an error to recover from)."""


def stream_answer(ask: Callable[[], Answer]) -> Iterator[str | Answer]:
    """Run `ask` in a worker thread; yield the answer's text deltas as the model writes them
    (an `LLMAnswerer.answer` call inside `ask` sends them here), then the final `Answer`.

    Closing the iterator early stops the generation at its next delta.
    """
    items: queue.SimpleQueue[str | Answer | BaseException] = queue.SimpleQueue()
    closed = threading.Event()

    def deliver(delta: str) -> None:
        if closed.is_set():
            raise _StreamClosed
        items.put(delta)

    def work() -> None:
        _ON_DELTA.set(deliver)  # a new thread starts with an empty context: this stays in it
        try:
            items.put(ask())
        except BaseException as exc:  # handed to the consumer, raised there
            items.put(exc)

    threading.Thread(target=work, name="citebot-answer", daemon=True).start()
    try:
        while True:
            item = items.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, Answer):
                return
    finally:
        closed.set()


def declines(reply: str) -> bool:
    """Whether the model's reply is the DECLINE sentence (any case, punctuation, or a short
    lead-in such as "Sorry:"), not an answer."""
    flat = " ".join(re.sub(r"[^\w\s]", " ", reply).split()).upper()
    return DECLINE in flat and len(flat) <= len(DECLINE) + 40 and not re.search(r"\[\d+\]", reply)


def _first_line(reply: str) -> str:
    line = next((line for line in reply.strip().splitlines() if line.strip()), "")
    line = _LABEL.sub("", line.strip()).strip().strip("\"'“”«»`").strip()
    return " ".join(line.split())


def _plausible(rewrite: str, question: str, earlier: Sequence[str]) -> bool:
    """A rewrite is kept when it is a short question built from the conversation's own words."""
    if not rewrite or len(rewrite) > min(MAX_CONDENSED_CHARS, len(question) + len(" ".join(earlier)) + 40):
        return False
    if re.search(r"\[\d+\]|https?://|```", rewrite):
        return False
    words = content_tokens(rewrite)
    if not words:
        return False
    conversation = set(content_tokens(" ".join([question, *earlier])))
    own = content_tokens(question)
    keeps_question = not own or any(covered(w, set(words)) for w in own)
    return keeps_question and sum(covered(w, conversation) for w in words) >= 0.6 * len(words)
