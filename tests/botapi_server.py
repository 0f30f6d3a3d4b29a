"""A small Telegram Bot API server on 127.0.0.1 for end-to-end tests of the bot.

It behaves like Telegram where it matters to the bot: `getMe`, long-polling `getUpdates` with
offset/timeout, `sendMessage`/`editMessageText` that parse HTML like Telegram (botapi_text.py:
rejecting unknown or unbalanced tags and texts over 4,096 characters with Telegram's error texts),
`deleteMessage`, `sendMessageDraft` (the preview a message replaces), `answerCallbackQuery`,
`sendChatAction`, command menus per scope and language (`setMyCommands`/`getMyCommands`/
`deleteMyCommands`), `setMessageReaction`, 429 with `retry_after` on demand, and 401 for a wrong
token. Files users send are stored: `getFile` gives their `file_path` (refusing unknown ids and
files over the 20 MB a bot may download, with Telegram's texts), and they are served for download
at `/file/bot<token>/<file_path>` like Telegram's file URL; downloads are recorded in
`downloads`. `getUpdates` honours `allowed_updates` as Telegram does: once given it is kept, and
`message_reaction` updates only reach a bot that asked for them. Every call is recorded, so tests
assert on what a user would see. Other methods are logged and answered with `true`. Tests inject
updates with `send_text`, `send_sticker`, `send_document`, `react` and `press_button`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote

from botapi_text import BadRequest, check_text, command_entities

logger = logging.getLogger(__name__)
T = TypeVar("T")

CALLBACK_ANSWER_LIMIT = 200
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the largest file a bot may get with getFile
# Update kinds Telegram sends only to a bot that lists them in allowed_updates.
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class StoredFile:
    """A file a user sent: what getFile tells about it and the bytes a download returns."""
    file_id: str
    file_unique_id: str
    file_path: str
    file_size: int  # as declared to the bot; may exceed len(data)
    data: bytes


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


class BotApiServer:
    """The server and its state; a context manager serving on a free port of 127.0.0.1."""

    def __init__(self, token: str = "4242:TEST-token_abcdefghijklmnopqrstuvwxyz", username: str = "citebot_test_bot"):
        self.token = token
        self.bot_user = {"id": 4242, "is_bot": True, "first_name": "Citebot", "username": username,
                         "can_join_groups": True, "can_read_all_group_messages": False,
                         "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat id, message id) -> message
        self.command_menus: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope type, language) -> menu
        self.files: dict[str, StoredFile] = {}  # file id -> file
        self.downloads: list[str] = []  # file paths downloaded, in order
        self.reactions: dict[tuple[int, int], dict[int, list[dict[str, Any]]]] = {}  # message -> user id -> reaction
        self.allowed_updates: list[str] | None = None  # None: Telegram's default (all but the opt-in kinds)
        self.unsimulated: list[str] = []  # methods called that this server does not simulate
        self.supports_drafts = True  # False: sendMessageDraft is unknown, as on an older Bot API server
        self.previews: dict[int, dict[str, Any]] = {}  # chat id -> the streaming preview shown now
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[int]] = {}
        self._ids = itertools.count(1)
        self._file_numbers = itertools.count()
        self._cond = threading.Condition()
        self._closing = False
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/bot"

    def __enter__(self) -> BotApiServer:
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="botapi", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The default command menu (no scope, no language)."""
        return self.commands_for()

    @commands.setter
    def commands(self, commands: list[dict[str, Any]]) -> None:
        self.command_menus[("default", "")] = commands

    # --- what the tests control ------------------------------------------------------------
    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 Too Many Requests."""
        with self._cond:
            self._failures[method] = [retry_after] * times

    def send_text(self, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
                  reply_to: dict[str, Any] | None = None, thread_id: int | None = None) -> dict[str, Any]:
        """A user sends a text message (to the bot's private chat unless `chat` is given)."""
        message = self._message(user, chat, reply_to, thread_id, text=text)
        if entities := command_entities(text):
            message["entities"] = entities
        self._push({"message": message})
        return message

    def send_sticker(self, user: dict[str, Any], chat: dict[str, Any] | None = None) -> dict[str, Any]:
        sticker = {"file_id": "sticker", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "emoji": "👍"}
        message = self._message(user, chat, None, None, sticker=sticker)
        self._push({"message": message})
        return message

    def send_document(self, user: dict[str, Any], file_name: str | None, data: bytes,
                      chat: dict[str, Any] | None = None, caption: str | None = None, mime_type: str | None = None,
                      reply_to: dict[str, Any] | None = None, file_size: int | None = None) -> dict[str, Any]:
        """A user sends a file. Its bytes are stored for getFile and download; `file_size` declares
        a size other than len(data) (e.g. a 25 MB file without sending 25 MB)."""
        number = next(self._file_numbers)
        unique_id = hashlib.sha256(data).hexdigest()[:16]  # like Telegram's: the same content, the same id
        suffix = "".join(c for c in Path(file_name).suffix if c.isalnum() or c == ".") if file_name else ""
        stored = StoredFile(file_id=f"BQACAgIAAxkBAAI{number:04d}{unique_id}", file_unique_id=unique_id,
                            file_path=f"documents/file_{number}{suffix.lower()}",
                            file_size=len(data) if file_size is None else file_size, data=data)
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": unique_id}
        if file_name is not None:
            document["file_name"] = file_name
        if mime_type := mime_type or (mimetypes.guess_type(file_name)[0] if file_name else None):
            document["mime_type"] = mime_type
        document["file_size"] = stored.file_size
        content: dict[str, Any] = {"document": document}
        if caption is not None:
            content["caption"] = caption
            if entities := command_entities(caption):
                content["caption_entities"] = entities
        with self._cond:
            self.files[stored.file_id] = stored
        message = self._message(user, chat, reply_to, None, **content)
        self._push({"message": message})
        return message

    def react(self, user: dict[str, Any], message: dict[str, Any], emoji: str | None,
              chat: dict[str, Any] | None = None) -> None:
        """A user sets a reaction on `message` (typically one the bot sent), or removes theirs with None.

        Like Telegram, the update reaches the bot only if it listed "message_reaction" in
        allowed_updates (and, in groups, only if it is an administrator, which this does not check)."""
        chat = chat or message["chat"]
        new = [{"type": "emoji", "emoji": emoji}] if emoji is not None else []
        with self._cond:
            by_user = self.reactions.setdefault((chat["id"], message["message_id"]), {})
            old = by_user.pop(user["id"], [])
            if new:
                by_user[user["id"]] = new
        self._push({"message_reaction": {"chat": chat, "message_id": message["message_id"], "user": user,
                                         "date": int(time.time()), "old_reaction": old, "new_reaction": new}})

    def press_button(self, user: dict[str, Any], message: dict[str, Any], data: str) -> str:
        """A user presses an inline button under `message`; returns the callback query id."""
        query_id = str(next(self._ids))
        self._push({"callback_query": {"id": query_id, "from": user, "message": message,
                                       "chat_instance": "1", "data": data}})
        return query_id

    def delete(self, message: dict[str, Any]) -> None:
        """A user deletes `message` (e.g. the bot's draft) in their chat."""
        with self._cond:
            self.messages.pop((message["chat"]["id"], message["message_id"]), None)

    # --- what the tests observe ------------------------------------------------------------
    def commands_for(self, language_code: str = "", scope: str = "default") -> list[dict[str, Any]]:
        """The command menu the bot set for a scope type and language ("" for all languages)."""
        with self._cond:
            return self.command_menus.get((scope, language_code), [])

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, in order."""
        with self._cond:
            return [m for (chat, _), m in self.messages.items()
                    if chat == chat_id and m["from"]["id"] == self.bot_user["id"]]

    async def wait_for(self, probe: Callable[[], T], timeout: float = 15.0) -> T:
        """Poll until `probe()` is truthy, and return it."""
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls: {[(c.method, c.error) for c in self.calls][-15:]}")
            await asyncio.sleep(0.02)
        return result

    async def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        return await self.wait_for(lambda: sent if len(sent := self.sent(chat_id)) >= count else None, timeout)

    # --- the Bot API -------------------------------------------------------------------------
    def _push(self, update: dict[str, Any]) -> None:
        with self._cond:
            self._updates.append({"update_id": next(self._ids), **update})
            self._cond.notify_all()

    def _message(self, user: dict[str, Any], chat: dict[str, Any] | None, reply_to: dict[str, Any] | None,
                 thread_id: int | None, **content: Any) -> dict[str, Any]:
        chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        message = {"message_id": next(self._ids), "date": int(time.time()), "chat": chat, "from": user, **content}
        if reply_to:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        with self._cond:
            self.messages[(chat["id"], message["message_id"])] = message
        return message

    def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Handle one Bot API call: (HTTP status, response body)."""
        record = Call(method, params)
        with self._cond:
            self.calls.append(record)
            failures = self._failures.get(method)
            if failures:
                retry_after = failures.pop()
                record.error = f"429 retry after {retry_after}"
                description = f"Too Many Requests: retry after {retry_after}"
                return 429, {"ok": False, "error_code": 429, "description": description,
                             "parameters": {"retry_after": retry_after}}
        try:
            with self._cond:  # getUpdates releases it while it waits
                record.result = getattr(self, f"_api_{method}", self._api_other)(method, params)
        except BadRequest as error:
            record.error = error.description
            return error.code, {"ok": False, "error_code": error.code, "description": error.description}
        return 200, {"ok": True, "result": record.result}

    def _api_getMe(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_getUpdates(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, timeout = int(params.get("offset", 0)), float(params.get("timeout", 0))
        deadline = time.monotonic() + timeout
        with self._cond:
            if "allowed_updates" in params:  # kept for later calls; [] means the default, as on Telegram
                allowed = params["allowed_updates"]
                allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
                self.allowed_updates = list(allowed) or None
            while True:  # confirm older updates; drop those the bot did not ask for, as Telegram does
                self._updates = [u for u in self._updates if u["update_id"] >= offset and self._wanted(u)]
                if self._updates or self._closing or (left := deadline - time.monotonic()) <= 0:
                    break
                self._cond.wait(left)
            return [{k: v for k, v in u.items()} for u in self._updates[: int(params.get("limit", 100))]]

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        return kind not in _OPT_IN_UPDATES if self.allowed_updates is None else kind in self.allowed_updates

    def _api_sendMessage(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        plain, entities = check_text(params.get("text", ""), params.get("parse_mode"))
        _check_keyboard(params.get("reply_markup"))
        chat_id = int(params["chat_id"])
        self.previews.pop(chat_id, None)  # a message from the bot replaces its streaming preview
        known = next((m["chat"] for (c, _), m in self.messages.items() if c == chat_id), None)
        chat = known or {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message = self._message(self.bot_user, chat, None, params.get("message_thread_id"), text=plain)
        if entities:
            message["entities"] = entities
        for key in ("reply_markup", "reply_parameters", "parse_mode"):
            if key in params:
                message[key] = params[key]
        message["html"] = params.get("text")
        return message

    def _api_sendMessageDraft(self, method: str, params: dict[str, Any]) -> bool:
        if not self.supports_drafts:
            raise BadRequest("Not Found: method not found", 404)
        chat_id, draft_id = int(params["chat_id"]), int(params["draft_id"])
        if chat_id < 0:
            raise BadRequest("Bad Request: drafts can be sent only to private chats")
        if draft_id == 0:
            raise BadRequest("Bad Request: draft_id must be non-zero")
        plain, _ = check_text(params.get("text", ""), params.get("parse_mode"))
        self.previews[chat_id] = {"draft_id": draft_id, "text": plain, "html": params.get("text")}
        return True

    def _api_editMessageText(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        plain, entities = check_text(params.get("text", ""), params.get("parse_mode"))
        message = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        markup = _check_keyboard(params.get("reply_markup"))
        if plain == message.get("text") and entities == message.get("entities", []) and markup == message.get("reply_markup"):
            raise BadRequest("Bad Request: message is not modified: specified new message content and reply "
                             "markup are exactly the same as a current content and reply markup of the message")
        message.update(text=plain, entities=entities, html=params.get("text"))
        if markup is None:  # an edit without a keyboard removes it, as on Telegram
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    def _api_deleteMessage(self, method: str, params: dict[str, Any]) -> bool:
        if self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None) is None:
            raise BadRequest("Bad Request: message to delete not found")
        return True

    def _api_answerCallbackQuery(self, method: str, params: dict[str, Any]) -> bool:
        if len(params.get("text") or "") > CALLBACK_ANSWER_LIMIT:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_setMyCommands(self, method: str, params: dict[str, Any]) -> bool:
        self.command_menus[_menu_key(params)] = params.get("commands", [])
        return True

    def _api_getMyCommands(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.command_menus.get(_menu_key(params), [])

    def _api_deleteMyCommands(self, method: str, params: dict[str, Any]) -> bool:
        self.command_menus.pop(_menu_key(params), None)
        return True

    def _api_setMessageReaction(self, method: str, params: dict[str, Any]) -> bool:
        return True  # the bot's own reaction: recorded in `calls`

    def _api_getFile(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise BadRequest("Bad Request: invalid file_id")
        if stored.file_size > DOWNLOAD_LIMIT:
            raise BadRequest("Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size, "file_path": stored.file_path}

    def download(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        """Serve GET /file/bot<token>/<file_path>: (HTTP status, body, content type)."""
        if token != self.token:
            return 401, json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode(), \
                "application/json"
        with self._cond:
            stored = next((f for f in self.files.values() if f.file_path == file_path), None)
            if stored is None:
                return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode(), \
                    "application/json"
            self.downloads.append(file_path)
        return 200, stored.data, "application/octet-stream"

    def _api_other(self, method: str, params: dict[str, Any]) -> bool:
        if method not in {"sendChatAction", "deleteWebhook", "setWebhook", "close", "logOut"}:
            logger.warning("Bot API method %s is not simulated; answering true", method)
            self.unsimulated.append(method)
        return True


def _check_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64 or not button.get("text"):
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
    return markup


def _menu_key(params: dict[str, Any]) -> tuple[str, str]:
    """Which command menu a *MyCommands call is about: (scope type, language code)."""
    scope = params.get("scope") or {}
    scope = json.loads(scope) if isinstance(scope, str) else scope
    return scope.get("type", "default"), params.get("language_code") or ""


def _decode(key: str, value: str) -> Any:
    """PTB posts form fields: strings as they are, everything else JSON-encoded."""
    if key in ("text", "caption", "query_id", "callback_query_id", "file_id", "language_code", "emoji"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _handler_class(server: BotApiServer) -> type[BaseHTTPRequestHandler]:
    pattern = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>\w+)")
    file_pattern = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # PTB percent-encodes the whole URL path (File._get_encoded_url), the token's ":" included.
            match = file_pattern.fullmatch(unquote(self.path.split("?")[0]))
            if match is None:
                self.do_POST()
                return
            self._reply(*server.download(match["token"], match["path"]))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            match = pattern.fullmatch(self.path.split("?")[0])
            if match is None:
                status, reply = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            elif match["token"] != server.token:
                status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            elif self.headers.get("Content-Type", "").startswith("application/json"):
                status, reply = server.call(match["method"], json.loads(body or "{}"))
            else:
                params = {k: _decode(k, v) for k, v in parse_qsl(body, keep_blank_values=True)}
                status, reply = server.call(match["method"], params)
            self._reply(status, json.dumps(reply).encode(), "application/json")

        def _reply(self, status: int, payload: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the bot stopped polling meanwhile
                pass

        def log_message(self, format: str, *args: Any) -> None:  # the URL holds the token: never log it
            pass

    return Handler
