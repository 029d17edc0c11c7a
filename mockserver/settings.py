"""The mock's settings: command-line flags, each with an environment variable behind it.

Precedence: a flag given on the command line, then `MOCK_<NAME>` from the environment, then
the default. The defaults serve the bundled contract on http://127.0.0.1:8080 with a fixed seed,
so two plain starts show the same world.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mockserver.contract import BUNDLED_SPEC

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_ACCOUNTS = PROJECT_ROOT / "fixtures" / "demo_accounts.yaml"
LOCALES = ("en_US", "ru_RU")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 1
    players: int = 200
    locale: str = "en_US"
    spec: Path = BUNDLED_SPEC
    demo_accounts: Path = DEMO_ACCOUNTS
    validate_responses: bool = True

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


non_negative.__name__ = "non-negative integer"


def port_number(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


port_number.__name__ = "port number (0-65535)"


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    defaults = Settings()

    def default(name: str, fallback: object) -> object:
        return env.get(f"MOCK_{name.upper()}", fallback)

    p = argparse.ArgumentParser(
        prog="python -m mockserver",
        description="A stateful mock of the game site's API, driven by its OpenAPI contract.",
        epilog="Every option can also be set as MOCK_<OPTION> in the environment "
        "(MOCK_PORT=9000, MOCK_SEED=7, ...); a flag wins over the environment.",
    )
    p.add_argument(
        "--host",
        default=default("host", defaults.host),
        help="address to listen on (default %(default)s)",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=default("port", defaults.port),
        help="port to listen on, 0 for any free one (default %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=default("seed", defaults.seed),
        help="seed of the generated world: same seed, same world (default %(default)s)",
    )
    p.add_argument(
        "--players",
        type=non_negative,
        default=default("players", defaults.players),
        help="how many generated players besides the demo accounts (default %(default)s)",
    )
    p.add_argument(
        "--locale",
        choices=LOCALES,
        default=default("locale", defaults.locale),
        help="Faker locale for names and emails (default %(default)s)",
    )
    p.add_argument(
        "--spec",
        type=existing_file,
        default=default("spec", defaults.spec),
        help="OpenAPI 3 document to serve (default: the bundled openapi.yaml)",
    )
    p.add_argument(
        "--demo-accounts",
        type=existing_file,
        default=default("demo_accounts", defaults.demo_accounts),
        help="YAML list of demo logins (default: fixtures/demo_accounts.yaml)",
    )
    p.add_argument(
        "--no-validate-responses",
        action="store_true",
        default=str(default("no_validate_responses", "")).lower() in ("1", "true", "yes"),
        help="skip checking each answer against the spec before sending it",
    )
    return p


def parse(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from flags and environment; exits with a usage message on bad values."""
    p = parser(os.environ if env is None else env)
    args = p.parse_args(argv)
    # Defaults taken from the environment arrive as text: run them through the same checks.
    try:
        port = port_number(str(args.port))
        seed = int(args.seed)
        players = non_negative(str(args.players))
    except ValueError as error:
        p.error(f"invalid value in the environment: {error}")
    if args.locale not in LOCALES:
        p.error(f"invalid MOCK_LOCALE {args.locale!r}: choose from {', '.join(LOCALES)}")
    for name in ("spec", "demo_accounts"):
        if not Path(getattr(args, name)).is_file():
            p.error(f"no such file for MOCK_{name.upper()}: {getattr(args, name)}")
    return Settings(
        host=args.host,
        port=port,
        seed=seed,
        players=players,
        locale=args.locale,
        spec=Path(args.spec),
        demo_accounts=Path(args.demo_accounts),
        validate_responses=not args.no_validate_responses,
    )
