"""Keep the bot token out of every log line.

Bot API URLs contain the token, and they get logged: httpx logs each request URL at INFO,
python-telegram-bot logs its base URLs at DEBUG, and exceptions may quote a URL. `protect`
silences httpx's request lines and adds a filter to the loggers of python-telegram-bot, httpx,
httpcore and citebot that replaces the token's secret part, in messages and in tracebacks.
"""

from __future__ import annotations

import logging

_LOGGER_FAMILIES = ("telegram", "httpx", "httpcore", "bot")
REDACTED = "<token>"


class TokenRedactor(logging.Filter):
    """A logging filter replacing known secrets in a record's message and traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, token: str) -> None:
        # The part after the colon is the secret one; it also appears URL-encoded as such.
        self._secrets.add(token.rpartition(":")[2] or token)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if (redacted := self.redact(message)) != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is printed redacted.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


_REDACTOR = TokenRedactor()


def protect(token: str) -> None:
    """Redact `token` from the logs of this process from now on."""
    _REDACTOR.add(token)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line, with URL, per request
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in _LOGGER_FAMILIES]
    for name in {*names, *_LOGGER_FAMILIES}:
        logging.getLogger(name).addFilter(_REDACTOR)
