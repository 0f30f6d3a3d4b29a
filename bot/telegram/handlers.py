"""What the bot does with each update: commands, questions, buttons, reactions and errors.

Every handler is a thin front for the answer core: it decides whether a message is meant for the
bot, asks the core in a worker thread (the core is CPU-bound, and the bot keeps serving others
meanwhile), and renders the result in the user's language (`texts`). Access is enforced once,
by `gate`, which runs before every other handler. Documents sent to the bot are handled by
`bot.telegram.documents`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any

from telegram import Message, MessageReactionUpdated, ReactionTypeEmoji, ReplyParameters, Update, User
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.core import MAX_QUESTION_CHARS, AnswerCore, with_history
from bot.errors import IndexError_
from bot.feedback import FeedbackStore
from bot.telegram import formatting
from bot.telegram.access import AccessPolicy
from bot.telegram.addressing import is_addressed, question_of
from bot.telegram.documents import DocumentHandlers
from bot.telegram.drafts import AnswerDraft
from bot.telegram.formatting import escape
from bot.telegram.history import ConversationStore, conversation_key
from bot.telegram.ratelimit import QuestionLimiter
from bot.telegram.replies import reply, showing_typing
from bot.telegram.texts import Texts, commands, language_for, texts

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

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
        feedback: FeedbackStore | None = None,
    ) -> None:
        self.settings = settings
        self.core = core
        self.access = access
        self.limiter = limiter
        self.conversations = conversations
        self.feedback = feedback
        # Reactions are stored one at a time, in the order they came: a user's 🔥 then 👎 on one
        # answer must not be applied as 👎 then 🔥 (updates are handled concurrently).
        self._reactions_in_order = asyncio.Lock()
        self.documents = DocumentHandlers(settings, core, access, self.texts)
        self.started = time.monotonic()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._drafts: dict[str, AnswerDraft] = {}  # conversation -> the answer being written (for /cancel)
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
                CommandHandler("docs", self.docs),
                CommandHandler("reset", self.reset),
                CommandHandler("ask", self.ask),
                CommandHandler("cancel", self.cancel),
                CommandHandler("status", self.status),
                CommandHandler("reindex", self.reindex),
                CommandHandler("remove", self.documents.remove),
                MessageHandler(filters.Document.ALL, self.documents.upload),
                MessageHandler(filters.TEXT & ~filters.COMMAND, self.text),
                MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, self.unknown_command),
                MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, self.not_text),
                CallbackQueryHandler(self.source_button),
                MessageReactionHandler(self.reaction),
            ]
        )
        application.add_error_handler(self.error)

    async def post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """At start-up: publish the command menu in each language, delete expired conversations
        and unrated answers nobody will rate."""
        await application.bot.set_my_commands(commands("en"))
        for language in ("fr", "ru"):
            await application.bot.set_my_commands(commands(language), language_code=language)
        expired = self.conversations.prune(application.bot_data)
        if self.feedback is not None:
            await asyncio.to_thread(self.feedback.prune)
        logger.info("Telegram bot @%s is up (%d expired conversations deleted)", application.bot.username, expired)

    def texts(self, update: Update) -> Texts:
        """The replies in the language of the update's user."""
        return texts(language_for(self.settings, update.effective_user))

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
            refusal = self.texts(update)("REFUSAL", user_id=user.id)
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
        say = self.texts(update)
        documents = await asyncio.to_thread(self.core.documents)
        text = say.load("telegram_start").format(
            document_count=say.count(len(documents), "document"),
            document_titles=formatting.title_list(documents, say) or escape(say("NO_DOCUMENTS")),
            mention=escape(f"@{context.bot.username}"),
        )
        await _message(update).reply_text(text)

    async def help(self, update: Update, context: Context) -> None:
        """/help: how to ask, and the commands."""
        text = self.texts(update).load("telegram_help").format(
            max_question_chars=f"{MAX_QUESTION_CHARS:,}",
            mention=escape(f"@{context.bot.username}"),
            history_minutes=f"{self.settings.history_ttl_minutes:g}",
            questions_per_minute=self.settings.questions_per_minute,
            max_file_mb=f"{self.documents.limit_mb:g}",
        )
        await _message(update).reply_text(text)

    async def docs(self, update: Update, context: Context) -> None:
        """/docs: every indexed document."""
        documents = await asyncio.to_thread(self.core.documents)
        await reply(_message(update), formatting.documents_messages(documents, self.texts(update)))

    async def status(self, update: Update, context: Context) -> None:
        """/status: documents, passages, last update and answer mode; for admins also where the
        index lives and how long the bot has been running."""
        say = self.texts(update)
        admin = self.access.is_admin(update.effective_user)
        lines = [f"<b>{escape(say('STATUS_HEADING'))}</b>"]
        try:
            status = await asyncio.to_thread(self.core.status)
        except IndexError_ as error:
            lines.append(escape(say("STATUS_NO_INDEX", error=error)))
        else:
            updated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(status.updated)) if status.updated else "?"
            mode = say("STATUS_LLM", model=status.generator) if status.generator else say("STATUS_EXTRACTIVE")
            lines += [escape(say("STATUS_DOCUMENTS", documents=say.count(status.documents, "document"),
                                 passages=say.count(status.passages, "passage"), uploaded=status.uploaded)),
                      escape(say("STATUS_UPDATED", updated=updated)), escape(mode)]
            if admin:
                lines += [escape(say("STATUS_INDEX", index=status.index, store=status.store)),
                          escape(say("STATUS_FOLDERS", docs_dir=status.docs_dir, uploads_dir=status.uploads_dir))]
        if admin:
            minutes = int(time.monotonic() - self.started) // 60
            lines.append(escape(say("STATUS_UPTIME", uptime=say("UPTIME", hours=minutes // 60, minutes=minutes % 60))))
        await _message(update).reply_text("\n".join(lines))

    async def reset(self, update: Update, context: Context) -> None:
        """/reset: forget this conversation."""
        self.conversations.forget(context.bot_data, _conversation(update))
        await _message(update).reply_text(escape(self.texts(update)("RESET_DONE")))

    async def cancel(self, update: Update, context: Context) -> None:
        """/cancel: stop the answer being written in this conversation (LLM mode)."""
        draft = self._drafts.get(_conversation(update))
        if draft is None or not draft.cancel():
            await _message(update).reply_text(escape(self.texts(update)("NOTHING_TO_CANCEL")))

    async def ask(self, update: Update, context: Context) -> None:
        """/ask <question>: a question, the way to ask in groups without a mention."""
        question = question_of(_message(update), context.bot)
        if not question:
            await _message(update).reply_text(escape(self.texts(update)("ASK_USAGE")))
            return
        await self._answer(update, context, question)

    async def reindex(self, update: Update, context: Context) -> None:
        """/reindex (admins): update the index in a worker thread, then report what changed."""
        message, say = _message(update), self.texts(update)
        if not self.access.is_admin(update.effective_user):
            await message.reply_text(escape(say("NOT_ADMIN")))
            return
        if self._reindexing is not None and not self._reindexing.done():
            await message.reply_text(escape(say("REINDEX_RUNNING")))
            return
        # Started before anything is awaited, so that a second /reindex always sees it running.
        self._reindexing = context.application.create_task(self._reindex_and_report(message, say), update=update)

    async def _reindex_and_report(self, message: Message, say: Texts) -> None:
        await message.reply_text(escape(say("REINDEX_STARTED")))
        try:
            report = await asyncio.to_thread(self.core.reindex)
        except IndexError_ as error:
            await message.reply_text(escape(say("REINDEX_FAILED", error=error)))
            return
        logger.info("Index updated on request of user %s: %s", message.from_user and message.from_user.id, report)
        await reply(message, formatting.report_messages(say("INDEX_UPDATED"), str(report)))

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have (private chats only: in groups it may be another bot's)."""
        await _message(update).reply_text(escape(self.texts(update)("UNKNOWN_COMMAND")))

    # --- questions -----------------------------------------------------------------------

    async def text(self, update: Update, context: Context) -> None:
        """A text message: a question in a private chat, or in a group when addressed to the bot."""
        message = _message(update)
        if is_addressed(message, context.bot):
            await self._answer(update, context, question_of(message, context.bot))

    async def not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice… addressed to the bot: explain what it reads."""
        if is_addressed(_message(update), context.bot):
            await _message(update).reply_text(escape(self.texts(update)("NOT_TEXT")))

    async def _answer(self, update: Update, context: Context, question: str) -> None:
        message, say = _message(update), self.texts(update)
        verdict = self.limiter.check(_user(update).id)
        if not verdict.allowed:
            if verdict.notify:
                text = say("RATE_LIMITED", limit=self.limiter.per_minute, seconds=max(1, round(verdict.retry_after)))
                await message.reply_text(escape(text))
            return
        key = _conversation(update)
        async with self._lock(key):  # one question at a time per conversation, answered in order
            # LLM mode: the answer is shown while it is written
            draft = AnswerDraft(message, self.settings.draft_interval, previews=self._previews,
                                footer=say("DRAFT_FOOTER"))
            self._drafts[key] = draft
            try:
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
            finally:
                self._drafts.pop(key, None)
            if answer is None:  # /cancel: nothing is remembered of this question
                await draft.show_cancelled(say("CANCELLED"))
                return
            self.conversations.save(context.bot_data, key, with_history(history, answer, self.settings.history_turns))
            sent = await draft.finish(formatting.answer_messages(answer, say), formatting.answer_keyboard(answer))
            self._previews = self._previews and not draft.native_refused
        if self.feedback is not None:
            await asyncio.to_thread(self.feedback.record, message.chat.id, [m.message_id for m in sent],
                                    _user(update).id, answer, say.language)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    # --- buttons and reactions -----------------------------------------------------------

    async def source_button(self, update: Update, context: Context) -> None:
        """A source button: show the cited passage in full, in reply to the answer."""
        query, say = update.callback_query, self.texts(update)
        if query is None:
            return
        chunk_id = formatting.parse_source_callback(query.data)
        if chunk_id is None or query.message is None:
            await query.answer(say("UNKNOWN_BUTTON"))
            return
        citation = await asyncio.to_thread(self.core.passage, chunk_id)
        if citation is None:
            await query.answer(say("STALE_BUTTON"))
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

    async def reaction(self, update: Update, context: Context) -> None:
        """A reaction on one of the bot's answers: 👍 or 👎 is stored as the user's rating of it."""
        reacted: MessageReactionUpdated | None = update.message_reaction
        if reacted is None or reacted.user is None or self.feedback is None:
            return
        emoji = [r.emoji for r in reacted.new_reaction if isinstance(r, ReactionTypeEmoji)]
        async with self._reactions_in_order:  # a FIFO lock, taken before any other await
            answer_id = await asyncio.to_thread(self.feedback.rate, reacted.chat.id, reacted.message_id,
                                                reacted.user.id, emoji)
        if answer_id is not None:
            logger.info("User %s rated answer %s: %s", reacted.user.id, answer_id, "".join(emoji) or "(removed)")

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
        wrong = self.texts(update)("SOMETHING_WENT_WRONG")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(wrong, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(escape(wrong))
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
