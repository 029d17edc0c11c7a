"""The mock's settings: command-line flags, each with an environment variable behind it.

Precedence: a flag given on the command line, then `MOCK_<NAME>` from the environment, then
the default. The defaults serve the bundled contract on http://127.0.0.1:8080 with a fixed seed,
so two plain starts show the same world.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
    fault_profile: Path | None = None
    fault_rate: float | None = None
    fault_seed: int = 1
    access_log: bool = False

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def bounded(
    kind: Callable[[str], float], low: float | None, high: float | None, label: str
) -> Callable[[str], Any]:
    """A converter for a number within [low, high], named for argparse's error messages."""

    def convert(text: str) -> Any:
        value = kind(text)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(text)
        return value

    convert.__name__ = label
    return convert


non_negative = bounded(int, 0, None, "non-negative integer")
port_number = bounded(int, 0, 65535, "port number (0-65535)")
rate = bounded(float, 0, 1, "rate from 0 to 1")


def flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def known_locale(text: str) -> str:
    if text not in LOCALES:
        raise ValueError(text)
    return text


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(
        prog="python -m mockserver",
        description="A stateful mock of the game site's API, driven by its OpenAPI contract.",
        epilog="Every option can also be set as MOCK_<OPTION> in the environment "
        "(MOCK_PORT=9000, MOCK_SEED=7, MOCK_DEMO_ACCOUNTS=...); a flag wins over the environment.",
    )
    p.add_argument("--host", help=f"address to listen on (default {d.host})")
    p.add_argument(
        "--port", type=port_number, help=f"port to listen on, 0 for any free one (default {d.port})"
    )
    p.add_argument(
        "--seed",
        type=int,
        help=f"seed of the generated world: same seed, same world (default {d.seed})",
    )
    p.add_argument(
        "--players",
        type=non_negative,
        help=f"how many generated players besides the demo accounts (default {d.players})",
    )
    p.add_argument(
        "--locale", choices=LOCALES, help=f"Faker locale for names and emails (default {d.locale})"
    )
    p.add_argument(
        "--spec",
        type=existing_file,
        help="OpenAPI 3 document to serve (default: the bundled openapi.yaml)",
    )
    p.add_argument(
        "--demo-accounts",
        type=existing_file,
        help="YAML list of demo logins (default: fixtures/demo_accounts.yaml)",
    )
    p.add_argument(
        "--no-validate-responses",
        action="store_const",
        const="1",
        help="skip checking each answer against the spec before sending it",
    )
    p.add_argument(
        "--access-log",
        action="store_const",
        const="1",
        help="log every request to standard output (the journal at /__mock/journal has them too)",
    )
    p.add_argument(
        "--faults",
        dest="fault_profile",
        metavar="PROFILE.yaml",
        type=existing_file,
        help="inject faults at the rates of this profile (see fixtures/faults/)",
    )
    p.add_argument(
        "--fault-rate",
        type=rate,
        metavar="R",
        help="inject a quick mix of faults into a fraction R (0-1) of the requests",
    )
    p.add_argument(
        "--fault-seed",
        type=int,
        metavar="S",
        help="seed of the fault draws: same seed and requests, same faults (default 1)",
    )
    return p


CONVERTERS: dict[str, Callable[[str], object]] = {
    "host": str,
    "port": port_number,
    "seed": int,
    "players": non_negative,
    "locale": known_locale,
    "spec": existing_file,
    "demo_accounts": existing_file,
    "no_validate_responses": flag,
    "access_log": flag,
    "fault_profile": existing_file,
    "fault_rate": rate,
    "fault_seed": int,
}


def parse(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from flags, then environment, then defaults; exits 2 with a message on bad ones."""
    env = os.environ if env is None else env
    p = parser()
    args = vars(p.parse_args(argv))
    values: dict[str, object] = {}
    for name, convert in CONVERTERS.items():
        if args[name] is not None:
            values[name] = convert(args[name]) if convert is flag else args[name]
            continue
        variable = f"MOCK_{name.upper()}"
        if variable in env:
            try:
                values[name] = convert(env[variable])
            except (ValueError, argparse.ArgumentTypeError):
                p.error(f"invalid value in the environment: {variable}={env[variable]!r}")
    if values.get("fault_profile") is not None and values.get("fault_rate") is not None:
        p.error("give either --faults or --fault-rate, not both")
    no_validation = values.pop("no_validate_responses", False)
    return replace(Settings(), **values, validate_responses=not no_validation)
