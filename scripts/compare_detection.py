"""Detected faults: plain `schemathesis run` (default checks) next to this kit's suite.

For each contract-breaking fault in the mock's catalogue, a fresh mock injects that fault into
every request it applies to, and both tools run against it. Plain Schemathesis fails even on
a correct backend (the contract's documented 500s), so a fault counts as detected by it when
its run reports a failure (code and operation) that the run against the fault-free mock did
not. The suite counts a fault as detected when it reports any violation.

    .venv/bin/python scripts/compare_detection.py [--max-examples 20]

Prints one line per fault and the totals. Not a test: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.runner import run  # noqa: E402
from conformance.suite import Options  # noqa: E402
from mockserver.contract import BUNDLED_SPEC  # noqa: E402
from mockserver.faults import CATALOGUE  # noqa: E402
from tests.support import running_mock  # noqa: E402

FAILURE = re.compile(r"^- (ST\d+) ")
ERROR = re.compile(r"^🚫 ([A-Z][\w ]+): \d+$")
OPERATION = re.compile(r"^_+ (\S+ \S+) _+$")


def schemathesis_failures(url: str, max_examples: int, workdir: Path) -> set[tuple[str, str]]:
    """(operation, failure code) pairs plain `st run` reports, and the kinds of errors it
    reports; run outside the repository so that its schemathesis.toml is not read."""
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            "openapi.yaml",
            "--url",
            url,
            "--max-examples",
            str(max_examples),
            "--seed",
            "1",
            "--no-color",
            "--request-timeout",
            "2",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    found, operation = set(), "?"
    for line in result.stdout.splitlines():
        if match := OPERATION.match(line.strip()):
            operation = match.group(1)
        elif match := FAILURE.match(line.strip()):
            found.add((operation, match.group(1)))
        elif match := ERROR.match(line.strip()):
            # Errors (network trouble, timeouts) are reported per run, not per operation.
            found.add(("*", match.group(1)))
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-examples", type=int, default=20)
    args = p.parse_args()
    workdir = Path(tempfile.mkdtemp())
    shutil.copy(BUNDLED_SPEC, workdir / "openapi.yaml")
    ours = theirs = 0
    breaking = [f for f in CATALOGUE if f.breaks_contract]
    with running_mock("--seed", "5", "--players", "40") as mock:
        baseline = schemathesis_failures(mock.url, args.max_examples, workdir)
        print(
            f"plain schemathesis on the fault-free mock: {len(baseline)} failures "
            f"{sorted(code for _, code in baseline)}"
        )
        for fault in breaking:
            profile = {"rates": {fault.name: 1.0}, "settings": {"hang_limit": 3}}
            httpx.put(f"{mock.url}/__mock/profile", json=profile)
            try:
                extra = schemathesis_failures(mock.url, args.max_examples, workdir) - baseline
                result = run(
                    Options(base_url=mock.url, spec=BUNDLED_SPEC, timeout=2.0, max_examples=5)
                )
            finally:
                httpx.delete(f"{mock.url}/__mock/profile")
            suite_found = sorted({f.check for f in result.findings.violations})
            ours += bool(suite_found)
            theirs += bool(extra)
            print(
                f"{fault.name:28} schemathesis: {'yes' if extra else 'NO ':3} "
                f"{sorted(code for _, code in extra)}  suite: {'yes' if suite_found else 'NO'}"
            )
    print(
        f"\ndetected: plain schemathesis {theirs}/{len(breaking)}, "
        f"conformance suite {ours}/{len(breaking)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
