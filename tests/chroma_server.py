"""A real Chroma server for tests (`chroma run --path DIR --host 127.0.0.1 --port N` in a
subprocess); `citebot` commands run against it with `start_citebot` of tests/helpers.py.

The `chroma` command comes with the chromadb package (in the same virtual environment as
pytest). `ChromaServer.start()` returns once the server answers its heartbeat; `stop()` ends
it with SIGINT (the server ignores SIGTERM) and kills it if it does not exit. A stopped server
can be started again on the same port and data folder, which is how tests simulate an outage.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_command() -> str:
    """The `chroma` CLI of the running interpreter's environment."""
    candidate = Path(sys.executable).with_name("chroma")
    return str(candidate) if candidate.exists() else "chroma"


class ChromaServer:
    """One `chroma run` process serving the data folder `path` on 127.0.0.1:`port`."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.log_path = path.with_name(f"{path.name}-chroma.log")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def heartbeat(self) -> bool:
        """Whether the server answers right now."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def start(self, timeout: float = 60.0) -> ChromaServer:
        """Start the server and wait for its heartbeat (RuntimeError with its log if it fails)."""
        if self._process is not None:
            raise RuntimeError(f"the Chroma server on port {self.port} is already running")
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [chroma_command(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            )
        deadline = time.monotonic() + timeout
        while not self.heartbeat():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the Chroma server on port {self.port} did not start:\n{tail}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server (SIGINT, then SIGKILL after `timeout` seconds) and wait until it is gone."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        deadline = time.monotonic() + timeout
        while self.heartbeat() and time.monotonic() < deadline:
            time.sleep(0.1)

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
