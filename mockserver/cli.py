"""`python -m mockserver`: start the mock on a socket and say where it is."""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence

import uvicorn

from mockserver import settings as settings_module
from mockserver.app import Mock, create_mock
from mockserver.contract import ContractError
from mockserver.pages import DOCS_PATH


def banner(mock: Mock, base_url: str) -> str:
    world = mock.world
    demo = world.demo_accounts[0] if world.demo_accounts else None
    login = f"{demo.email} / {demo.password}" if demo else "(none: no demo accounts)"
    return "\n".join(
        [
            f"Game site API mock on {base_url}",
            f"  Swagger UI:  {base_url}{DOCS_PATH}/",
            f"  Contract:    {mock.contract.path}",
            f"  Demo login:  {login}",
            f"  World:       seed {mock.settings.seed}, {len(world.players())} players, "
            f"locale {mock.settings.locale}",
            "  Stop with Ctrl+C.",
        ]
    )


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before start-up so a busy port is reported plainly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    settings = settings_module.parse(argv)
    try:
        mock = create_mock(settings)
    except (ContractError, OSError, ValueError) as error:
        print(f"mockserver: cannot start: {error}", file=sys.stderr)
        return 2
    try:
        sock = listen(settings.host, settings.port)
    except OSError as error:
        print(
            f"mockserver: cannot listen on {settings.host}:{settings.port}: "
            f"{error.strerror or error}",
            file=sys.stderr,
        )
        return 2
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(banner(mock, f"http://{host}:{port}"), flush=True)
    config = uvicorn.Config(mock.app, log_level="info", access_log=True, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
