"""Every prompt and user-facing text of citebot, as plain text files beside this module.

English texts are `prompts/<name>.txt`; their French and Russian versions are
`prompts/fr/<name>.txt` and `prompts/ru/<name>.txt`. Every text a user reads (answers' refusals,
the Telegram bot's replies, its command menu) exists in all three languages (a test checks that
their keys and {placeholders} match); prompts for the language model are English only and are
loaded in English whatever language is asked for.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

#: The languages citebot speaks; the first is the fallback.
LANGUAGES = ("en", "fr", "ru")


def language_of(code: str | None) -> str:
    """The citebot language for a language code ("fr", "fr-CA", "ru_RU", "EN"): its first two
    letters when citebot speaks it, else English."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else LANGUAGES[0]


@cache
def load(name: str, language: str = "en") -> str:
    """The text of `prompts/<name>.txt` in `language` (without its trailing newline); English
    when there is no translation of it (prompts for the language model)."""
    root = resources.files(__name__)
    if language != LANGUAGES[0]:
        translated = root.joinpath(language, f"{name}.txt")
        if translated.is_file():
            return translated.read_text(encoding="utf-8").rstrip("\n")
    return root.joinpath(f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


@cache
def table(name: str, language: str = "en") -> dict[str, str]:
    """The `NAME: text` lines of `prompts/<name>.txt` in `language` (blank lines and # comments
    skipped)."""
    entries: dict[str, str] = {}
    for line in load(name, language).splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, text = line.partition(":")
            entries[key.strip()] = text.strip()
    return entries


def translated(name: str) -> bool:
    """Whether `name` has a French and a Russian version (every user-facing text must)."""
    root = resources.files(__name__)
    return all(root.joinpath(language, f"{name}.txt").is_file() for language in LANGUAGES[1:])
