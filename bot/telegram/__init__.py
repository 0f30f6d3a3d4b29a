"""The Telegram front end: `citebot telegram`.

`build_application` wires a python-telegram-bot `Application` to an answer core; `run` checks
the configuration, opens the core and runs the bot with long polling or, given a public HTTPS
URL, as a webhook.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.config import Settings
from bot.core import AnswerCore
from bot.feedback import FEEDBACK_FILE, FeedbackStore
from bot.telegram.access import AccessPolicy
from bot.telegram.handlers import Handlers
from bot.telegram.history import ConversationStore, persistence
from bot.telegram.ratelimit import QuestionLimiter
from bot.telegram.redact import protect

__all__ = ["ALLOWED_UPDATES", "build_application", "run"]

logger = logging.getLogger(__name__)

#: The only updates the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MESSAGE_REACTION]
#: How often a request refused with 429 (retry_after) is retried before it is given up.
FLOOD_RETRIES = 5
#: Updates processed at once; questions of one conversation are still answered in order.
CONCURRENT_UPDATES = 16
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def build_application(settings: Settings, core: AnswerCore) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot as an `Application`: handlers, persistence of conversations in
    `settings.data_dir`, flood control, and the Bot API URL from `settings.telegram_api_url`."""
    token = _token(settings)
    protect(token)
    access = AccessPolicy.from_settings(settings)
    if access.is_open:
        logger.warning(
            "The Telegram bot is open to everyone: set CITEBOT_ALLOWED_USERS or CITEBOT_ALLOWED_CHATS to restrict it."
        )
    if not access.admins:
        logger.info("CITEBOT_ADMINS is empty: nobody can run /reindex or /remove from Telegram.")
    feedback = FeedbackStore(settings.data_dir / FEEDBACK_FILE) if settings.feedback else None

    handlers = Handlers(
        settings,
        core,
        access,
        QuestionLimiter(settings.questions_per_minute),
        ConversationStore(ttl_seconds=settings.history_ttl_minutes * 60),
        feedback,
    )
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(_file_url(settings.telegram_api_url))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
        .persistence(persistence(settings.data_dir))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(handlers.post_init)
        .build()
    )
    handlers.register(application)
    return application


def run(settings: Settings, webhook_url: str | None = None) -> None:
    """Run the bot until interrupted: long polling, or a webhook at the public HTTPS
    `webhook_url` (which needs `CITEBOT_WEBHOOK_SECRET`).

    Configuration problems, including a token Telegram rejects, raise ValueError with a message
    for the user, before the (possibly slow) index is opened."""
    token = _token(settings)
    protect(token)
    AccessPolicy.from_settings(settings)  # invalid allowlist entries are reported now
    secret = _webhook_secret(settings, webhook_url) if webhook_url else None
    asyncio.run(_check_token(settings, token))

    application = build_application(settings, AnswerCore.from_settings(settings))
    if webhook_url is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    else:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(webhook_url).path.lstrip("/"),
            secret_token=secret,
            webhook_url=webhook_url,
            allowed_updates=ALLOWED_UPDATES,
        )


def _file_url(api_url: str) -> str:
    """The Bot API file URL matching an API URL: ".../bot" becomes ".../file/bot"."""
    head, bot, tail = api_url.rpartition("/bot")
    return f"{head}/file{bot}{tail}" if bot else api_url


def _token(settings: Settings) -> str:
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        raise ValueError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token there.")
    return settings.telegram_bot_token.get_secret_value().strip()


def _webhook_secret(settings: Settings, webhook_url: str) -> str:
    if urlsplit(webhook_url).scheme != "https" or not urlsplit(webhook_url).hostname:
        raise ValueError(f"--webhook needs a public https:// URL, not {webhook_url!r}.")
    if settings.webhook_secret is None:
        raise ValueError(
            "Webhook mode needs CITEBOT_WEBHOOK_SECRET (1-256 characters: letters, digits, _ and -), "
            "so that only Telegram can post updates to the bot."
        )
    secret = settings.webhook_secret.get_secret_value()
    if not _SECRET_TOKEN.fullmatch(secret):
        raise ValueError("CITEBOT_WEBHOOK_SECRET may only hold 1-256 letters, digits, _ and -.")
    if not _webhooks_available():
        raise ValueError('Webhook mode needs the webhooks extra: pip install "python-telegram-bot[webhooks]".')
    return secret


def _webhooks_available() -> bool:
    """Whether PTB's webhook server (tornado, the `webhooks` extra) is installed."""
    return importlib.util.find_spec("tornado") is not None


async def _check_token(settings: Settings, token: str) -> None:
    """Fail fast, and without printing the token, if Telegram rejects it or cannot be reached."""
    bot = Bot(token, base_url=settings.telegram_api_url, base_file_url=_file_url(settings.telegram_api_url))
    try:
        async with bot:
            logger.info("Connected to the Bot API as @%s", bot.username)
    except InvalidToken:
        raise ValueError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather.") from None
    except NetworkError as error:
        raise ValueError(f"Cannot reach the Bot API at {settings.telegram_api_url}: {error}") from None
