"""Telegram's text rules for the fake Bot API server of tests/botapi_server.py.

How Telegram reads a message text: HTML parse mode (the tags it knows, balanced, with character
references; anything else refused with Telegram's error texts), the 4,096-unit limit, lengths
and offsets in UTF-16 code units, and the bot commands and @mentions it marks in what a user
types. `BadRequest` carries a Bot API error and Telegram's text for it.
"""

from __future__ import annotations

import re
from typing import Any

MESSAGE_LIMIT = 4096
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


def command_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram finds in what a user types: bot commands and @mentions."""
    return [{"type": m.lastgroup, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
            for m in _ENTITY_SOURCES.finditer(text)]
