"""A small Telegram Bot API server on 127.0.0.1 for end-to-end tests of the bot.

It behaves like Telegram where it matters to the bot: `getMe`, long-polling `getUpdates` with
offset/timeout, `sendMessage`/`editMessageText` that parse HTML like Telegram (rejecting unknown
or unbalanced tags and texts over 4,096 characters with Telegram's error texts),
`deleteMessage`, `sendMessageDraft` (the preview a message replaces), `answerCallbackQuery`,
`sendChatAction`, command menus, 429 with `retry_after` on demand, and
401 for a wrong token. Every call is recorded, so tests assert on what a user would see. Other
methods are logged and answered with `true`. Tests inject updates with `send_text`,
`send_sticker` and `press_button`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

logger = logging.getLogger(__name__)
T = TypeVar("T")

MESSAGE_LIMIT = 4096
CALLBACK_ANSWER_LIMIT = 200
_ENTITY_TYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
                 "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
                 "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
                 "tg-emoji": "custom_emoji"}
_CHAR_REF = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_SOURCES = re.compile(r"(?P<bot_command>^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|(?P<mention>@[A-Za-z0-9_]{5,32})")


class BadRequest(Exception):
    """A Bot API error: `description` is Telegram's text."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description, self.code = description, code


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise BadRequest like Telegram."""
    def fail(reason: str) -> BadRequest:
        return BadRequest(f"Bad Request: can't parse entities: {reason}")

    plain: list[str] = []
    stack: list[tuple[str, int, str]] = []  # open tags: name, offset, entity type
    entities = []
    length = i = 0
    while i < len(text):
        offset = len(text[:i].encode())
        if text[i] == "<":
            end = text.find(">", i)
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {offset}")
            inner = text[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise fail(f'Unexpected end tag at byte offset {offset}')
                tag, start, kind = stack.pop()
                if name != tag:
                    raise fail(f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", found "</{name}>"')
                entities.append({"type": kind, "offset": start, "length": length - start})
            else:
                name, _, attributes = inner.partition(" ")
                name, attributes = name.lower(), attributes.strip()
                if name not in _ENTITY_TYPES:
                    raise fail(f'Unsupported start tag "{name}" at byte offset {offset}')
                if attributes and not (name == "blockquote" and attributes == "expandable"
                                       or name in ("a", "span", "tg-emoji", "code")):
                    raise fail(f'Unsupported attribute in tag "{name}" at byte offset {offset}')
                if name == "blockquote" and any(tag == "blockquote" for tag, _, _ in stack):
                    raise fail(f"Can't nest blockquote entities at byte offset {offset}")
                kind = "expandable_blockquote" if attributes == "expandable" else _ENTITY_TYPES[name]
                stack.append((name, length, kind))
            i = end + 1
            continue
        match = _CHAR_REF.match(text, i) if text[i] == "&" else None
        if match:
            ref = match.group(1)
            char = _NAMED.get(ref) or chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
            i = match.end()
        else:
            char, i = text[i], i + 1
        plain.append(char)
        length += utf16_len(char)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(plain), entities


def check_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """What Telegram does with a message text: parse it, refuse it empty or too long."""
    plain, entities = parse_html(text) if parse_mode == "HTML" else (text, [])
    if not plain.strip():
        raise BadRequest("Bad Request: message text is empty")
    if utf16_len(plain.strip()) > MESSAGE_LIMIT:
        raise BadRequest("Bad Request: message is too long")
    return plain, entities


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
        self.commands: list[dict[str, Any]] = []
        self.unsimulated: list[str] = []  # methods called that this server does not simulate
        self.supports_drafts = True  # False: sendMessageDraft is unknown, as on an older Bot API server
        self.previews: dict[int, dict[str, Any]] = {}  # chat id -> the streaming preview shown now
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[int]] = {}
        self._ids = itertools.count(1)
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

    # --- what the tests control ------------------------------------------------------------
    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 Too Many Requests."""
        with self._cond:
            self._failures[method] = [retry_after] * times

    def send_text(self, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
                  reply_to: dict[str, Any] | None = None, thread_id: int | None = None) -> dict[str, Any]:
        """A user sends a text message (to the bot's private chat unless `chat` is given)."""
        message = self._message(user, chat, reply_to, thread_id, text=text)
        entities = [{"type": m.lastgroup, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
                    for m in _ENTITY_SOURCES.finditer(text)]
        if entities:
            message["entities"] = entities
        self._push({"message": message})
        return message

    def send_sticker(self, user: dict[str, Any], chat: dict[str, Any] | None = None) -> dict[str, Any]:
        sticker = {"file_id": "sticker", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "emoji": "👍"}
        message = self._message(user, chat, None, None, sticker=sticker)
        self._push({"message": message})
        return message

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
            self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirm older ones
            while not self._updates and not self._closing and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            return [{k: v for k, v in u.items()} for u in self._updates[: int(params.get("limit", 100))]]

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
        self.commands = params.get("commands", [])
        return True

    def _api_getMyCommands(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

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


def _decode(key: str, value: str) -> Any:
    """PTB posts form fields: strings as they are, everything else JSON-encoded."""
    if key in ("text", "caption", "query_id", "callback_query_id"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _handler_class(server: BotApiServer) -> type[BaseHTTPRequestHandler]:
    pattern = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>\w+)")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.do_POST()

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
            payload = json.dumps(reply).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the bot stopped polling meanwhile
                pass

        def log_message(self, format: str, *args: Any) -> None:  # the URL holds the token: never log it
            pass

    return Handler
