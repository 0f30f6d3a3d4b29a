"""Every prompt and long user-facing text of citebot, as plain text files beside this module."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """Return the text of `prompts/<name>.txt` (without its trailing newline)."""
    return resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


@cache
def table(name: str) -> dict[str, str]:
    """The `NAME: text` lines of `prompts/<name>.txt` (blank lines and # comments skipped)."""
    entries: dict[str, str] = {}
    for line in load(name).splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, text = line.partition(":")
            entries[key.strip()] = text.strip()
    return entries
