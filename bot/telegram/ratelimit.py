"""A per-user limit on questions per minute.

PTB's `AIORateLimiter` throttles what the bot *sends* (Telegram's flood limits); it has nothing
for what users *ask*, which costs CPU (or language-model calls). This is a sliding window of the
last minute's questions per user.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import NamedTuple


class Verdict(NamedTuple):
    """Whether a question may be answered now; if not, how long to wait and whether the user
    has already been told (they are told once per window, not once per message)."""

    allowed: bool
    retry_after: float = 0.0
    notify: bool = False


class QuestionLimiter:
    """At most `per_minute` questions per key (a user id) in any 60-second window."""

    def __init__(
        self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_minute = per_minute
        self._window = window
        self._clock = clock
        self._asked: dict[Hashable, deque[float]] = {}
        self._warned_until: dict[Hashable, float] = {}

    @property
    def per_minute(self) -> int:
        return self._per_minute

    def check(self, key: Hashable) -> Verdict:
        """Count a question by `key` if it is within the limit, and say whether it is."""
        now = self._clock()
        self._forget_idle(now)
        asked = self._asked.setdefault(key, deque())
        while asked and asked[0] <= now - self._window:
            asked.popleft()
        if len(asked) < self._per_minute:
            asked.append(now)
            return Verdict(allowed=True)
        retry_after = asked[0] + self._window - now
        notify = self._warned_until.get(key, 0.0) <= now
        if notify:
            self._warned_until[key] = asked[0] + self._window
        return Verdict(allowed=False, retry_after=retry_after, notify=notify)

    def _forget_idle(self, now: float) -> None:
        """Drop users whose last question left the window, so memory stays bounded."""
        idle = [key for key, asked in self._asked.items() if not asked or asked[-1] <= now - self._window]
        for key in idle:
            del self._asked[key]
            self._warned_until.pop(key, None)
