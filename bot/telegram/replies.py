"""How the bot answers a message: "typing…" while it works, then one or more HTML parts.

Replies go to the chat, and the forum topic, of the message they answer (PTB's `reply_*`
shortcuts pick the topic); in groups the first part quotes the question, so that everyone sees
whom it answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

#: Telegram shows "typing…" for 5 seconds; it is renewed this often while the bot works.
TYPING_REFRESH_SECONDS = 4.0


@asynccontextmanager
async def showing_typing(message: Message) -> AsyncIterator[None]:
    """Show "typing…" in the message's chat (and forum topic) until the block is left."""

    async def keep_typing() -> None:
        while True:
            try:
                await message.reply_chat_action(ChatAction.TYPING)
            except TelegramError as error:  # a missing "typing…" must never cost the answer
                logger.debug("Could not show typing: %s", error)
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def reply(message: Message, parts: Sequence[str], keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Send `parts` in reply to `message`, the keyboard under the last part, and return the
    messages sent. Only the first part quotes the message (in groups; PTB never quotes in
    private chats)."""
    sent = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent.append(await message.reply_text(part, reply_markup=keyboard if last else None,
                                             do_quote=None if index == 0 else False))
    return sent
