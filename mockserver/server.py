"""Serving the mock on a socket with uvicorn.

One addition to plain uvicorn: each request's scope carries its connection's transport under
`extensions["mockserver.transport"]`, because transport faults (closing a connection without an
answer) need the socket and ASGI offers no way to reach it.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockserver.injector import TRANSPORT_EXTENSION


class TransportLendingProtocol(HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self.scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = self.transport


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before start-up so a busy port is reported plainly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(app: Any, sock: socket.socket, access_log: bool = False) -> None:
    config = uvicorn.Config(
        app,
        http=TransportLendingProtocol,
        log_level="info",
        access_log=access_log,
        lifespan="off",
    )
    uvicorn.Server(config).run(sockets=[sock])
