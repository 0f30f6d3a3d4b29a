"""Answers shown while they are written (LLM mode), then replaced by the verified answer.

`AnswerDraft.follow` runs the core's answer stream (`AnswerCore.stream`) in a worker thread
and shows the text the model has written so far, with a "writing…" footer, at most once
every `interval` seconds (Telegram allows about one message a second per chat, 20 a minute
in a group):

- in private chats with Telegram's own streaming preview (`sendMessageDraft`: animated,
  ephemeral, refreshed before its 30 seconds run out); `finish` then sends the verified answer
  as a message, which replaces the preview;
- in groups, or where the Bot API server lacks sendMessageDraft (then `native_refused` tells
  the caller to stop trying), as a reply that is edited as the text grows; `finish` edits it
  into the verified answer.

Either way the draft is what the model wrote and the final text what verification kept, with
its sources and buttons. `cancel` (the user's /cancel) stops the model at its next delta; the
draft then keeps what was written, marked as cancelled (`show_cancelled`). In extractive mode the stream holds only the answer: nothing is
drafted, and `finish` simply replies. Whatever goes wrong with the draft (the message was
deleted, an edit is refused), the user still gets the answer, as a new message.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, TelegramError

import prompts
from bot.models import Answer
from bot.telegram.formatting import Span, draft_message, render
from bot.telegram.replies import reply

logger = logging.getLogger(__name__)

#: Telegram allows about 20 messages a minute in a group, edits included.
GROUP_INTERVAL = 3.0
#: The first draft waits for this many characters, so that it does not flash a lone word.
FIRST_DRAFT_CHARS = 24
#: A streaming preview (sendMessageDraft) lasts 30 seconds; it is sent again after this long.
PREVIEW_REFRESH = 20.0

_END = object()
_CANCEL = object()


class AnswerDraft:
    """The reply to `message` while its answer is being written, then the answer itself."""

    def __init__(self, message: Message, interval: float, *, previews: bool = True, footer: str = "") -> None:
        private = message.chat.type == "private"
        self.message = message
        #: What the draft says under the text while it is written (in the user's language).
        self.footer = footer or prompts.table("telegram_replies")["DRAFT_FOOTER"]
        self.interval = interval if private else max(interval, GROUP_INTERVAL)
        #: Whether the draft is Telegram's streaming preview (private chats, when `previews`).
        self.native = private and previews
        #: The Bot API server refused sendMessageDraft as unknown or not allowed: do not try again.
        self.native_refused = False
        self.text = ""
        self._sent: Message | None = None
        self._shown = self._shown_html = ""
        self._shown_at = float("-inf")
        self._failed = False
        self._items: asyncio.Queue[object] | None = None

    def cancel(self) -> bool:
        """Stop following the answer (see `follow`); False if it is not being followed."""
        if self._items is None:
            return False
        self._items.put_nowait(_CANCEL)
        return True

    async def follow(self, stream: Callable[[], Iterator[str | Answer]]) -> Answer | None:
        """Run `stream` in a worker thread, keep the draft up to date with its text deltas,
        and return the `Answer` it ends with, or None when `cancel` stopped it first.
        Exceptions of the stream are raised here."""
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[object] = asyncio.Queue()
        self._items = items
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
                if item is _CANCEL:
                    return None
                self.text += str(item)
        finally:
            self._items = None
            stop.set()  # the worker stops the model at its next delta

    async def finish(self, parts: Sequence[str], keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
        """Show the final answer, no sooner than `interval` after the last update: as new
        messages replacing a preview, or by editing the draft message into its first part
        (further parts follow as new messages). Returns the messages that show it."""
        if self.native or self._sent is None or self._failed:
            if self.native and self._shown_html:
                await self._wait_for_turn()  # the message replaces the preview
            await self.discard()
            return await reply(self.message, parts, keyboard)
        await self._wait_for_turn()
        first, rest = parts[0], list(parts[1:])
        try:
            await self._sent.edit_text(first, reply_markup=None if rest else keyboard)
        except TelegramError as error:
            logger.warning("Could not finish the draft answer, sending it anew: %s", error)
            await self.discard()
            return await reply(self.message, parts, keyboard)
        sent = [self._sent]
        for index, part in enumerate(rest):
            last = index == len(rest) - 1
            sent.append(await self.message.reply_text(part, reply_markup=keyboard if last else None, do_quote=False))
        return sent

    async def show_cancelled(self, note: str) -> None:
        """After `cancel`: what was written so far, with `note` (e.g. "Cancelled") under it in
        place of the "writing…" footer, as the draft message or a new one."""
        html = draft_message(self.text, note) if self.text.strip() else render([Span(note, "i")])[0]
        if self.native or self._sent is None or self._failed:
            await self._wait_for_turn()
            await self.discard()
            await self.message.reply_text(html)
            return
        await self._wait_for_turn()
        try:
            await self._sent.edit_text(html)
        except TelegramError as error:
            logger.warning("Could not mark the draft as cancelled, saying it anew: %s", error)
            await self.message.reply_text(html)

    async def discard(self) -> None:
        """Delete the draft message, if one was sent (a preview needs nothing: the reply that
        follows replaces it)."""
        if self._sent is not None:
            sent, self._sent = self._sent, None
            try:
                await sent.delete()
            except TelegramError as error:
                logger.debug("Could not delete the draft: %s", error)

    # --- internals -----------------------------------------------------------------------

    def _due_in(self) -> float | None:
        """Seconds until the draft may be shown again; None when there is nothing new to show."""
        if self._failed:
            return None
        if self.text == self._shown:  # nothing new, but a preview must be renewed before it expires
            if not (self.native and self._shown_html):
                return None
            return max(0.0, self._shown_at + PREVIEW_REFRESH - time.monotonic())
        if not self._shown_html and len(self.text.strip()) < FIRST_DRAFT_CHARS:
            return None
        return max(0.0, self._shown_at + self.interval - time.monotonic())

    async def _wait_for_turn(self) -> None:
        wait = self._shown_at + self.interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _show(self) -> None:
        text, html = self.text, draft_message(self.text, self.footer)
        if self.native:
            await self._preview(text, html)
            return
        if html == self._shown_html:  # e.g. past the length of a message: nothing new to show
            self._shown = text
            return
        try:
            if self._sent is None:
                self._sent = await self.message.reply_text(html)
            else:
                await self._sent.edit_text(html)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                self._give_up(error)
        except TelegramError as error:
            self._give_up(error)
        finally:
            self._shown, self._shown_html, self._shown_at = text, html, time.monotonic()

    async def _preview(self, text: str, html: str) -> None:
        """Show `html` as Telegram's streaming preview; where that fails, go on with edits."""
        message = self.message
        try:
            await message.get_bot().send_message_draft(
                message.chat.id, message.message_id, html,
                message_thread_id=message.message_thread_id if message.is_topic_message else None,
            )
        except TelegramError as error:
            logger.info("No streaming preview (%s): the draft is an edited message instead", error)
            self.native = False
            # An unknown method is a 404, which PTB raises as InvalidToken (the token works: the
            # question arrived through it).
            self.native_refused = isinstance(error, (BadRequest, EndPointNotFound, InvalidToken))
            self._shown_at = float("-inf")
            await self._show()
            return
        self._shown, self._shown_html, self._shown_at = text, html, time.monotonic()

    def _give_up(self, error: TelegramError) -> None:
        """Stop drafting; the answer will come as a new message."""
        logger.warning("Could not show the draft answer: %s", error)
        self._failed = True
