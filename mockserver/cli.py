"""`python -m mockserver`: start the mock on a socket and say where it is."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mockserver import settings as settings_module
from mockserver.app import Mock, create_mock
from mockserver.contract import ContractError
from mockserver.fault_profiles import ProfileError
from mockserver.pages import DOCS_PATH
from mockserver.server import listen, serve


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
            f"  Faults:      {faults_line(mock)}",
            "  Stop with Ctrl+C.",
        ]
    )


def faults_line(mock: Mock) -> str:
    profile = mock.faults.profile
    active = f"profile {profile.name}, fault seed {mock.faults.seed}" if profile else "none drawn"
    return f"{active}; force one with X-Mock-Fault: <kind>, list at /__mock/faults"


def main(argv: Sequence[str] | None = None) -> int:
    settings = settings_module.parse(argv)
    try:
        mock = create_mock(settings)
    except (ContractError, ProfileError, OSError, ValueError) as error:
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
    try:
        serve(mock.asgi, sock, access_log=settings.access_log)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
