"""Telegram for teams, end to end: documents sent to the bot, /docs, /status, /cancel, the
user's language, and 👍/👎 feedback exported as gold lines.

As in test_telegram_bot.py: the real Application and PTB HTTP stack against the Bot API server
of tests/botapi_server.py on 127.0.0.1 (which serves getFile and file downloads), over a real
answer core with a real index of a copy of documents/.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from botapi_server import BotApiServer
from document_files import encrypt_pdf, make_pdf
from helpers import EN, bundled_copy, is_refusal
from openai_server import GOOD as SCRIPTED_ANSWER
from openai_server import Reply, ScriptedLLM, corpus, llm, make_core, shared  # noqa: F401 - fixtures
from telegram_harness import (  # noqa: F401 - api is a fixture
    ALICE, BOB, BOSS, GROUP, MALLORY, api, exchange, running, settings,
)
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.core import AnswerCore
from bot.feedback import FEEDBACK_FILE, FeedbackStore
from bot.models import Answer
from bot.telegram.texts import texts

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2.*retry_after")

FR = texts("fr")
AMELIE = {"id": 1004, "is_bot": False, "first_name": "Amélie", "language_code": "fr"}
OLGA = {"id": 1005, "is_bot": False, "first_name": "Olga", "language_code": "ru-RU"}

HARBOUR = """Harbour Renovation Plan 2031
The city council approved the renovation of the old harbour on 14 May 2031.
The works will cost 42 million euros, paid by the regional development fund.
Construction starts in September 2031 and should be finished by the end of 2033.
The harbour master, Ingrid Solberg, said the new quays will let cruise ships dock in the town centre.
During the works, the ferry to the islands will leave from the north pier instead."""
MASTER = "Who is the harbour master?"


@pytest.fixture(scope="module")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the module's indexes: the bundled documents are embedded once."""
    return tmp_path_factory.mktemp("cache") / "embeddings.sqlite"


def team_settings(api: BotApiServer, tmp_path: Path, cache: Path, **overrides: Any) -> Settings:
    """The bot's settings over its own copy of the bundled documents (BOSS is the admin)."""
    docs = tmp_path / "documents"
    if not docs.exists():
        bundled_copy(docs)
    return settings(api, tmp_path / "data", docs_dir=docs, admins=[str(BOSS["id"])], embedding_cache=cache,
                    **overrides)


def team_core(config: Settings, core: AnswerCore) -> AnswerCore:
    """A real core on `config`'s own index, sharing the session core's embedding model."""
    return AnswerCore.from_settings(config, embeddings=core.embeddings)


async def send_file(api: BotApiServer, user: dict[str, Any], name: str | None, data: bytes, count: int,
                    **kwargs: Any) -> list[str]:
    """Send a document and return the texts of the next `count` messages the bot sends back."""
    chat_id = (kwargs.get("chat") or user)["id"]
    before = len(api.sent(chat_id))
    api.send_document(user, name, data, **kwargs)
    return [m["text"] for m in (await api.wait_for_messages(chat_id, before + count, timeout=60))[before:]]


def uploaded(config: Settings) -> list[str]:
    folder = config.uploads_path
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def test_an_admins_pdf_becomes_answerable_without_a_restart_and_remove_takes_it_back(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache)
    bot_core = team_core(config, core)
    pdf = make_pdf([HARBOUR], title="Harbour Renovation Plan 2031")
    async with running(config, bot_core):
        [refused] = await exchange(api, ALICE, MASTER)
        assert "Solberg" not in refused["text"]

        reading, added = await send_file(api, BOSS, "harbour.pdf", pdf, count=2)
        assert reading == EN("UPLOAD_READING", name="harbour.pdf")
        assert added == EN("UPLOAD_ADDED", title="Harbour Renovation Plan 2031", passages="1 passage")

        [answer] = await exchange(api, ALICE, MASTER)
        assert "Ingrid Solberg" in answer["text"] and "[1]" in answer["text"]
        assert "[1] Harbour Renovation Plan 2031" in answer["text"]
        [listing] = await exchange(api, ALICE, "/docs")
        assert "Harbour Renovation Plan 2031 — uploads/harbour.pdf, 1 passage" in listing["text"]

        _, again = await send_file(api, BOSS, "copy of harbour.pdf", pdf, count=2)
        assert again == EN("UPLOAD_DUPLICATE", title="Harbour Renovation Plan 2031", source="uploads/harbour.pdf")
        assert uploaded(config) == ["harbour.pdf"]

        [not_admin] = await exchange(api, ALICE, "/remove harbour.pdf")
        assert not_admin["text"] == EN("REMOVE_NOT_ADMIN")
        [bundled] = await exchange(api, BOSS, "/remove russia-france-2plus2-meeting-moscow-2019-09-09.txt")
        assert "comes from the documents folder" in bundled["text"]
        [removed] = await exchange(api, BOSS, "/remove harbour.pdf")
        assert removed["text"] == EN("REMOVED", title="Harbour Renovation Plan 2031")
        [gone] = await exchange(api, ALICE, MASTER)
        assert "Solberg" not in gone["text"]
        [unknown] = await exchange(api, BOSS, "/remove harbour.pdf")
        assert unknown["text"] == EN("REMOVE_NOT_FOUND", name="harbour.pdf")
    assert uploaded(config) == [] and len(bot_core.documents()) == 2


async def test_uploads_from_others_change_nothing_and_groups_need_the_bot_addressed(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache, uploaders=["@alice"], allowed_users=["alice", "1002"])
    bot_core = team_core(config, core)
    async with running(config, bot_core):
        refused = await send_file(api, MALLORY, "harbour.txt", HARBOUR.encode(), count=1)
        assert refused == [EN("REFUSAL", user_id=MALLORY["id"])]  # not allowed to use the bot at all
        group = {**GROUP, "id": -100501}
        assert await send_file(api, BOB, "harbour.txt", HARBOUR.encode(), count=1) == [EN("UPLOAD_NOT_ALLOWED")]
        api.send_document(ALICE, "harbour.txt", HARBOUR.encode(), chat=group)  # not addressed: ignored
        reading, added = await send_file(api, ALICE, "harbour.txt", HARBOUR.encode(), count=2, chat=group,
                                         caption="@citebot_test_bot for the team")
        assert added.startswith("Added Harbour Renovation Plan 2031")  # an uploader, addressing the bot
    assert len(api.downloads) == 1 and uploaded(config) == ["harbour.txt"]


async def test_bad_files_get_one_clear_reply_and_change_nothing(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache, allowed_users=["alice"])
    bot_core = team_core(config, core)
    async with running(config, bot_core):
        assert await send_file(api, ALICE, "harbour.txt", HARBOUR.encode(), count=1) == [EN("UPLOAD_NOT_ALLOWED")]

        big = await send_file(api, BOSS, "scan.pdf", b"%PDF-1.4 tiny", count=1, file_size=25 * 1024 * 1024)
        assert big == [EN("UPLOAD_TOO_BIG", name="scan.pdf", size="25.0 MB", limit="20.0 MB")]
        assert await send_file(api, BOSS, "setup.exe", b"MZ\x90\x00", count=1) == [
            EN("UPLOAD_UNSUPPORTED", name="setup.exe")]
        assert api.downloads == []  # refused before downloading

        _, corrupt = await send_file(api, BOSS, "report.pdf", b"%PDF-1.4\n1 0 obj <</Type /Catalog", count=2)
        assert corrupt.startswith("I could not add report.pdf: it cannot be read (corrupt PDF")
        assert corrupt.endswith("Nothing changed.")
        locked = encrypt_pdf(make_pdf([HARBOUR]), "secret")
        _, encrypted = await send_file(api, BOSS, "locked.pdf", locked, count=2)
        assert encrypted == EN("UPLOAD_REJECTED", name="locked.pdf", reason=EN(
            "REASON_UNREADABLE", detail="encrypted PDF (password-protected); save an unprotected copy"))
        _, empty = await send_file(api, BOSS, "notes.txt", b"", count=2)
        assert empty == EN("UPLOAD_REJECTED", name="notes.txt", reason=EN("REASON_UNREADABLE", detail="empty file"))
        _, broken_docx = await send_file(api, BOSS, "minutes.docx", b"PK\x03\x04 not really a zip", count=2)
        assert broken_docx.startswith("I could not add minutes.docx: it cannot be read (corrupt DOCX")
        assert uploaded(config) == [] and len(bot_core.documents()) == 2

        # The sender's file name never chooses where the file goes.
        _, added = await send_file(api, BOSS, "../../../etc/cron.d/x\x07.txt", HARBOUR.encode(), count=2)
        assert added.startswith("Added Harbour Renovation Plan 2031")
    assert uploaded(config) == ["x.txt"] and not (tmp_path / "etc").exists()


async def test_questions_are_answered_while_a_document_is_being_indexed(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache)
    bot_core = team_core(config, core)
    started, release = threading.Event(), threading.Event()
    add_document = bot_core.add_document

    def slow_add(name: str | None, data: bytes) -> Any:
        started.set()
        release.wait(20)  # as a long document would take
        return add_document(name, data)

    bot_core.add_document = slow_add  # type: ignore[method-assign]
    async with running(config, bot_core):
        await send_file(api, BOSS, "harbour.txt", HARBOUR.encode(), count=1)
        await asyncio.to_thread(started.wait, 10)
        [answer] = await exchange(api, ALICE, "What did Parly give Shoigu?")
        assert "photograph" in answer["text"]  # answered while the upload waits
        release.set()
        added = await api.wait_for(lambda: next((m for m in api.sent(BOSS["id"]) if m["text"].startswith("Added")), None))
        assert "Harbour Renovation Plan 2031" in added["text"]


async def test_status_shows_what_the_bot_knows_and_admins_see_where(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache)
    bot_core = team_core(config, core)
    async with running(config, bot_core):
        [user] = await exchange(api, ALICE, "/status")
        assert "Documents: 2 documents, 14 passages (0 sent to the bot)" in user["text"]
        assert EN("STATUS_EXTRACTIVE") in user["text"] and "Index:" not in user["text"]
        [admin] = await exchange(api, BOSS, "/status")
        assert f"Index: {config.index_name} in {config.chroma_path}" in admin["text"]
        assert str(config.uploads_path.resolve()) in admin["text"] and "Running for 0 h 0 min" in admin["text"]


async def test_cancel_stops_the_answer_being_written(
    api: BotApiServer, shared, llm: ScriptedLLM, tmp_path: Path  # noqa: F811 - fixtures
) -> None:
    llm.script(Reply(SCRIPTED_ANSWER * 3, pace=0.1))  # about 12 s of writing
    config = settings(api, tmp_path, draft_interval=0.5)
    async with running(config, make_core(shared, llm.url, llm_timeout=30.0)):
        [nothing] = await exchange(api, ALICE, "/cancel")
        assert nothing["text"] == EN("NOTHING_TO_CANCEL")
        api.send_text(ALICE, "What did Parly give Shoigu?")
        await api.wait_for(lambda: api.previews.get(ALICE["id"]))  # it is being written
        [cancelled] = await exchange(api, ALICE, "/cancel")
        assert cancelled["text"].startswith("Parly donated") and cancelled["text"].endswith(EN("CANCELLED"))
        assert "reply_markup" not in cancelled and "Sources" not in cancelled["text"]
        await asyncio.sleep(1.0)
        assert len(api.sent(ALICE["id"])) == 2  # nothing more came
    assert len(llm.requests) <= 2  # the model was not asked again (at most a condense call first)


async def test_replies_speak_the_users_language_and_refusals_the_questions(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache, uploaders=[str(AMELIE["id"])])
    async with running(config, team_core(config, core)):
        assert {c["command"] for c in api.commands_for("fr")} == {c["command"] for c in api.commands}
        _, empty = await send_file(api, AMELIE, "notes.txt", b"", count=2)  # why, in her language too
        assert empty == FR("UPLOAD_REJECTED", name="notes.txt", reason=FR("REASON_UNREADABLE", detail="empty file"))
        assert dict((c["command"], c["description"]) for c in api.commands_for("ru"))["docs"] == (
            "Документы, по которым я отвечаю")
        [welcome] = await exchange(api, AMELIE, "/start")
        assert welcome["text"].startswith("Bonjour ! Je réponds aux questions à partir de 2 documents")
        [listing] = await exchange(api, OLGA, "/docs")
        assert listing["text"].startswith("Мои документы (2 документа):") and "8 отрывков" in listing["text"]
        [borscht] = await exchange(api, AMELIE, "Quelle est la recette du bortsch ?")
        assert is_refusal(borscht["text"], "fr"), borscht["text"]
        [russian] = await exchange(api, ALICE, "Какой рецепт борща?")
        assert is_refusal(russian["text"], "ru"), russian["text"]
        [refusal] = await exchange(api, AMELIE, "/remove x.pdf")
        assert refusal["text"] == FR("REMOVE_NOT_ADMIN")
    forced = team_settings(api, tmp_path, embedding_cache, language="ru")
    async with running(forced, team_core(forced, core)):
        [help_text] = await exchange(api, AMELIE, "/help")
        assert help_text["text"].startswith("Как спрашивать")


async def _until_rated(config: Settings, count: int, timeout: float = 20.0) -> None:
    """Wait until the bot has stored ratings for `count` answers (reactions arrive as updates
    the bot polls for, so a loaded machine takes longer than an idle one)."""
    store = FeedbackStore(config.data_dir / FEEDBACK_FILE)
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while len(store.rated()) < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
    finally:
        store.close()


def test_a_reaction_that_overtakes_its_answers_record_is_kept(tmp_path: Path) -> None:
    # The bot records an answer once Telegram says it was sent; a 👍 can arrive before that.
    store = FeedbackStore(tmp_path / FEEDBACK_FILE)
    try:
        assert store.rate(chat_id=7, message_id=42, user_id=1, reactions=["👍"]) is None
        assert store.rate(chat_id=7, message_id=99, user_id=1, reactions=["👎"]) is None  # never an answer
        store.record(7, [42], 1, Answer("Q?", True, "A. [1]"), "en")
        [rated] = store.rated()
        assert rated["question"] == "Q?" and (rated["up"], rated["down"]) == (1, 0)
    finally:
        store.close()


async def test_reactions_are_stored_with_the_answer_and_exported_as_gold(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    config = team_settings(api, tmp_path, embedding_cache)
    async with running(config, team_core(config, core)):
        [good] = await exchange(api, ALICE, "What did Parly give Shoigu?")
        [refused] = await exchange(api, ALICE, "What is the recipe for borscht?")
        [other] = await exchange(api, BOSS, "Who is the harbour master?")
        api.react(ALICE, good, "👍")
        api.react(BOSS, good, "👍")
        api.react(ALICE, refused, "👍")
        api.react(BOSS, other, "🔥")  # not a rating
        api.react(BOSS, other, "👎")
        await _until_rated(config, 3)

    runner = CliRunner()
    target = tmp_path / "feedback.jsonl"
    result = runner.invoke(app, ["feedback", "--export", str(target)],
                           env={"CITEBOT_DATA_DIR": str(config.data_dir)})
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["question"] for r in rows] == ["What did Parly give Shoigu?", "What is the recipe for borscht?"]
    approved, unanswerable = rows
    assert approved["answerable"] is True and approved["feedback"]["up"] == 2 and approved["lang"] == "en"
    document = (config.docs_dir / approved["gold"][0]["source"]).read_text(encoding="utf-8")
    assert "photograph" in approved["gold"][0]["quote"] and approved["gold"][0]["quote"] in document
    assert unanswerable["answerable"] is False and unanswerable["gold"] == []

    result = runner.invoke(app, ["feedback", "--export", str(target), "--include-down"],
                           env={"CITEBOT_DATA_DIR": str(config.data_dir)})
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 and rows[2]["needs_review"] is True and rows[2]["feedback"]["down"] == 1


async def test_a_file_that_takes_too_long_to_read_is_refused(
    api: BotApiServer, core: AnswerCore, embedding_cache: Path, tmp_path: Path
) -> None:
    """Reading runs in a child process that is stopped after the time limit (here: a limit no
    real read can meet, standing in for a hostile PDF that parses for minutes)."""
    config = team_settings(api, tmp_path, embedding_cache)
    bot_core = team_core(config, core)
    bot_core.uploads.read_timeout = 0.01
    async with running(config, bot_core):
        _, refused = await send_file(api, BOSS, "harbour.pdf", make_pdf([HARBOUR]), count=2)
    assert refused == EN("UPLOAD_REJECTED", name="harbour.pdf", reason=EN(
        "REASON_UNREADABLE", detail="reading it took longer than 0.01 s (a hostile or broken file?)"))
    assert uploaded(config) == [] and len(bot_core.documents()) == 2
