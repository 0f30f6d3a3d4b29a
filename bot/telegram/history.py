"""Per-conversation history for follow-up questions, persisted across restarts.

A conversation is a private chat, or one user in a group (so one member's questions never
shape the answers another member gets). Conversations live in PTB's `bot_data`, which
`PicklePersistence` writes to `<data_dir>/telegram.pickle` periodically and on shutdown; they
hold plain builtins only, so the file does not depend on citebot's class layout. A conversation
idle for longer than the configured time is forgotten, and its data deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from telegram import Chat, User
from telegram.ext import PersistenceInput, PicklePersistence

from bot.models import Turn

_CONVERSATIONS = "conversations"
PERSISTENCE_FILE = "telegram.pickle"


def conversation_key(chat: Chat, user: User) -> str:
    """The conversation an update belongs to: the chat if private, else (chat, user)."""
    return str(chat.id) if chat.type == Chat.PRIVATE else f"{chat.id}:{user.id}"


def persistence(data_dir: Path) -> PicklePersistence:
    """PTB persistence for `bot_data` only (conversations and the refused-users list), written
    every minute and on shutdown."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return PicklePersistence(
        filepath=data_dir / PERSISTENCE_FILE,
        store_data=PersistenceInput(bot_data=True, chat_data=False, user_data=False, callback_data=False),
    )


class ConversationStore:
    """Reads and writes conversations kept in a `bot_data` mapping.

    The mapping is passed to every call (PTB replaces `bot_data` when it loads persistence)."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl_seconds
        self._clock = clock  # wall-clock time: it has to mean the same after a restart

    def history(self, bot_data: MutableMapping[str, Any], key: str) -> list[Turn]:
        """The conversation's turns, oldest first; empty if it expired."""
        self.prune(bot_data)
        stored = self._conversations(bot_data).get(key)
        if stored is None:
            return []
        # Turns saved before answers carried names are (question, search, answered) triples, and
        # those saved before they carried their sentences, or their language, have no fifth or sixth item.
        return [Turn(question=q, search_query=s, answered=a, names=tuple(rest[0]) if rest else (),
                     cited=tuple(rest[1]) if len(rest) > 1 else (), language=rest[2] if len(rest) > 2 else "")
                for q, s, a, *rest in stored["turns"]]

    def save(self, bot_data: MutableMapping[str, Any], key: str, turns: Sequence[Turn]) -> None:
        """Replace the conversation's turns and mark it active now."""
        self._conversations(bot_data)[key] = {
            "turns": [(turn.question, turn.search_query, turn.answered, turn.names, turn.cited, turn.language)
                      for turn in turns],
            "active": self._clock(),
        }

    def forget(self, bot_data: MutableMapping[str, Any], key: str) -> None:
        """Delete the conversation."""
        self._conversations(bot_data).pop(key, None)

    def prune(self, bot_data: MutableMapping[str, Any]) -> int:
        """Delete every conversation idle for longer than the time to live; return how many."""
        conversations = self._conversations(bot_data)
        cutoff = self._clock() - self._ttl
        expired = [key for key, stored in conversations.items() if stored["active"] < cutoff]
        for key in expired:
            del conversations[key]
        return len(expired)

    @staticmethod
    def _conversations(bot_data: MutableMapping[str, Any]) -> dict[str, dict[str, Any]]:
        return bot_data.setdefault(_CONVERSATIONS, {})
