"""The conformance suite against targets that are not a working API.

Each ends within the suite's time bound with exit 1 or 2 and a readable reason: never a hang,
never a traceback.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.support import ROOT

Handler = Callable[[socket.socket], None]


class HostileServer:
    """A TCP server on a free loopback port that treats every connection with `handler`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self.handle, args=(connection,), daemon=True).start()

    def handle(self, connection: socket.socket) -> None:
        try:
            self.handler(connection)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            try:
                connection.close()
            except OSError:
                pass


def hang(connection: socket.socket) -> None:
    connection.recv(65536)
    connection.recv(65536)  # waits until the client gives up


def reset(connection: socket.socket) -> None:
    connection.recv(65536)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def huge_body(connection: socket.socket) -> None:
    connection.recv(65536)
    size = 100 * 1024 * 1024
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {size}\r\n\r\n".encode()
    )
    chunk = b"0" * (1024 * 1024)
    for _ in range(100):
        connection.sendall(chunk)


def not_http(connection: socket.socket) -> None:
    connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    connection.recv(65536)
    connection.close()


@pytest.fixture
def hostile(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    server = HostileServer(request.param)
    try:
        yield server
    finally:
        server.close()


def run_suite(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "--base-url",
            url,
            "--timeout",
            "1",
            "--max-examples",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize(
    "hostile",
    [hang, reset, huge_body, not_http],
    indirect=True,
    ids=["hangs", "resets", "100-MiB-body", "not-HTTP"],
)
def test_hostile_target_ends_with_a_reason(hostile: HostileServer) -> None:
    result = run_suite(f"http://127.0.0.1:{hostile.port}")
    output = result.stdout + result.stderr
    assert result.returncode in (1, 2), output
    assert "Traceback" not in output
    if result.returncode == 1:
        assert "result: does not conform" in result.stdout
        assert any(
            f"VIOLATION {check}" in result.stdout
            for check in ("transport", "time.timeout", "schema.body")
        ), result.stdout
    else:
        assert result.stderr.startswith("conformance: could not run: ")


def test_nothing_listening_is_exit_2() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_suite(f"http://127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot reach" in result.stderr
