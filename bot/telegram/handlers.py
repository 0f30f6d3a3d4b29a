"""What the bot does with each update: commands, questions, source buttons and errors.

Every handler is a thin front for the answer core: it decides whether a message is meant for the
bot, asks the core in a worker thread (the core is CPU-bound, and the bot keeps serving others
meanwhile), and renders the result. Access is enforced once, by `gate`, which runs before every
other handler.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from telegram import BotCommand, Message, ReplyParameters, Update, User
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

import prompts
from bot.config import Settings
from bot.core import MAX_QUESTION_CHARS, AnswerCore, with_history
from bot.telegram import formatting
from bot.telegram.access import AccessPolicy
from bot.telegram.addressing import is_addressed, question_of
from bot.telegram.drafts import AnswerDraft
from bot.telegram.formatting import escape, plural
from bot.telegram.history import ConversationStore, conversation_key
from bot.telegram.ratelimit import QuestionLimiter
from bot.telegram.replies import reply, showing_typing
from index.errors import IndexError_

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

BOT_COMMANDS = [
    BotCommand("start", "What I know and how to ask"),
    BotCommand("help", "How to use me"),
    BotCommand("sources", "The documents I answer from"),
    BotCommand("ask", "Ask a question (handy in groups)"),
    BotCommand("reset", "Forget our conversation"),
    BotCommand("reindex", "Update the index (admins only)"),
]

_REPLIES = prompts.table("telegram_replies")
REFUSAL = _REPLIES["REFUSAL"]
NOT_ADMIN = _REPLIES["NOT_ADMIN"]
REINDEX_STARTED = _REPLIES["REINDEX_STARTED"]
REINDEX_RUNNING = _REPLIES["REINDEX_RUNNING"]
REINDEX_FAILED = _REPLIES["REINDEX_FAILED"]
RATE_LIMITED = _REPLIES["RATE_LIMITED"]
ASK_USAGE = _REPLIES["ASK_USAGE"]
RESET_DONE = _REPLIES["RESET_DONE"]
NOT_TEXT = _REPLIES["NOT_TEXT"]
UNKNOWN_COMMAND = _REPLIES["UNKNOWN_COMMAND"]
UNKNOWN_BUTTON = _REPLIES["UNKNOWN_BUTTON"]
STALE_BUTTON = _REPLIES["STALE_BUTTON"]
NO_DOCUMENTS = _REPLIES["NO_DOCUMENTS"]
SOMETHING_WENT_WRONG = _REPLIES["SOMETHING_WENT_WRONG"]

_REFUSED_USERS = "refused_users"


class Handlers:
    """The bot's handlers, bound to the answer core and the front end's state."""

    def __init__(
        self,
        settings: Settings,
        core: AnswerCore,
        access: AccessPolicy,
        limiter: QuestionLimiter,
        conversations: ConversationStore,
    ) -> None:
        self.settings = settings
        self.core = core
        self.access = access
        self.limiter = limiter
        self.conversations = conversations
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._reindexing: asyncio.Task[None] | None = None
        #: Whether to stream answers with Telegram's preview (sendMessageDraft) in private chats;
        #: off once the Bot API server refuses it (e.g. an older self-hosted one).
        self._previews = True

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add every handler to `application`, the access gate first."""
        application.add_handler(TypeHandler(Update, self.gate), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", self.start),
                CommandHandler("help", self.help),
                CommandHandler("sources", self.sources),
                CommandHandler("reset", self.reset),
                CommandHandler("ask", self.ask),
                CommandHandler("reindex", self.reindex),
                MessageHandler(filters.TEXT & ~filters.COMMAND, self.text),
                MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, self.unknown_command),
                MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, self.not_text),
                CallbackQueryHandler(self.source_button),
            ]
        )
        application.add_error_handler(self.error)

    async def post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """At start-up: publish the command menu and delete expired conversations."""
        await application.bot.set_my_commands(BOT_COMMANDS)
        expired = self.conversations.prune(application.bot_data)
        logger.info("Telegram bot @%s is up (%d expired conversations deleted)", application.bot.username, expired)

    # --- access --------------------------------------------------------------------------

    async def gate(self, update: Update, context: Context) -> None:
        """Stop updates from people who are not allowed; refuse each of them once, naming their
        user id so that an admin can add them. Group chatter not addressed to the bot is ignored."""
        user, chat = update.effective_user, update.effective_chat
        if self.access.allows(user, chat):
            return
        query, message = update.callback_query, update.message
        addressed = query is not None or (message is not None and is_addressed(message, context.bot))
        refusal = None
        if user is not None and addressed and self._first_refusal(context, user.id):
            refusal = REFUSAL.format(user_id=user.id)
            logger.info("Refused user %s in chat %s", user.id, chat and chat.id)
        if query is not None:
            await query.answer(refusal, show_alert=refusal is not None)  # never the passage
        elif message is not None and refusal is not None:
            await message.reply_text(escape(refusal))
        raise ApplicationHandlerStop

    @staticmethod
    def _first_refusal(context: Context, user_id: int) -> bool:
        """Note that `user_id` is being refused; True unless they were refused before."""
        refused: set[int] = context.bot_data.setdefault(_REFUSED_USERS, set())
        first = user_id not in refused
        refused.add(user_id)
        return first

    # --- commands ------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """/start: what the bot knows (number of documents, their titles) and how to ask."""
        documents = await asyncio.to_thread(self.core.documents)
        text = prompts.load("telegram_start").format(
            document_count=plural(len(documents), "document"),
            document_titles=formatting.title_list(documents) or escape(NO_DOCUMENTS),
            mention=escape(f"@{context.bot.username}"),
        )
        await _message(update).reply_text(text)

    async def help(self, update: Update, context: Context) -> None:
        """/help: how to ask, and the commands."""
        text = prompts.load("telegram_help").format(
            max_question_chars=f"{MAX_QUESTION_CHARS:,}",
            mention=escape(f"@{context.bot.username}"),
            history_minutes=f"{self.settings.history_ttl_minutes:g}",
            questions_per_minute=self.settings.questions_per_minute,
        )
        await _message(update).reply_text(text)

    async def sources(self, update: Update, context: Context) -> None:
        """/sources: every indexed document."""
        documents = await asyncio.to_thread(self.core.documents)
        await reply(_message(update), formatting.documents_messages(documents))

    async def reset(self, update: Update, context: Context) -> None:
        """/reset: forget this conversation."""
        self.conversations.forget(context.bot_data, _conversation(update))
        await _message(update).reply_text(escape(RESET_DONE))

    async def ask(self, update: Update, context: Context) -> None:
        """/ask <question>: a question, the way to ask in groups without a mention."""
        question = question_of(_message(update), context.bot)
        if not question:
            await _message(update).reply_text(escape(ASK_USAGE))
            return
        await self._answer(update, context, question)

    async def reindex(self, update: Update, context: Context) -> None:
        """/reindex (admins): update the index in a worker thread, then report what changed."""
        message = _message(update)
        if not self.access.is_admin(update.effective_user):
            await message.reply_text(escape(NOT_ADMIN))
            return
        if self._reindexing is not None and not self._reindexing.done():
            await message.reply_text(escape(REINDEX_RUNNING))
            return
        # Started before anything is awaited, so that a second /reindex always sees it running.
        self._reindexing = context.application.create_task(self._reindex_and_report(message), update=update)

    async def _reindex_and_report(self, message: Message) -> None:
        await message.reply_text(escape(REINDEX_STARTED))
        try:
            report = await asyncio.to_thread(self.core.reindex)
        except IndexError_ as error:
            await message.reply_text(escape(REINDEX_FAILED.format(error=error)))
            return
        logger.info("Index updated on request of user %s: %s", message.from_user and message.from_user.id, report)
        await reply(message, formatting.report_messages("Index updated", str(report)))

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have (private chats only: in groups it may be another bot's)."""
        await _message(update).reply_text(escape(UNKNOWN_COMMAND))

    # --- questions -----------------------------------------------------------------------

    async def text(self, update: Update, context: Context) -> None:
        """A text message: a question in a private chat, or in a group when addressed to the bot."""
        message = _message(update)
        if is_addressed(message, context.bot):
            await self._answer(update, context, question_of(message, context.bot))

    async def not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice… addressed to the bot: explain that only text is understood."""
        if is_addressed(_message(update), context.bot):
            await _message(update).reply_text(escape(NOT_TEXT))

    async def _answer(self, update: Update, context: Context, question: str) -> None:
        message = _message(update)
        verdict = self.limiter.check(_user(update).id)
        if not verdict.allowed:
            if verdict.notify:
                text = RATE_LIMITED.format(limit=self.limiter.per_minute, seconds=max(1, round(verdict.retry_after)))
                await message.reply_text(escape(text))
            return
        key = _conversation(update)
        async with self._lock(key):  # one question at a time per conversation, answered in order
            # LLM mode: the answer is shown while it is written
            draft = AnswerDraft(message, self.settings.draft_interval, previews=self._previews)
            async with showing_typing(message):
                history = self.conversations.history(context.bot_data, key)
                try:
                    answer = await draft.follow(lambda: self.core.stream(question, history))
                except IndexError_ as error:  # no index yet, store unreachable…: said as it is
                    await draft.finish([escape(str(error))])
                    return
                except Exception:
                    await draft.discard()  # the error handler tells the user
                    raise
            self.conversations.save(context.bot_data, key, with_history(history, answer, self.settings.history_turns))
            await draft.finish(formatting.answer_messages(answer), formatting.answer_keyboard(answer))
            self._previews = self._previews and not draft.native_refused

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # --- buttons -------------------------------------------------------------------------

    async def source_button(self, update: Update, context: Context) -> None:
        """A source button: show the cited passage in full, in reply to the answer."""
        query = update.callback_query
        if query is None:
            return
        chunk_id = formatting.parse_source_callback(query.data)
        if chunk_id is None or query.message is None:
            await query.answer(UNKNOWN_BUTTON)
            return
        citation = await asyncio.to_thread(self.core.passage, chunk_id)
        if citation is None:
            await query.answer(STALE_BUTTON)
            return
        await query.answer()
        answer_message = query.message
        thread_id = (
            answer_message.message_thread_id
            if isinstance(answer_message, Message) and answer_message.is_topic_message
            else None
        )
        for index, part in enumerate(formatting.passage_messages(citation)):
            await context.bot.send_message(
                answer_message.chat.id,
                part,
                message_thread_id=thread_id,
                reply_parameters=ReplyParameters(answer_message.message_id) if index == 0 else None,
            )

    # --- errors --------------------------------------------------------------------------

    async def error(self, update: object, context: Context) -> None:
        """Log the error (the token is redacted from logs, see `redact`) and tell the user that
        something went wrong. The bot goes on with the next update."""
        if not isinstance(update, Update):  # fetching updates failed: PTB retries by itself
            logger.error("Telegram error: %s", context.error)
            return
        logger.error(
            "Error while handling update %s (chat %s, user %s)",
            update.update_id,
            update.effective_chat and update.effective_chat.id,
            update.effective_user and update.effective_user.id,
            exc_info=context.error,
        )
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(SOMETHING_WENT_WRONG, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(escape(SOMETHING_WENT_WRONG))
        except TelegramError as failure:  # e.g. the query was answered already
            logger.warning("Could not tell the user about the error: %s", failure)


# --- helpers -------------------------------------------------------------------------------


def _message(update: Update) -> Message:
    """The update's message (handlers are only registered for updates that have one)."""
    if update.effective_message is None:
        raise ValueError(f"update {update.update_id} has no message")
    return update.effective_message


def _user(update: Update) -> User:
    """The update's sender (messages in private chats and groups always have one)."""
    if update.effective_user is None:
        raise ValueError(f"update {update.update_id} has no user")
    return update.effective_user


def _conversation(update: Update) -> str:
    """The key of the conversation the update belongs to (see `history.conversation_key`)."""
    return conversation_key(_message(update).chat, _user(update))
