"""Keep the bot token out of every log line.

Bot API URLs contain the token, and they get logged: httpx logs each request URL at INFO,
python-telegram-bot logs its base URLs and getFile's download URLs at DEBUG, and exceptions may
quote a URL. `protect` silences httpx's request lines and replaces the token's secret part, in
messages and in tracebacks, in every record of python-telegram-bot, httpx, httpcore and citebot:
as each record is made (a logger's filters do not apply to its child loggers, and PTB makes
loggers such as "telegram.ext.ExtBot" only when a bot is created), and by a filter on those
loggers for records made otherwise.
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
        # Formatted now, redacted: an argument may change before a handler formats the record
        # (PTB logs getFile's result, then puts the download URL, token included, into it).
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is printed redacted.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


_REDACTOR = TokenRedactor()
_make_record = logging.getLogRecordFactory()


def _redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    if record.name.split(".")[0] in _LOGGER_FAMILIES:
        _REDACTOR.filter(record)
    return record


def protect(token: str) -> None:
    """Redact `token` from the logs of this process from now on."""
    _REDACTOR.add(token)
    if logging.getLogRecordFactory() is not _redacted_record:
        logging.setLogRecordFactory(_redacted_record)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line, with URL, per request
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in _LOGGER_FAMILIES]
    for name in {*names, *_LOGGER_FAMILIES}:
        logging.getLogger(name).addFilter(_REDACTOR)
