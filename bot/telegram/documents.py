"""Documents sent to the bot, and /remove.

An admin or uploader sends a file (in private, or in a group with a caption that mentions the
bot, or in reply to it); anyone else is told politely that they cannot add documents. A file
of an unsupported type or over the size limit is refused before it is downloaded. Otherwise the
bot downloads it and hands it to the answer core (`AnswerCore.add_document`) in the
background: questions keep being answered while it is read and indexed, and the bot replies
when the document can be asked about ("Added <title>: N passages."), or why it was not added.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import PurePosixPath

from telegram import Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core import SUPPORTED_SUFFIXES, AnswerCore, UploadResult
from bot.errors import IndexError_
from bot.telegram.access import AccessPolicy
from bot.telegram.addressing import is_addressed, question_of
from bot.telegram.formatting import escape, printable
from bot.telegram.texts import Texts

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

#: Bots may download files of at most 20 MB from Telegram's servers.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class DocumentHandlers:
    """Uploads and /remove, bound to the answer core."""

    def __init__(self, settings: Settings, core: AnswerCore, access: AccessPolicy,
                 texts: Callable[[Update], Texts]) -> None:
        self.core = core
        self.access = access
        self.texts = texts
        self.limit = min(settings.max_file_bytes, TELEGRAM_DOWNLOAD_LIMIT)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def limit_mb(self) -> float:
        return round(self.limit / 1024 / 1024, 1)

    async def upload(self, update: Update, context: Context) -> None:
        """A document: checked here (who sent it, its type, its size), then downloaded and added
        in the background; the reply says when it can be asked about."""
        message = update.effective_message
        if message is None or message.document is None or not is_addressed(message, context.bot):
            return
        say, document = self.texts(update), message.document
        name = document.file_name or f"document-{document.file_unique_id}"
        shown = _shown_name(name)
        if not self.access.may_upload(update.effective_user, update.effective_chat):
            await message.reply_text(escape(say("UPLOAD_NOT_ALLOWED")))
            return
        if PurePosixPath(name.lower()).suffix not in SUPPORTED_SUFFIXES:
            await message.reply_text(escape(say("UPLOAD_UNSUPPORTED", name=shown)))
            return
        if document.file_size is not None and document.file_size > self.limit:
            await message.reply_text(escape(say("UPLOAD_TOO_BIG", name=shown, size=_megabytes(document.file_size),
                                               limit=_megabytes(self.limit))))
            return
        await message.reply_text(escape(say("UPLOAD_READING", name=shown)))
        task = context.application.create_task(self._add(message, document, name, say), update=update)
        self._tasks.add(task)  # kept until done, so that it is not garbage-collected midway
        task.add_done_callback(self._tasks.discard)

    async def _add(self, message: Message, document: Document, name: str, say: Texts) -> None:
        shown = _shown_name(name)
        try:
            data = bytes(await (await document.get_file()).download_as_bytearray())
        except TelegramError as error:
            await message.reply_text(escape(say("UPLOAD_DOWNLOAD_FAILED", name=shown, error=error)))
            return
        if len(data) > self.limit:  # the size Telegram announced was wrong
            await message.reply_text(escape(say("UPLOAD_TOO_BIG", name=shown, size=_megabytes(len(data)),
                                               limit=_megabytes(self.limit))))
            return
        try:
            result = await asyncio.to_thread(self.core.add_document, name, data)
        except IndexError_ as error:
            await message.reply_text(escape(say("UPLOAD_FAILED", name=shown, error=error)))
            return
        logger.info("Upload of user %s: %s %s", message.from_user and message.from_user.id, result.outcome,
                    result.source or result.name)
        await message.reply_text(escape(_upload_reply(result, say, shown)))

    async def remove(self, update: Update, context: Context) -> None:
        """/remove <file name or title> (admins): remove a document that was sent to the bot."""
        message = update.effective_message
        if message is None:
            return
        say = self.texts(update)
        if not self.access.is_admin(update.effective_user):
            await message.reply_text(escape(say("REMOVE_NOT_ADMIN")))
            return
        name = question_of(message, context.bot)
        if not name:
            await message.reply_text(escape(say("REMOVE_USAGE")))
            return
        try:
            result = await asyncio.to_thread(self.core.remove_document, name)
        except IndexError_ as error:
            await message.reply_text(escape(say("REMOVE_FAILED", name=_shown_name(name), error=error)))
            return
        replies = {
            "removed": lambda: say("REMOVED", title=result.title),
            "not_uploaded": lambda: say("REMOVE_NOT_UPLOADED", title=result.title, source=_shown_name(result.source)),
        }
        text = replies.get(result.outcome, lambda: say("REMOVE_NOT_FOUND", name=_shown_name(name)))()
        await message.reply_text(escape(text))


def _upload_reply(result: UploadResult, say: Texts, shown: str) -> str:
    passages = say.count(result.passages, "passage")
    if result.outcome == "added":
        return say("UPLOAD_ADDED", title=result.title, passages=passages)
    if result.outcome == "updated":
        return say("UPLOAD_UPDATED", title=result.title, passages=passages)
    if result.outcome == "duplicate":
        return say("UPLOAD_DUPLICATE", title=result.title, source=_shown_name(result.source))
    return say("UPLOAD_REJECTED", name=shown, reason=say(f"REASON_{result.why.upper()}", **result.values))


def _shown_name(name: str, chars: int = 80) -> str:
    """A file name as the bot may repeat it: one line, no control characters, not too long."""
    name = printable(name)
    return name if len(name) <= chars else name[: chars - 1] + "…"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
