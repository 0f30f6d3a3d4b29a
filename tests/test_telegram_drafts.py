"""LLM mode in Telegram: the answer is shown while the model writes it, no more than once per
interval (Telegram's streaming preview in private chats, an edited message in groups or where the
Bot API server has no sendMessageDraft), then becomes the verified answer with its sources and
buttons.

The real bot (PTB's HTTP stack against tests/botapi_server.py) over the real core in LLM mode,
whose model is the scripted OpenAI-compatible server of tests/openai_server.py, writing at a
set pace.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from botapi_server import BotApiServer, Call
from botapi_text import parse_html
from helpers import EN, FakeCore, cited
from openai_server import (  # noqa: F401 - corpus, shared and llm are fixtures
    GIFT, GOOD, Reply, ScriptedLLM, corpus, llm, make_core, shared,
)
from telegram_harness import ALICE, GROUP, api, exchange, running, settings  # noqa: F401 - api is a fixture

import prompts
from bot.telegram import drafts
from bot.telegram.drafts import GROUP_INTERVAL

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2.*retry_after")

FOOTER = prompts.table("telegram_replies")["DRAFT_FOOTER"]
INTERVAL = 0.5


def updates_of(api: BotApiServer, message: dict[str, Any]) -> list[Call]:
    """The sendMessage that created `message` and every edit of it, in order."""
    key = (message["chat"]["id"], message["message_id"])
    return [c for c in api.calls if c.error is None and (
        (c.method == "sendMessage" and c.result and (c.result["chat"]["id"], c.result["message_id"]) == key)
        or (c.method == "editMessageText" and (int(c.params["chat_id"]), int(c.params["message_id"])) == key))]


def gaps(calls: Sequence[Call]) -> list[float]:
    return [later.at - earlier.at for earlier, later in zip(calls, calls[1:])]


async def final_answer(api: BotApiServer, chat_id: int) -> dict[str, Any]:
    """The bot's message in `chat_id` once it carries its source buttons."""
    return await api.wait_for(lambda: next((m for m in api.sent(chat_id) if "reply_markup" in m), None), 30)


def previews_of(api: BotApiServer, chat_id: int) -> list[Call]:
    return [c for c in api.calls_of("sendMessageDraft") if c.error is None and int(c.params["chat_id"]) == chat_id]


def assert_growing_drafts(drafts: Sequence[str]) -> None:
    """Each draft shows more of the model's text than the one before, with the footer."""
    plain = [parse_html(d)[0] for d in drafts]
    assert all(p.endswith(FOOTER) for p in plain)
    shown = [p.removesuffix(FOOTER).strip() for p in plain]
    assert all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(shown, shown[1:])), shown
    assert shown[0].startswith("Parly donated") and "[" in shown[-1]  # the model's own markers, as written


async def test_in_private_chats_the_answer_streams_as_a_preview_then_arrives_with_sources(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path
) -> None:
    llm.script(Reply(GOOD, pace=0.06))  # ~40 pieces: about 2.5 s of writing
    core = make_core(shared, llm.url)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        question = api.send_text(ALICE, GIFT)
        answer = await final_answer(api, ALICE["id"])
        assert len(api.sent(ALICE["id"])) == 1 and api.calls_of("editMessageText") == []
        assert ALICE["id"] not in api.previews  # the answer replaced the preview

    previews = previews_of(api, ALICE["id"])
    final = next(c for c in api.calls_of("sendMessage") if c.result and c.result["message_id"] == answer["message_id"])
    assert len(previews) >= 3, "the answer should have been shown while being written"
    assert {int(c.params["draft_id"]) for c in previews} == {question["message_id"]}  # one animated draft
    assert all(gap >= INTERVAL * 0.9 for gap in gaps([*previews, final])), gaps([*previews, final])
    assert_growing_drafts([c.params["text"] for c in previews])
    assert final.at - previews[0].at > 1.5  # the first words were shown long before the end

    assert FOOTER not in answer["text"] and "Normandie-Niémén" in answer["text"] and "[1]" in answer["text"]
    assert "Sources\n[1] " in answer["text"]
    buttons = [row[0] for row in answer["reply_markup"]["inline_keyboard"]]
    assert buttons and all(b["callback_data"].startswith("src:") for b in buttons)


async def test_without_previews_the_draft_is_one_message_edited_as_written(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path
) -> None:
    api.supports_drafts = False  # an older (self-hosted) Bot API server
    llm.script(Reply(GOOD, pace=0.06), Reply(GOOD, pace=0.06))
    core = make_core(shared, llm.url)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, GIFT)
        answer = await final_answer(api, ALICE["id"])
        assert len(api.sent(ALICE["id"])) == 1  # drafted and finalised in one message
        api.send_text(ALICE, "/reset")
        api.send_text(ALICE, GIFT)
        await api.wait_for(lambda: len([m for m in api.sent(ALICE["id"]) if "reply_markup" in m]) == 2, 30)
    assert len(api.calls_of("sendMessageDraft")) == 1  # refused once, then not tried again

    updates = updates_of(api, answer)
    drafts, final = [c.params["text"] for c in updates[:-1]], updates[-1]
    assert updates[0].method == "sendMessage" and final.method == "editMessageText"
    assert len(drafts) >= 3, "the answer should have been shown while being written"
    assert all(gap >= INTERVAL * 0.9 for gap in gaps(updates)), gaps(updates)
    assert_growing_drafts(drafts)
    assert FOOTER not in answer["text"] and "Sources\n[1] " in answer["text"] and answer["reply_markup"]


async def test_in_groups_drafts_are_edited_at_most_every_three_seconds(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path
) -> None:
    llm.script(Reply(GOOD, pace=0.1))  # about 4 s of writing
    core = make_core(shared, llm.url)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        question = api.send_text(ALICE, f"@citebot_test_bot {GIFT}", GROUP)
        answer = await final_answer(api, GROUP["id"])
    updates = updates_of(api, answer)
    assert len(updates) >= 2 and all(gap >= GROUP_INTERVAL * 0.95 for gap in gaps(updates)), gaps(updates)
    assert answer["reply_parameters"]["message_id"] == question["message_id"]
    assert "Sources" in answer["text"] and FOOTER not in answer["text"]


async def test_a_model_that_stalls_mid_answer_leaves_the_extractive_answer_in_the_draft(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path
) -> None:
    llm.script(Reply(GOOD, stall=10))  # one piece, then silence past the timeout
    core = make_core(shared, llm.url, llm_timeout=1.5)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, GIFT)
        answer = await final_answer(api, ALICE["id"])
    assert len(api.sent(ALICE["id"])) == 1
    assert "so this is the extractive answer" in answer["text"] and "<i>" in answer["html"]
    assert "photograph" in answer["text"] and "Sources\n[1] " in answer["text"] and FOOTER not in answer["text"]


async def test_refusals_and_extractive_answers_are_sent_once_without_drafts(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path
) -> None:
    async with running(settings(api, tmp_path), make_core(shared, llm.url)):
        [refusal] = await exchange(api, ALICE, "Who won the 2018 World Cup?")
    async with running(settings(api, tmp_path), make_core(shared, llm.url, llm="none")):
        [extractive] = await exchange(api, ALICE, GIFT)
    assert not refusal["text"].startswith("Parly") and "reply_markup" not in refusal
    assert "photograph" in extractive["text"] and "reply_markup" in extractive
    assert llm.requests == [] and api.calls_of("editMessageText") == api.calls_of("sendMessageDraft") == []


# The scripted cores below (tests/helpers.py's FakeCore) are "models" writing pieces at a pace, for
# what no real answer here reaches: drafts longer than a message, failures, pauses, many at once.
MET = cited("The ministers met [1].", mode="llm")


async def test_a_draft_longer_than_a_message_is_cut_and_the_answer_split(api: BotApiServer, tmp_path: Path) -> None:
    sentence = "The ministers said <many> things & more [1]. "
    text = sentence * 250  # ~11,000 characters
    core = FakeCore(cited(text.strip(), title="<A>", mode="llm"), deltas=[sentence] * 250, pace=0.004)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, "Tell me everything")
        parts = await api.wait_for_messages(ALICE["id"], 3, timeout=30)
        await final_answer(api, ALICE["id"])
    assert all(call.error is None for call in api.calls), [(c.method, c.error) for c in api.calls if c.error]
    drafts = [c.params["text"] for c in previews_of(api, ALICE["id"])]
    assert drafts and all(len(parse_html(d)[0]) <= 4096 and parse_html(d)[0].endswith(FOOTER) for d in drafts), drafts
    assert [("reply_markup" in part) for part in parts] == [False, False, True]
    assert "".join(p["text"] for p in parts).count("[1]") == text.count("[1]") + 1
    assert FOOTER not in parts[0]["text"] and core.closed


async def test_a_deleted_draft_does_not_cost_the_answer(api: BotApiServer, tmp_path: Path) -> None:
    core = FakeCore(MET, deltas=["The ", "ministers ", "met ", "[1]."] * 10, pace=0.1)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, "@citebot_test_bot Did they meet?", GROUP)
        [draft] = await api.wait_for_messages(GROUP["id"])
        api.delete(draft)  # someone deletes the draft while it is being written
        final = await final_answer(api, GROUP["id"])
    assert final["message_id"] != draft["message_id"] and final["text"].startswith("The ministers met [1].")
    assert [m["message_id"] for m in api.sent(GROUP["id"])] == [final["message_id"]]


@pytest.mark.parametrize("chat", [None, GROUP], ids=["private", "group"])
async def test_a_failure_while_writing_removes_the_draft_and_says_so(
    api: BotApiServer, tmp_path: Path, chat: dict[str, Any] | None
) -> None:
    core = FakeCore(RuntimeError("the answer core broke"), deltas=["Half ", "an ", "answer"] * 5, pace=0.1)
    chat_id = (chat or ALICE)["id"]
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, "@citebot_test_bot Will this work?", chat)
        sorry = await api.wait_for(lambda: next(
            (m for m in api.sent(chat_id) if m["text"] == EN("SOMETHING_WENT_WRONG")), None), 20)
    assert api.sent(chat_id) == [sorry] and chat_id not in api.previews
    if chat is None:  # the preview was shown, and the reply replaced it
        assert previews_of(api, chat_id) and not api.calls_of("deleteMessage")
    else:  # the draft message was shown, then deleted
        assert api.calls_of("deleteMessage")


async def test_slow_answers_do_not_hold_up_other_requests(api: BotApiServer, tmp_path: Path) -> None:
    core = FakeCore(MET, deltas=["The ministers met, slowly. "] * 20, pace=0.2, documents=1)  # 4 s per answer
    pool = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor, which asyncio.to_thread uses
    users = [{"id": 2000 + i, "is_bot": False, "first_name": f"User {i}"} for i in range(pool + 2)]
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        for user in users:  # more answers being written at once than that pool has threads
            api.send_text(user, "Did they meet?")
        await api.wait_for(lambda: sum(bool(previews_of(api, user["id"])) for user in users) >= pool, 15)
        started = time.monotonic()
        [listing] = await exchange(api, ALICE, "/docs")
        waited = time.monotonic() - started
        await api.wait_for(lambda: all(any("reply_markup" in m for m in api.sent(u["id"])) for u in users), 30)
    assert "doc-0.txt" in listing["text"] and waited < 2.0, waited


async def test_a_preview_is_renewed_while_the_model_pauses(
    api: BotApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drafts, "PREVIEW_REFRESH", 0.5)  # Telegram drops a preview after 30 s
    core = FakeCore(MET, deltas=["The ministers met at length in Moscow. ", "Then they left."], pace=2.0)
    async with running(settings(api, tmp_path, draft_interval=INTERVAL), core):
        api.send_text(ALICE, "Did they meet?")
        await final_answer(api, ALICE["id"])
    texts = [parse_html(c.params["text"])[0] for c in previews_of(api, ALICE["id"])]
    paused = [t for t in texts if t.startswith("The ministers met at length in Moscow.") and "Then" not in t]
    assert len(paused) >= 3, texts  # shown, then renewed while nothing new came
