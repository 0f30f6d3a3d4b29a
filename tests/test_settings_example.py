""".env.example against `Settings`: a user who copies it sees every setting, by the name
citebot reads, with the default citebot really uses."""

from __future__ import annotations

import re
from typing import Any

from helpers import ROOT
from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from bot.config import Settings

EXAMPLE = ROOT / ".env.example"
#: "NAME=value" or "# NAME=value": a setting, set or shown with its default.
_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def _env_name(name: str, field: FieldInfo) -> str:
    """The variable citebot reads first for a field (an alias such as TELEGRAM_BOT_TOKEN, or
    CITEBOT_<FIELD>)."""
    if isinstance(field.validation_alias, AliasChoices):
        return str(field.validation_alias.choices[0])
    return f"CITEBOT_{name.upper()}"


def _same(shown: str, default: Any) -> bool:
    """Whether .env.example's `shown` value is `default` ("60" and "60.0" are the same number)."""
    if isinstance(default, bool):
        return shown == str(default).lower()
    if isinstance(default, (int, float)):
        return float(shown) == default
    return shown == ("" if default is None else str(default))


def _example() -> dict[str, str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {m.group(1): m.group(2).strip() for line in lines if (m := _LINE.match(line))}


def test_every_setting_is_in_the_example_under_the_name_citebot_reads() -> None:
    example = _example()
    expected = {_env_name(name, field) for name, field in Settings.model_fields.items()}
    assert sorted(expected - set(example)) == [], "settings missing from .env.example"
    assert sorted(set(example) - expected) == [], ".env.example names variables citebot does not read"


def test_the_defaults_shown_are_the_defaults_citebot_uses() -> None:
    example = _example()
    wrong = {}
    for name, field in Settings.model_fields.items():
        default = None if field.default_factory is not None else field.default  # lists of users: empty
        shown = example[_env_name(name, field)]
        if shown and not _same(shown, default):
            wrong[_env_name(name, field)] = (shown, default)
    assert wrong == {}, "(shown in .env.example, real default)"
