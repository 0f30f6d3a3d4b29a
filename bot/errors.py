"""Every error citebot tells a user about, in one tree. Front ends catch these and print
`str(error)` as it is: every message is written for the user and holds no secret.

    Exception
     ├── IndexError_             anything about the index (index.errors)
     │    ├── UnreadableDocument a file that cannot be turned into text (binary, empty, corrupt or
     │    │                      encrypted PDF, too large, a zip bomb); indexing reports it and goes on
     │    ├── StoreUnavailable   the Chroma store cannot be opened or reached; the message names it
     │    ├── NoDocuments        the documents folder is missing or holds nothing readable; the
     │    │                      index is kept as it was
     │    ├── IndexBusy          another update holds the lock or the store's lease
     │    ├── UpdateFailed       an update failed part-way; the previous index keeps answering
     │    └── IndexEmpty         there is no index yet, or it holds no passages
     └── LLMError                a language-model call failed (unreachable, refused, timed out);
                                 answers fall back to the extractive answer with a notice

Configuration problems are pydantic `ValidationError`s (settings) or `ValueError`s with a
message for the user (the Telegram front end's checks).
"""

from __future__ import annotations

from index.errors import (
    IndexBusy,
    IndexEmpty,
    IndexError_,
    NoDocuments,
    StoreUnavailable,
    UnreadableDocument,
    UpdateFailed,
)


class LLMError(Exception):
    """A language-model call failed; the message is short, user-facing and free of secrets."""


__all__ = ["IndexBusy", "IndexEmpty", "IndexError_", "LLMError", "NoDocuments", "StoreUnavailable",
           "UnreadableDocument", "UpdateFailed"]
