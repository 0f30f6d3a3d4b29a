"""What one run of `index.indexer.sync_index` did, and how it is said (`citebot index`, `--json`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from index.loaders import SkippedFile


@dataclass
class IndexReport:
    name: str = ""  # the index's name
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # distinct texts (passages and sentences) the model embedded in this run
    cached: int = 0  # distinct texts whose vectors came from the embedding cache
    repeats: int = 0  # texts that repeat another text of this run (embedded once)
    reused: int = 0  # passages carried over, with their vectors, from the previous generation
    rebuilt_because: str | None = None  # why the previous generation could not be updated in place
    generation: int | None = None
    seconds: float = 0.0
    embed_seconds: float = 0.0  # of which, in the embedding model

    @property
    def modified(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt_because)

    def summary(self) -> str:
        lines = []
        if self.rebuilt_because:
            lines.append(f"Rebuilt the index: {self.rebuilt_because}.")
        lines.append(
            f"{plural(self.documents, 'document')}, {plural(self.chunks, 'passage')} in the index {self.name} "
            f"({len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped) in {self.seconds:.1f} s."
        )
        if self.modified:
            lines.append(f"Embedded {plural(self.embedded, 'text')} ({self.embed_seconds:.1f} s); "
                         f"{self.cached} from the embedding cache, {self.repeats} repeats embedded once, "
                         f"{plural(self.reused, 'passage')} carried over unchanged.")
        for label, names in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            lines += [f"  {label}: {name}" for name in names]
        lines += [f"  skipped: {s.source}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)

    __str__ = summary

    def to_json(self) -> str:
        """The report as one JSON object (`citebot index --json`)."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("seconds", "embed_seconds")}
        fields["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return json.dumps({**fields, "seconds": round(self.seconds, 3), "embed_seconds": round(self.embed_seconds, 3),
                           "modified": self.modified}, ensure_ascii=False)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
