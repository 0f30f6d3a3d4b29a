"""The Telegram test harness: simulated users and chats, the Bot API server as a fixture, and
the bot run exactly as `citebot telegram` runs it, against that server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from botapi_server import BotApiServer

from bot.config import Settings
from bot.telegram import ALLOWED_UPDATES, build_application

ALICE = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice"}
BOB = {"id": 1002, "is_bot": False, "first_name": "Bob"}
BOSS = {"id": 1003, "is_bot": False, "first_name": "Boss", "username": "boss"}
MALLORY = {"id": 666, "is_bot": False, "first_name": "Mallory"}
GROUP = {"id": -100500, "type": "supergroup", "title": "Team"}
FORUM = {"id": -100700, "type": "supergroup", "title": "Forum", "is_forum": True}

@pytest.fixture
def api(caplog: pytest.LogCaptureFixture) -> Iterator[BotApiServer]:
    """The Bot API server. Afterwards no log line of the test may contain the token, and the bot
    must not have called a method the server does not simulate."""
    caplog.set_level(logging.DEBUG)
    with BotApiServer() as server:
        yield server
    assert server.unsimulated == []
    formatter = logging.Formatter("%(name)s %(message)s")
    logged = "\n".join(formatter.format(r) for phase in ("setup", "call") for r in caplog.get_records(phase))
    assert server.token.split(":")[1] not in logged, [line[:300] for line in logged.splitlines() if server.token.split(":")[1] in line][:3]


def settings(api: BotApiServer, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None, TELEGRAM_BOT_TOKEN=api.token, telegram_api_url=api.base_url, data_dir=data_dir, **overrides
    )


@asynccontextmanager
async def running(config: Settings, core: Any) -> AsyncIterator[Any]:
    """The bot as `citebot telegram` runs it (initialize, post_init, polling, start), stopped after."""
    application = build_application(config, core)
    async with application:
        await application.post_init(application)
        await application.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def exchange(api: BotApiServer, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
                   count: int = 1, **kwargs: Any) -> list[dict[str, Any]]:
    """Send a message and return the next `count` messages the bot sends to that chat."""
    chat_id = (chat or user)["id"]
    before = len(api.sent(chat_id))
    api.send_text(user, text, chat, **kwargs)
    return (await api.wait_for_messages(chat_id, before + count))[before:]


def callback_answers(api: BotApiServer, query_id: str) -> list[dict[str, Any]]:
    return [c.params for c in api.calls_of("answerCallbackQuery") if str(c.params["callback_query_id"]) == query_id]
