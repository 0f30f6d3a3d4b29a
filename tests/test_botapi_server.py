"""The fake Bot API server of tests/botapi_server.py, driven by PTB's real HTTP client: files users
send (getFile, download, Telegram's 20 MB limit), message reactions, and command menus per language."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import pytest
from botapi_server import DOWNLOAD_LIMIT, BotApiServer
from telegram import Bot, BotCommand, ReactionTypeEmoji, Update
from telegram.error import BadRequest, InvalidToken
from telegram_harness import ALICE

ALICE_FR = {**ALICE, "language_code": "fr"}  # Alice, her Telegram set to French
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer() as server:
        yield server


def make_bot(server: BotApiServer, token: str | None = None) -> Bot:
    base_file_url = server.base_url.removesuffix("/bot") + "/file/bot"
    return Bot(token or server.token, base_url=server.base_url, base_file_url=base_file_url)


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as bot:
        yield bot


async def test_a_document_arrives_with_its_name_type_size_and_caption(server: BotApiServer, bot: Bot) -> None:
    server.send_document(ALICE_FR, "rapport été.pdf", PDF, caption="/ask what is this? @citebot_test_bot")
    server.send_document(ALICE_FR, None, b"no name")

    first, second = await bot.get_updates(timeout=1)
    document = first.message.document
    assert (document.file_name, document.mime_type, document.file_size) == ("rapport été.pdf", "application/pdf",
                                                                             len(PDF))
    assert first.message.caption == "/ask what is this? @citebot_test_bot"
    assert list(first.message.parse_caption_entities().values()) == ["/ask", "@citebot_test_bot"]
    assert second.message.document.file_name is None and second.message.document.mime_type is None
    assert second.message.caption is None and second.message.document.file_size == 7
    assert first.message.document.file_unique_id != second.message.document.file_unique_id


async def test_get_file_then_download_returns_the_exact_bytes(server: BotApiServer, bot: Bot) -> None:
    message = server.send_document(ALICE_FR, "rapport été.pdf", PDF)

    file = await bot.get_file(message["document"]["file_id"])
    assert server.downloads == []
    assert file.file_size == len(PDF) and file.file_path.endswith("/documents/file_0.pdf")
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == PDF
    assert bytes(await file.download_as_bytearray()) == PDF
    assert server.downloads[-1] == "documents/file_0.pdf"


async def test_get_file_refuses_unknown_ids_and_files_over_20_mb(server: BotApiServer, bot: Bot) -> None:
    big = server.send_document(ALICE_FR, "huge.pdf", b"%PDF-1.4 truncated", file_size=25 * 1024 * 1024)
    just_fits = server.send_document(ALICE_FR, "fits.pdf", b"%PDF-1.4", file_size=DOWNLOAD_LIMIT)

    with pytest.raises(BadRequest, match="too big"):
        await bot.get_file(big["document"]["file_id"])
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("BQACAgIAAxkBAAInvalid")
    assert (await bot.get_file(just_fits["document"]["file_id"])).file_size == DOWNLOAD_LIMIT
    assert server.downloads == []


async def test_downloads_need_the_right_token_and_a_known_path(server: BotApiServer, bot: Bot) -> None:
    message = server.send_document(ALICE_FR, "a.txt", b"hello")
    file = await bot.get_file(message["document"]["file_id"])

    with pytest.raises(InvalidToken, match=r"Unauthorized"):
        await bot.request.retrieve(file.file_path.replace(server.token, "4242:WRONG-token"))
    with pytest.raises(InvalidToken, match=r"Not Found"):  # PTB raises InvalidToken for 404 as for 401
        await bot.request.retrieve(file.file_path.replace("file_0", "file_99"))
    assert server.downloads == []
    assert await bot.request.retrieve(file.file_path) == b"hello"
    assert server.downloads == ["documents/file_0.txt"]


async def test_reactions_arrive_only_when_asked_for_with_old_and_new_reaction(server: BotApiServer, bot: Bot) -> None:
    answer = server._api_sendMessage("sendMessage", {"chat_id": ALICE_FR["id"], "text": "An answer"})
    server.react(ALICE_FR, answer, "❤")
    server.react(ALICE_FR, answer, None)
    assert await bot.get_updates(timeout=0) == ()  # not in Telegram's default allowed_updates

    allowed = [Update.MESSAGE, Update.MESSAGE_REACTION]
    server.react(ALICE_FR, answer, "👍")
    server.react(ALICE_FR, answer, "🔥")
    server.react(ALICE_FR, answer, None)
    updates = await bot.get_updates(timeout=1, allowed_updates=allowed)
    reactions = [u.message_reaction for u in updates]
    assert [u.effective_user.id for u in updates] == [ALICE_FR["id"]] * 3
    assert reactions[0].message_id == answer["message_id"] and reactions[0].chat.id == ALICE_FR["id"]
    assert reactions[0].new_reaction[0].emoji == "👍"
    assert reactions[0].old_reaction == ()
    assert [r.emoji for r in reactions[1].old_reaction] == ["👍"]
    assert [r.emoji for r in reactions[1].new_reaction] == ["🔥"]
    assert [r.emoji for r in reactions[2].old_reaction] == ["🔥"] and reactions[2].new_reaction == ()

    await bot.set_message_reaction(ALICE_FR["id"], answer["message_id"], ReactionTypeEmoji("👀"))
    assert server.calls_of("setMessageReaction")[0].params["reaction"] == [{"type": "emoji", "emoji": "👀"}]
    assert server.unsimulated == []


async def test_command_menus_are_kept_per_language_and_scope(server: BotApiServer, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("ask", "Ask a question")])
    await bot.set_my_commands([BotCommand("ask", "Poser une question")], language_code="fr")

    assert server.commands == [{"command": "ask", "description": "Ask a question"}]
    assert server.commands_for("fr") == [{"command": "ask", "description": "Poser une question"}]
    assert server.commands_for("de") == [] and server.commands_for(scope="all_private_chats") == []
    assert [c.description for c in await bot.get_my_commands()] == ["Ask a question"]
    assert [c.description for c in await bot.get_my_commands(language_code="fr")] == ["Poser une question"]

    await bot.delete_my_commands(language_code="fr")
    assert await bot.get_my_commands(language_code="fr") == ()
    assert server.commands_for() == [{"command": "ask", "description": "Ask a question"}]
    assert server.unsimulated == []
