"""Errors raised by the index package.

    IndexError_ (base: anything a user can be told about the index)
     ├── UnreadableDocument    a file that cannot be turned into text (binary, empty, not UTF-8,
     │                         corrupt or encrypted PDF, too large); indexing reports it and goes on
     ├── StoreUnavailable      the Chroma store cannot be opened or reached (server down, path not
     │                         writable, corrupted files); the message names the URL or path
     ├── NoDocuments           the documents folder is missing or holds nothing readable; the index
     │                         is kept as it was
     ├── IndexBusy             another index update holds the lock (or the store's lease) and did
     │                         not finish in time
     ├── UpdateFailed          an index update failed part-way (disk full, the store went away, the
     │                         lease was lost); the previous index is unchanged and keeps answering
     └── IndexEmpty            there is no index yet, or it holds no passages

Every message is written for the user: front ends print `str(error)` as it is.
"""

from __future__ import annotations


class IndexError_(Exception):  # noqa: N801 - the builtin IndexError is a different thing
    """Base class of every index error a user can be told about."""


class UnreadableDocument(IndexError_):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreUnavailable(IndexError_):
    pass


class NoDocuments(IndexError_):
    pass


class IndexBusy(IndexError_):
    pass


class UpdateFailed(IndexError_):
    pass


class IndexEmpty(IndexError_):
    pass
