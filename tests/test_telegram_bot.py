"""The Telegram bot end to end: the real Application and PTB HTTP stack, against the Bot API
server of tests/botapi_server.py on 127.0.0.1, over the real answer core.

Users are simulated by injecting updates; assertions are on what the server received, i.e. what
a user would see. The real core is recorded (tests/helpers.py's FakeCore with `real`); a scripted
one stands in only where the real documents cannot produce the situation (an answer longer than
a message, a crash, a slow reindex).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from botapi_server import BotApiServer
from botapi_text import parse_html
from helpers import EN, FakeCore, cited
from telegram_harness import (  # noqa: F401 - api is a fixture
    ALICE, BOB, BOSS, FORUM, GROUP, MALLORY, api, callback_answers, exchange, running, settings,
)
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, RetryAfter
from telegram.ext import Application

import bot.telegram as telegram_front
import prompts
from bot.config import Settings
from bot.core import AnswerCore
from bot.models import Answer, Turn
from bot.telegram import ALLOWED_UPDATES, formatting, run

# PTB's own AIORateLimiter reads RetryAfter.retry_after, which PTB 22.2+ deprecates (as a float).
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2.*retry_after")

PARLY = "What did Parly give Shoigu?"
FOLLOW_UP = "What did she give him?"


@pytest.fixture(scope="session")
def memo() -> dict[tuple[str, tuple[Turn, ...]], Answer]:
    return {}


@pytest.fixture
def recording(core: AnswerCore, memo: dict[tuple[str, tuple[Turn, ...]], Answer]) -> FakeCore:
    """The session's real core (tests/conftest.py: the bundled documents, indexed once), recorded,
    its answers memoised for the session."""
    return FakeCore(real=core, memo=memo)


async def test_private_question_gets_a_cited_answer_whose_buttons_show_the_passages(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        assert {c["command"] for c in api.commands} >= {"start", "help", "docs", "reset", "ask", "cancel", "status", "reindex"}
        [welcome] = await exchange(api, ALICE, "/start")
        assert "2 documents" in welcome["text"] and "The results of the Russian-French meeting" in welcome["text"]
        [help_text] = await exchange(api, ALICE, "/help")
        assert "/reindex" in help_text["text"] and "2,000 characters" in help_text["text"]
        [listing] = await exchange(api, ALICE, "/docs")
        assert "russia-france-2plus2-meeting-moscow-2019-09-09.txt, 8 passages" in listing["text"]

        [answer] = await exchange(api, ALICE, PARLY)
        assert "photograph" in answer["text"] and "[1]" in answer["text"]
        assert "Sources\n[1] The results of the Russian-French meeting" in answer["text"]
        typing = api.calls_of("sendChatAction")[0]
        sent = next(c for c in api.calls_of("sendMessage") if c.result["message_id"] == answer["message_id"])
        assert typing.params["action"] == "typing" and typing.at < sent.at

        buttons = [row[0] for row in answer["reply_markup"]["inline_keyboard"]]
        assert buttons[0]["text"].startswith("[1] The results")
        photograph = next(b for b in buttons if "photograph" in recording.passage(b["callback_data"][4:]).quote)
        before = len(api.sent(ALICE["id"]))
        query_id = api.press_button(ALICE, answer, photograph["callback_data"])
        [passage] = (await api.wait_for_messages(ALICE["id"], before + 1))[before:]
        quote = recording.passage(photograph["callback_data"][4:]).quote.strip()
        assert "<blockquote expandable>" in passage["html"] and quote in passage["text"]
        assert passage["reply_parameters"]["message_id"] == answer["message_id"]
        assert callback_answers(api, query_id) == [{"callback_query_id": query_id}]

        stale = api.press_button(ALICE, answer, "src:ffffffffffffffff")
        forged = api.press_button(ALICE, answer, "src:../../etc/passwd")
        await api.wait_for(lambda: callback_answers(api, stale) and callback_answers(api, forged))
        assert callback_answers(api, stale)[0]["text"] == EN("STALE_BUTTON")
        assert callback_answers(api, forged)[0]["text"] == EN("UNKNOWN_BUTTON")
        assert len(api.sent(ALICE["id"])) == before + 1
    assert all(call.error is None for call in api.calls)


async def test_follow_up_questions_use_the_conversation_and_reset_forgets_it(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording) as application:
        await exchange(api, ALICE, PARLY)
        [follow_up] = await exchange(api, ALICE, FOLLOW_UP)
        assert "photograph" in follow_up["text"]
        assert [turn.question for turn in recording.asked[1][1]] == [PARLY]
        [done] = await exchange(api, ALICE, "/reset")
        assert done["text"] == EN("RESET_DONE")
        assert application.bot_data["conversations"] == {}


async def test_history_survives_a_restart(api: BotApiServer, recording: FakeCore, tmp_path: Path) -> None:
    async with running(settings(api, tmp_path), recording):
        await exchange(api, ALICE, PARLY)
    async with running(settings(api, tmp_path), recording):
        [follow_up] = await exchange(api, ALICE, FOLLOW_UP)
    assert (tmp_path / "telegram.pickle").exists()
    assert [turn.question for turn in recording.asked[1][1]] == [PARLY]
    assert "photograph" in follow_up["text"]


async def test_in_groups_the_bot_answers_only_when_addressed(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        api.send_text(ALICE, PARLY, GROUP)
        api.send_text(ALICE, "@someone_else what do you think?", GROUP)
        api.send_text(ALICE, "/ask@other_bot hello", GROUP)
        question = api.send_text(ALICE, f"@citebot_test_bot {PARLY}", GROUP)
        [answer] = await api.wait_for_messages(GROUP["id"])
        assert "photograph" in answer["text"]
        assert answer["reply_parameters"]["message_id"] == question["message_id"]
        assert [question for question, _ in recording.asked] == [PARLY]

        [follow_up] = await exchange(api, ALICE, FOLLOW_UP, GROUP, reply_to=answer)
        assert "photograph" in follow_up["text"]
        [asked] = await exchange(api, BOB, f"/ask {PARLY}", GROUP)
        assert "photograph" in asked["text"]
        [empty] = await exchange(api, BOB, "@citebot_test_bot", GROUP)
        assert empty["text"] == prompts.load("answer_empty_question")
    assert len(recording.asked) == 4 and len(api.sent(GROUP["id"])) == 4  # the chatter stayed unanswered


async def test_in_groups_each_member_has_their_own_conversation(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        await exchange(api, ALICE, f"@citebot_test_bot {PARLY}", GROUP)
        await exchange(api, BOB, f"@citebot_test_bot {FOLLOW_UP}", GROUP)
        await exchange(api, ALICE, f"@citebot_test_bot {FOLLOW_UP}", GROUP)
    histories = {(question, tuple(turn.question for turn in history)) for question, history in recording.asked}
    assert histories == {(PARLY, ()), (FOLLOW_UP, ()), (FOLLOW_UP, (PARLY,))}


async def test_forum_topics_get_their_answer_in_the_same_topic(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        [answer] = await exchange(api, ALICE, f"@citebot_test_bot {PARLY}", FORUM, thread_id=77)
    assert answer["message_thread_id"] == 77
    assert all(c.params.get("message_thread_id") == 77 for c in api.calls_of("sendChatAction"))


async def test_strangers_are_refused_once_with_their_id_and_see_nothing(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    config = settings(api, tmp_path, allowed_users="@alice", allowed_chats=str(GROUP["id"]))
    async with running(config, recording):
        api.send_text(MALLORY, "hello everyone", FORUM)  # chatter in a group: not even refused
        [refusal] = await exchange(api, MALLORY, PARLY)
        assert "666" in refusal["text"] and "photograph" not in refusal["text"]
        api.send_text(MALLORY, "/start")
        api.send_text(MALLORY, "@citebot_test_bot please", FORUM)
        query_id = api.press_button(MALLORY, refusal, "src:0123456789abcdef")
        await api.wait_for(lambda: callback_answers(api, query_id))
        assert callback_answers(api, query_id) == [{"callback_query_id": query_id, "show_alert": False}]
        [answer] = await exchange(api, MALLORY, f"@citebot_test_bot {PARLY}", GROUP)  # a listed group
        assert "photograph" in answer["text"]
        [allowed] = await exchange(api, ALICE, PARLY)
        assert "photograph" in allowed["text"]
    assert len(api.sent(MALLORY["id"])) == 1 and api.sent(FORUM["id"]) == []
    assert len(recording.asked) == 2


async def test_a_429_delays_the_answer_but_does_not_lose_it(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        api.fail_next("sendMessage", times=1, retry_after=1)
        [answer] = await exchange(api, ALICE, PARLY)
    assert "photograph" in answer["text"]
    refused, delivered = api.calls_of("sendMessage")
    assert refused.error == "429 retry after 1" and delivered.error is None
    assert delivered.at - refused.at >= 1.0


async def test_admins_reindex_and_others_are_refused(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path, admins="@boss"), recording):
        [refused] = await exchange(api, ALICE, "/reindex")
        assert refused["text"] == EN("NOT_ADMIN")
        started, report = await exchange(api, BOSS, "/reindex", count=2)
    assert started["text"] == EN("REINDEX_STARTED")
    assert report["text"].startswith("Index updated\n\n2 documents, 14 passages in the index")


async def test_reindex_runs_in_the_background_and_is_not_started_twice(api: BotApiServer, tmp_path: Path) -> None:
    scripted = FakeCore(cited("Still answering [1]."))
    async with running(settings(api, tmp_path, admins=str(BOSS["id"])), scripted):
        [started] = await exchange(api, BOSS, "/reindex")
        assert started["text"] == EN("REINDEX_STARTED")
        await asyncio.to_thread(scripted.reindex_started.wait, 5)
        [running_already] = await exchange(api, BOSS, "/reindex")
        assert running_already["text"] == EN("REINDEX_RUNNING")
        [answer] = await exchange(api, ALICE, "Anything?")
        assert answer["text"].startswith("Still answering [1].")
        scripted.reindex_release.set()
        [report] = (await api.wait_for_messages(BOSS["id"], 3))[2:]
    assert report["text"] == "Index updated\n\n1 document changed"


async def test_long_answers_and_long_lists_arrive_in_valid_parts(api: BotApiServer, tmp_path: Path) -> None:
    paragraph = "The ministers said <many> things & more [1]. " * 40
    text = "\n\n".join([paragraph] * 6)  # ~11,000 characters
    scripted = FakeCore(cited(text, title="<A>"), documents=300)
    async with running(settings(api, tmp_path), scripted):
        parts = await exchange(api, ALICE, "Tell me everything", count=3)
        listing = await exchange(api, ALICE, "/docs", count=len(formatting.documents_messages(scripted.docs, EN)))
    assert all(call.error is None for call in api.calls)
    assert [("reply_markup" in part) for part in parts] == [False, False, True]
    assert "".join(p["text"] for p in parts).count("[1]") == text.count("[1]") + 1  # and in the sources
    assert parts[-1]["text"].endswith("Sources\n[1] <A>")
    assert len(listing) > 1 and "300. Document <299> & co" in listing[-1]["text"]
    assert all(len(parse_html(p["html"])[0]) <= 4096 for p in parts + listing)


async def test_odd_messages_get_sensible_replies(
    api: BotApiServer, recording: FakeCore, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), recording):
        before = len(api.sent(ALICE["id"]))
        api.send_sticker(ALICE)
        [sticker] = (await api.wait_for_messages(ALICE["id"], before + 1))[before:]
        assert sticker["text"] == EN("NOT_TEXT")
        [huge] = await exchange(api, ALICE, "why " * 4999 + "why?")
        assert huge["text"] == prompts.load("answer_question_too_long").format(length="20,000", limit="2,000")
        [unknown] = await exchange(api, ALICE, "/frobnicate")
        assert unknown["text"] == EN("UNKNOWN_COMMAND")
        [usage] = await exchange(api, ALICE, "/ask")
        assert usage["text"] == EN("ASK_USAGE")
        [marked_up] = await exchange(api, ALICE, "<b>What</b> did **Parly** give <script>alert(1)</script> Shoigu?")
        assert "<script>" not in marked_up["html"]
    assert all(call.error is None for call in api.calls)


async def test_questions_per_minute_are_limited_with_one_clear_message(api: BotApiServer, tmp_path: Path) -> None:
    scripted = FakeCore(Answer("q", False, "I could not find this in the documents, so I will not guess."))
    async with running(settings(api, tmp_path, questions_per_minute=2), scripted):
        await exchange(api, ALICE, "one")
        await exchange(api, ALICE, "two")
        [limited] = await exchange(api, ALICE, "three")
        api.send_text(ALICE, "four")
        [answer] = await exchange(api, BOB, "bob's first")
    assert limited["text"].startswith("You're asking faster than I can answer (2 a minute)")
    assert answer["text"].startswith("I could not find")
    assert len(api.sent(ALICE["id"])) == 3


async def test_errors_are_answered_logged_without_the_token_and_the_bot_goes_on(
    api: BotApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scripted = FakeCore(RuntimeError(f"failed to fetch {api.base_url}{api.token}/x"))
    async with running(settings(api, tmp_path), scripted):
        [sorry] = await exchange(api, ALICE, "Will this work?")
        assert sorry["text"] == EN("SOMETHING_WENT_WRONG")
        scripted.answer = Answer("q", False, "Fine again.")
        [fine] = await exchange(api, ALICE, "And now?")
        assert fine["text"] == "Fine again."
    assert "RuntimeError: failed to fetch" in caplog.text and "<token>/x" in caplog.text


def test_run_refuses_bad_configuration_before_opening_the_index(
    api: BotApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN is not set"):
        run(Settings(_env_file=None, data_dir=tmp_path, TELEGRAM_BOT_TOKEN=None))
    with pytest.raises(ValueError, match="CITEBOT_WEBHOOK_SECRET"):
        run(settings(api, tmp_path), webhook_url="https://bot.example.org/telegram")
    with pytest.raises(ValueError, match="https://"):
        run(settings(api, tmp_path, webhook_secret="s3cret"), webhook_url="http://bot.example.org/telegram")
    with pytest.raises(ValueError, match="CITEBOT_ADMINS: 'bad name'"):
        run(settings(api, tmp_path, admins="@boss,bad name"))
    wrong = Settings(_env_file=None, TELEGRAM_BOT_TOKEN="4242:WRONG-secret", telegram_api_url=api.base_url,
                     data_dir=tmp_path)
    started = time.monotonic()
    with pytest.raises(ValueError, match="Telegram rejected TELEGRAM_BOT_TOKEN") as rejected:
        run(wrong)
    assert "WRONG-secret" not in str(rejected.value) and rejected.value.__cause__ is None
    assert "WRONG-secret" not in caplog.text
    assert time.monotonic() - started < 5 and not (tmp_path / "chroma").exists()


def test_run_polls_or_serves_a_webhook_with_its_secret(
    api: BotApiServer, core: AnswerCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` as the CLI calls it, up to the point where PTB would take over the process."""
    started: dict[str, dict[str, Any]] = {}
    monkeypatch.setattr(AnswerCore, "from_settings", lambda settings: core)
    monkeypatch.setattr(Application, "run_polling", lambda self, **kwargs: started.update(polling=kwargs))
    monkeypatch.setattr(Application, "run_webhook", lambda self, **kwargs: started.update(webhook=kwargs))
    monkeypatch.setattr(telegram_front, "_webhooks_available", lambda: True)  # tornado is not installed here
    run(settings(api, tmp_path))
    assert started.pop("polling") == {"allowed_updates": ALLOWED_UPDATES}
    run(settings(api, tmp_path, webhook_secret="s3cret_Token-1", webhook_port=8443),
        webhook_url="https://bot.example.org/hooks/citebot")
    assert started.pop("webhook") == {
        "listen": "0.0.0.0", "port": 8443, "url_path": "hooks/citebot", "secret_token": "s3cret_Token-1",
        "webhook_url": "https://bot.example.org/hooks/citebot", "allowed_updates": ALLOWED_UPDATES,
    }
    with pytest.raises(ValueError, match="may only hold"):
        run(settings(api, tmp_path, webhook_secret="not secret!"), webhook_url="https://bot.example.org/x")


async def test_the_test_server_answers_like_telegram(api: BotApiServer) -> None:
    """What the other tests rely on: the server refuses what Telegram refuses, as Telegram does."""
    async with Bot(api.token, base_url=api.base_url) as bot:
        sent = await bot.send_message(ALICE["id"], "<b>bold</b> &amp; plain", parse_mode="HTML")
        assert sent.text == "bold & plain" and sent.entities[0].type == "bold"
        with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag \"script\""):
            await bot.edit_message_text("<script>", ALICE["id"], sent.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ALICE["id"], "x" * 4097)
        api.fail_next("sendChatAction", retry_after=7)
        with pytest.raises(RetryAfter):
            await bot.send_chat_action(ALICE["id"], "typing")
    with pytest.raises(InvalidToken):
        async with Bot("4242:WRONG-secret", base_url=api.base_url):
            pass
