"""Answers shown while they are written (LLM mode): one message, edited as the model writes.

`AnswerDraft.follow` runs the core's answer stream (`AnswerCore.stream`) in a worker thread.
The first text the model writes is sent as a reply with a "writing…" footer; later text is
shown by editing that message, at most once every `interval` seconds (Telegram allows about
one message a second per chat, 20 a minute in a group). `finish` then turns the draft into
the verified answer, with its sources and buttons: the draft is what the model wrote, the
final text what verification kept.

In extractive mode the stream holds only the answer: nothing is drafted, and `finish`
simply replies. Whatever goes wrong with the draft (the message was deleted, an edit is
refused), the user still gets the answer, as a new message.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

import prompts
from bot.models import Answer
from bot.telegram.formatting import draft_message
from bot.telegram.replies import reply

logger = logging.getLogger(__name__)

#: Telegram allows about 20 messages a minute in a group, edits included.
GROUP_INTERVAL = 3.0
#: The first draft waits for this many characters, so that it does not flash a lone word.
FIRST_DRAFT_CHARS = 24

_FOOTER = prompts.table("telegram_replies")["DRAFT_FOOTER"]
_END = object()


class AnswerDraft:
    """The reply to `message` while its answer is being written, then the answer itself."""

    def __init__(self, message: Message, interval: float) -> None:
        self.message = message
        self.interval = interval if message.chat.type == "private" else max(interval, GROUP_INTERVAL)
        self.text = ""
        self.edits = 0
        self._sent: Message | None = None
        self._shown = self._shown_html = ""
        self._shown_at = float("-inf")
        self._failed = False

    async def follow(self, stream: Callable[[], Iterator[str | Answer]]) -> Answer:
        """Run `stream` in a worker thread, keep the draft up to date with its text deltas,
        and return the `Answer` it ends with. Exceptions of the stream are raised here."""
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(items.put_nowait, item)
            except RuntimeError:  # the event loop is gone (shutting down): stop generating
                stop.set()

        def work() -> None:
            iterator: Iterator[str | Answer] | None = None
            try:
                iterator = stream()
                for item in iterator:
                    put(item)
                    if stop.is_set():
                        return
                put(_END)
            except BaseException as exc:  # raised in `follow`
                put(exc)
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()  # stops the model at its next delta when we stopped early

        # Its own thread, not the event loop's small default pool: a model may take a minute to
        # answer, and source buttons (asyncio.to_thread) must not wait behind a few such answers.
        # PTB handles at most CONCURRENT_UPDATES updates at once, which bounds these threads.
        threading.Thread(target=work, name="citebot-telegram-answer", daemon=True).start()
        try:
            while True:
                try:
                    item = await asyncio.wait_for(items.get(), self._due_in())
                except TimeoutError:
                    await self._show()
                    continue
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, Answer):
                    return item
                if item is _END:
                    raise RuntimeError("the answer stream ended without an answer")
                self.text += str(item)
        finally:
            stop.set()

    async def finish(self, parts: Sequence[str], keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Show the final answer: the draft message becomes its first part (edited no sooner
        than `interval` after the last edit); further parts follow as new messages."""
        if self._sent is None or self._failed:
            await self.discard()
            await reply(self.message, parts, keyboard)
            return
        await self._wait_for_turn()
        first, rest = parts[0], list(parts[1:])
        try:
            await self._sent.edit_text(first, reply_markup=None if rest else keyboard)
            self.edits += 1
        except TelegramError as error:
            logger.warning("Could not finish the draft answer, sending it anew: %s", error)
            await self.discard()
            await reply(self.message, parts, keyboard)
            return
        for index, part in enumerate(rest):
            last = index == len(rest) - 1
            await self.message.reply_text(part, reply_markup=keyboard if last else None, do_quote=False)

    async def discard(self) -> None:
        """Delete the draft, if one was shown (the question failed; an error reply follows)."""
        if self._sent is not None:
            sent, self._sent = self._sent, None
            try:
                await sent.delete()
            except TelegramError as error:
                logger.debug("Could not delete the draft: %s", error)

    # --- internals -----------------------------------------------------------------------

    def _due_in(self) -> float | None:
        """Seconds until the draft may be shown again; None when there is nothing new to show."""
        if self._failed or self.text == self._shown:
            return None
        if self._sent is None and len(self.text.strip()) < FIRST_DRAFT_CHARS:
            return None
        return max(0.0, self._shown_at + self.interval - time.monotonic())

    async def _wait_for_turn(self) -> None:
        wait = self._shown_at + self.interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _show(self) -> None:
        text, html = self.text, draft_message(self.text, _FOOTER)
        if html == self._shown_html:  # e.g. past the length of a message: nothing new to show
            self._shown = text
            return
        try:
            if self._sent is None:
                self._sent = await self.message.reply_text(html)
            else:
                await self._sent.edit_text(html)
                self.edits += 1
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                self._give_up(error)
        except TelegramError as error:
            self._give_up(error)
        finally:
            self._shown, self._shown_html, self._shown_at = text, html, time.monotonic()

    def _give_up(self, error: TelegramError) -> None:
        """Stop drafting; the answer will come as a new message."""
        logger.warning("Could not show the draft answer: %s", error)
        self._failed = True
