"""Starting real mock processes for tests: `python -m mockserver` on a free port.

The mock is started with `--port 0`; the port the system chose is read from its start-up
banner, so there is no race for a free port and no sleeping: the socket is listening before the
banner is printed. The process is always stopped, even when the test fails.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"Game site API mock on (http://\S+)")
START_TIMEOUT = 30.0

_emails = itertools.count(1)


def unique_email(tag: str = "player") -> str:
    return f"{tag}-{next(_emails)}@test.example"


@dataclass
class MockProcess:
    url: str
    process: subprocess.Popen[str]
    banner: list[str] = field(default_factory=list)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=10, **kwargs)


@contextmanager
def running_mock(*args: str, env: dict[str, str] | None = None) -> Iterator[MockProcess]:
    """A mock process started with `args`; stopped on exit from the block."""
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read_stdout, daemon=True).start()
    try:
        banner: list[str] = []
        while True:
            line = lines.get(timeout=START_TIMEOUT)
            if line is None:
                log.seek(0)
                raise RuntimeError(f"mock exited with {process.wait()}: {log.read()}")
            banner.append(line)
            if line.startswith("  Stop with"):
                break
        match = BANNER.search(banner[0])
        assert match, banner
        yield MockProcess(match.group(1), process, banner)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def register(
    client: httpx.Client,
    email: str | None = None,
    password: str = "secret-1",
    nickname: str = "Tester",
) -> httpx.Response:
    """POST /api/register; on success the client holds the session cookie."""
    return client.post(
        "/api/register",
        data={"email": email or unique_email(), "password": password, "nickname": nickname},
    )


@contextmanager
def logged_in(mock: MockProcess, nickname: str = "Tester") -> Iterator[httpx.Client]:
    """A client of `mock` holding the session of a freshly registered player."""
    with mock.client() as client:
        assert register(client, nickname=nickname).status_code == 302
        yield client
