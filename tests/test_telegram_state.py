"""The Telegram front end's small parts: allowlists, addressing in groups, the question limiter,
conversations."""

from __future__ import annotations

from typing import Any, cast

import pytest
from telegram import Bot, Chat, Message, User

from bot.config import Settings
from bot.models import Turn
from bot.telegram.access import AccessPolicy, Allowlist
from bot.telegram.addressing import is_addressed, question_of
from bot.telegram.history import ConversationStore, conversation_key
from bot.telegram.ratelimit import QuestionLimiter

ALICE = User(1001, "Alice", False, username="Alice_W")
BOB = User(1002, "Bob", False)
GROUP = Chat(-100500, Chat.SUPERGROUP, username="team_chat")
OTHER_GROUP = Chat(-100600, Chat.SUPERGROUP)


def private(user: User) -> Chat:
    return Chat(user.id, Chat.PRIVATE)


def policy(users: str = "", chats: str = "", admins: str = "") -> AccessPolicy:
    return AccessPolicy.from_settings(
        Settings(_env_file=None, allowed_users=users, allowed_chats=chats, admins=admins)  # type: ignore[arg-type]
    )


def test_empty_allowlists_are_open_but_grant_no_admin() -> None:
    access = policy()
    assert access.is_open
    assert access.allows(BOB, private(BOB)) and access.allows(BOB, GROUP)
    assert not access.is_admin(BOB)


def test_listed_users_by_id_or_case_insensitive_username_may_ask_anywhere() -> None:
    access = policy(users="1002, @alice_w")
    assert not access.is_open
    assert access.allows(ALICE, private(ALICE)) and access.allows(ALICE, OTHER_GROUP)
    assert access.allows(BOB, GROUP)
    assert not access.allows(User(7, "Eve", False), private(User(7, "Eve", False)))


def test_a_listed_chat_admits_everyone_in_it_and_nowhere_else() -> None:
    access = policy(chats="@team_chat")
    assert access.allows(BOB, GROUP)
    assert not access.allows(BOB, OTHER_GROUP) and not access.allows(BOB, private(BOB))


def test_admins_may_use_the_bot_and_reindex() -> None:
    access = policy(users="1002", admins="alice_w")
    assert access.is_admin(ALICE) and access.allows(ALICE, private(ALICE))
    assert not access.is_admin(BOB)


@pytest.mark.parametrize("entry", ["12ab", "@x", "@bad-name", "a b"])
def test_invalid_allowlist_entries_are_reported_with_the_setting(entry: str) -> None:
    with pytest.raises(ValueError, match="CITEBOT_ALLOWED_USERS"):
        Allowlist.parse([entry], "CITEBOT_ALLOWED_USERS")


def test_question_limiter_is_a_sliding_window_that_warns_once() -> None:
    now = [0.0]
    limiter = QuestionLimiter(per_minute=2, clock=lambda: now[0])
    assert limiter.check(1).allowed
    now[0] = 20.0
    assert limiter.check(1).allowed
    refused = limiter.check(1)
    assert not refused.allowed and refused.notify and refused.retry_after == pytest.approx(40)
    assert limiter.check(2).allowed  # other users are not affected
    now[0] = 30.0
    assert limiter.check(1) == (False, pytest.approx(30), False)  # told already
    now[0] = 60.5
    assert limiter.check(1).allowed  # the first question left the window
    assert not limiter.check(1).allowed


def test_conversation_keys_are_per_chat_in_private_and_per_user_in_groups() -> None:
    assert conversation_key(private(ALICE), ALICE) == "1001"
    assert conversation_key(GROUP, ALICE) != conversation_key(GROUP, BOB)


def test_conversations_expire_after_the_idle_time() -> None:
    now = [1000.0]
    store = ConversationStore(ttl_seconds=60, clock=lambda: now[0])
    bot_data: dict[str, Any] = {}
    turns = [Turn("What did Parly give Shoigu?", "What did Parly give Shoigu?", True)]
    store.save(bot_data, "a", turns)
    store.save(bot_data, "b", turns)
    now[0] += 59
    assert store.history(bot_data, "a") == turns
    store.save(bot_data, "b", turns)  # b stays active
    now[0] += 2
    assert store.history(bot_data, "a") == []
    assert store.history(bot_data, "b") == turns
    assert set(bot_data["conversations"]) == {"b"}  # a's data is gone, not just hidden
    store.forget(bot_data, "b")
    assert store.history(bot_data, "b") == []


def test_conversations_keep_the_names_answers_brought_in_and_old_ones_still_load() -> None:
    store = ConversationStore(ttl_seconds=60, clock=lambda: 1000.0)
    bot_data: dict[str, Any] = {}
    turns = [Turn("Who did Claire Landais negotiate with?", "Who did Claire Landais negotiate with?", True,
                  names=("Patrushev",), cited=("… negotiations took place between … Patrushev and … Landais.",)),
             Turn("ok", "ok", False, language="fr")]
    store.save(bot_data, "a", turns)
    # a follow-up's "his" can still mean Patrushev, "When?" can still lean on that sentence, and
    # a reply to "???" after "ok" is still in the conversation's French
    assert store.history(bot_data, "a") == turns
    # Saved before answers kept their sentences: (question, search, answered, names).
    bot_data["conversations"]["c"] = {"turns": [("Who is Claire Landais?", "Who is Claire Landais?", True, ("Landais",))],
                                      "active": 1000.0}
    assert store.history(bot_data, "c") == [Turn("Who is Claire Landais?", "Who is Claire Landais?", True, ("Landais",))]
    # Saved by an earlier version, before answers carried names: (question, search, answered).
    bot_data["conversations"]["b"] = {"turns": [("Who is Claire Landais?", "Who is Claire Landais?", True)],
                                      "active": 1000.0}
    assert store.history(bot_data, "b") == [Turn("Who is Claire Landais?", "Who is Claire Landais?", True)]


class _Me:
    """What `addressing` needs to know about the bot."""

    id = 4242
    username = "citebot_bot"


BOT_MESSAGE = {"message_id": 0, "date": 0, "chat": {"id": -1, "type": "supergroup"},
               "from": {"id": 4242, "is_bot": True, "first_name": "Citebot"}}
TOPIC = {"name": "Questions", "icon_color": 7322096}


def group_message(text: str, mentions: tuple[str, ...] = (), **extra: Any) -> Message:
    entities = [
        {"type": "bot_command" if word.startswith("/") else "mention", "offset": text.index(word), "length": len(word)}
        for word in mentions
    ]
    data = {"message_id": 1, "date": 0, "chat": {"id": -1, "type": "supergroup"}, "text": text, "entities": entities}
    return Message.de_json({**data, **extra}, None)


@pytest.mark.parametrize(
    ("message", "addressed", "question"),
    [
        (group_message("hi @CiteBot_Bot what was agreed?", ("@CiteBot_Bot",)), True, "hi what was agreed?"),
        (group_message("/ask@citebot_bot What was agreed?", ("/ask@citebot_bot",)), True, "What was agreed?"),
        (group_message("/ask What was agreed?", ("/ask",)), True, "What was agreed?"),
        (group_message("/ask@other_bot What was agreed?", ("/ask@other_bot",)), False, None),
        (group_message("@citebot_botany is another bot", ("@citebot_botany",)), False, None),
        (group_message("mail me at me@citebot_bot.org"), False, None),  # no mention entity
        (group_message("and then?", reply_to_message=BOT_MESSAGE), True, "and then?"),
        (group_message("in a topic", reply_to_message={**BOT_MESSAGE, "forum_topic_created": TOPIC}), False, None),
    ],
)
def test_group_messages_are_for_the_bot_only_when_addressed_by_entity_or_reply(
    message: Message, addressed: bool, question: str | None
) -> None:
    me = cast(Bot, _Me())
    assert is_addressed(message, me) is addressed
    if question is not None:
        assert question_of(message, me) == question
