"""Who may use the bot, who may add documents, and who may run admin commands.

Entries of `CITEBOT_ALLOWED_USERS`, `CITEBOT_ALLOWED_CHATS`, `CITEBOT_ADMINS` and
`CITEBOT_UPLOADERS` are numeric ids
(chat ids of groups are negative) or @usernames (case-insensitive, the @ is optional).

With both allowlists empty the bot is open to everyone. Otherwise an update is allowed when its
user is listed in `allowed_users` or `admins`, or its chat is listed in `allowed_chats`: a listed
user may ask anywhere, and everyone may ask in a listed group. A private chat's id is its user's
id, so listing a user in `allowed_chats` admits them in private only. Admins are never implied:
with `admins` empty nobody may run /reindex or /remove. Documents may be added by admins and
uploaders, who must also be allowed to use the bot.

Prefer ids: a username can be given up and taken by someone else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Chat, User

from bot.config import Settings

_ID = re.compile(r"-?\d+")
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")


@dataclass(frozen=True)
class Allowlist:
    """A set of Telegram ids and usernames."""

    ids: frozenset[int] = frozenset()
    usernames: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str], setting: str) -> Allowlist:
        """Parse ids and @usernames; raise ValueError naming `setting` for anything else."""
        ids, usernames = set(), set()
        for entry in entries:
            entry = entry.strip()
            if _ID.fullmatch(entry):
                ids.add(int(entry))
            elif match := _USERNAME.fullmatch(entry):
                usernames.add(match.group(1).lower())
            else:
                raise ValueError(f"{setting}: {entry!r} is neither a numeric id nor a @username")
        return cls(frozenset(ids), frozenset(usernames))

    def __bool__(self) -> bool:
        return bool(self.ids or self.usernames)

    def matches(self, who: User | Chat | None) -> bool:
        """Whether this user or chat is listed, by id or by username."""
        if who is None:
            return False
        return who.id in self.ids or (who.username or "").lower() in self.usernames


@dataclass(frozen=True)
class AccessPolicy:
    """The three allowlists of the settings, and the rules combining them (see module docs)."""

    users: Allowlist
    chats: Allowlist
    admins: Allowlist
    uploaders: Allowlist = Allowlist()

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        return cls(
            users=Allowlist.parse(settings.allowed_users, "CITEBOT_ALLOWED_USERS"),
            chats=Allowlist.parse(settings.allowed_chats, "CITEBOT_ALLOWED_CHATS"),
            admins=Allowlist.parse(settings.admins, "CITEBOT_ADMINS"),
            uploaders=Allowlist.parse(settings.uploaders, "CITEBOT_UPLOADERS"),
        )

    @property
    def is_open(self) -> bool:
        """True when anyone may use the bot (both allowlists empty)."""
        return not (self.users or self.chats)

    def allows(self, user: User | None, chat: Chat | None) -> bool:
        """Whether this user may use the bot in this chat."""
        return (
            self.is_open
            or self.users.matches(user)
            or self.admins.matches(user)
            or self.chats.matches(chat)
        )

    def is_admin(self, user: User | None) -> bool:
        """Whether this user may run admin commands (/reindex, /remove)."""
        return self.admins.matches(user)

    def may_upload(self, user: User | None, chat: Chat | None) -> bool:
        """Whether this user may add documents by sending them, in this chat."""
        return self.allows(user, chat) and (self.admins.matches(user) or self.uploaders.matches(user))
