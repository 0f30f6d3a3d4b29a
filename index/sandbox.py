"""Read an untrusted document in a child process, bounded in time and memory.

`index.loaders` bounds what a PDF or DOCX may unpack (pages, parts, content size), but parsing
a hostile PDF's content streams can still keep a core busy for tens of seconds. A document sent
to the bot is therefore read first by `read_bounded`: in a child process that is killed after
`timeout` seconds and cannot grow past `memory_mb` of address space. Only a document read within
those bounds goes on to the index. Run as `python -m index.sandbox FILE` it is that child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index.errors import UnreadableDocument
from index.loaders import SourceDocument, load_document

#: Seconds a document may take to read (a 500-page text PDF takes about 2 s here).
READ_TIMEOUT = 60.0
#: Address space of the reading process, in MB (Python with pypdf and python-docx uses ~100 MB).
READ_MEMORY_MB = 2048


def read_bounded(path: Path, timeout: float = READ_TIMEOUT, memory_mb: int = READ_MEMORY_MB) -> SourceDocument:
    """`load_document(path, path.parent)`, in a child process within the bounds; everything
    that goes wrong, the bounds included, raises UnreadableDocument with a reason for the user."""
    source = path.name
    environment = {**os.environ, "CITEBOT_READ_MEMORY_MB": str(memory_mb), "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-m", "index.sandbox", str(path)], capture_output=True,
                              timeout=timeout, env=environment, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(source, f"reading it took longer than {timeout:g} s (a hostile or broken "
                                 "file?)") from None
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = {}
    if "reason" in result:
        raise UnreadableDocument(source, result["reason"])
    if done.returncode != 0 or "text" not in result:
        if b"MemoryError" in done.stderr:
            raise UnreadableDocument(source, f"reading it needs more than {memory_mb} MB of memory")
        raise UnreadableDocument(source, f"could not be read (the reader stopped with code {done.returncode})")
    return SourceDocument(source, result["title"], result["text"], result["content_hash"])


def _main(argv: list[str]) -> int:
    try:
        import resource

        limit = int(os.environ.get("CITEBOT_READ_MEMORY_MB", READ_MEMORY_MB)) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # no such limit on this system: time still bounds it
        pass
    path = Path(argv[0])
    try:
        document = load_document(path, path.parent)
    except UnreadableDocument as error:
        out = {"reason": error.reason}
    else:
        out = {"title": document.title, "text": document.text, "content_hash": document.content_hash}
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
