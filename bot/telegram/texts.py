"""The bot's words in the user's language: replies, command menus and counted nouns.

Every text comes from prompts/ (`telegram_replies`, `telegram_commands`, `telegram_start`,
`telegram_help`), in English, French or Russian. A user's language is `CITEBOT_LANGUAGE` when
set, else their Telegram app's `language_code`, else English. Answers, refusals included, come
from the answer core in the language of the question.
"""

from __future__ import annotations

from functools import cache

from telegram import BotCommand, User

import prompts
from bot.config import Settings


class Texts:
    """The replies of one language (see prompts/telegram_replies.txt)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._replies = prompts.table("telegram_replies", language)

    def __call__(self, key: str, **values: object) -> str:
        """The reply `key` (plain text, not escaped), its {placeholders} filled in."""
        text = self._replies[key]
        return text.format(**values) if values else text

    def count(self, number: int, noun: str) -> str:
        """"1 document", "2 documents"; in French 0 and 1 take the singular; in Russian the
        three forms ("1 документ", "3 документа", "5 документов")."""
        forms = self._replies[f"PLURAL_{noun.upper()}"].split("|")
        return f"{number} {forms[_plural_form(self.language, number, len(forms))]}"

    def load(self, name: str) -> str:
        """A long text of prompts/ (telegram_start, telegram_help) in this language."""
        return prompts.load(name, self.language)


def _plural_form(language: str, number: int, forms: int) -> int:
    if forms == 3:  # Russian: 1, 21, 31… / 2-4, 22-24… / the rest
        if number % 10 == 1 and number % 100 != 11:
            return 0
        return 1 if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14 else 2
    singular = number in (0, 1) if language == "fr" else number == 1
    return 0 if singular else 1


@cache
def texts(language: str) -> Texts:
    return Texts(language)


def language_for(settings: Settings, user: User | None) -> str:
    """The language of the replies to `user` (see the module docs)."""
    return settings.language or prompts.language_of(user.language_code if user else None)


def commands(language: str) -> list[BotCommand]:
    """The command menu in `language`."""
    return [BotCommand(name, description) for name, description in prompts.table("telegram_commands", language).items()]
