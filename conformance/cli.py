"""`python -m conformance --base-url URL`: check a backend against the contract.

Exit codes: 0 the target conforms, 1 violations were found (or advisories with --strict),
2 the run could not happen (bad arguments, unreadable spec, unreachable target).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from conformance import report
from conformance.checks import CHECKS
from conformance.runner import COULD_NOT_RUN, run
from conformance.suite import Options
from mockserver.contract import BUNDLED_SPEC, ContractError


def check_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown checks {', '.join(unknown)} (see --list-checks)")
    return names


def positive(kind: type) -> object:
    def convert(text: str) -> object:
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value

    convert.__name__ = f"positive {kind.__name__}"
    return convert


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Check a backend of the game site's API against the contract "
        "(openapi.yaml): schemas, protocol and the semantics schemas cannot express. "
        "A run creates accounts on the target (emails under example.test).",
        epilog="Exit codes: 0 conforms, 1 violations found, 2 could not run.",
    )
    p.add_argument("--base-url", help="the backend's root URL, e.g. http://127.0.0.1:8080")
    p.add_argument(
        "--spec",
        type=Path,
        default=BUNDLED_SPEC,
        help="the contract (default: the bundled openapi.yaml)",
    )
    p.add_argument("--only", type=check_names, help="run only these checks (comma-separated)")
    p.add_argument("--skip", type=check_names, default=[], help="skip these checks")
    p.add_argument("--seed", type=int, default=1, help="seed of generated data (default 1)")
    p.add_argument(
        "--timeout",
        type=positive(float),
        default=10.0,
        help="seconds to wait for any answer (default 10)",
    )
    p.add_argument(
        "--slow",
        type=positive(float),
        default=2.0,
        help="answers slower than this many seconds are reported (default 2)",
    )
    p.add_argument(
        "--max-examples",
        type=positive(int),
        default=20,
        help="generated requests per operation and mode (default 20)",
    )
    p.add_argument(
        "--max-pages",
        type=positive(int),
        default=50,
        help="records pages to walk at most (default 50)",
    )
    p.add_argument("--email", help="an existing account to use for the profile checks")
    p.add_argument("--password", help="its password")
    p.add_argument("--strict", action="store_true", help="advisories fail the run too")
    p.add_argument("--junit-xml", type=Path, metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--report", type=Path, metavar="FILE.md", help="write a Markdown report")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the findings as JSON")
    p.add_argument("--list-checks", action="store_true", help="list the checks and exit")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as exit_:
        return COULD_NOT_RUN if exit_.code else 0
    if args.list_checks:
        for check in CHECKS.values():
            print(f"{check.name:28} {check.severity.value:9} {check.title}")
        return 0
    if not args.base_url:
        print("conformance: could not run: --base-url is required", file=sys.stderr)
        return COULD_NOT_RUN
    parts = urlsplit(args.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        print(
            f"conformance: could not run: {args.base_url!r} is not an http(s) URL", file=sys.stderr
        )
        return COULD_NOT_RUN
    if bool(args.email) != bool(args.password):
        print("conformance: could not run: give --email and --password together", file=sys.stderr)
        return COULD_NOT_RUN
    options = Options(
        base_url=args.base_url,
        spec=args.spec,
        only=args.only,
        skip=args.skip,
        seed=args.seed,
        timeout=args.timeout,
        slow=args.slow,
        max_examples=args.max_examples,
        max_pages=args.max_pages,
        email=args.email,
        password=args.password,
        strict=args.strict,
    )
    try:
        result = run(options)
    except ContractError as error:
        print(f"conformance: could not run: {error}", file=sys.stderr)
        return COULD_NOT_RUN
    if result.exit_code == COULD_NOT_RUN:
        print(f"conformance: could not run: {result.reason}", file=sys.stderr)
        return COULD_NOT_RUN
    print(report.console(result))
    for path, text in (
        (args.junit_xml, report.junit),
        (args.report, report.markdown),
        (args.json, report.as_json),
    ):
        if path is not None:
            report.write(path, text(result))
    return result.exit_code
