"""The conformance suite as CI runs it: `python -m conformance`, its reports and exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from conformance.checks import CHECKS
from tests.support import ROOT, MockProcess, running_mock


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock("--seed", "31", "--players", "60") as process:
        yield process


def conformance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_correct_backend_conforms_with_reports(mock: MockProcess, tmp_path: Path) -> None:
    result = conformance(
        "--base-url",
        mock.url,
        "--junit-xml",
        str(tmp_path / "junit.xml"),
        "--report",
        str(tmp_path / "report.md"),
        "--json",
        str(tmp_path / "result.json"),
    )
    assert result.returncode == 0, result.stdout
    assert "0 violations, 0 advisories" in result.stdout
    assert "result: conforms" in result.stdout
    data = json.loads((tmp_path / "result.json").read_text())
    assert (data["exit_code"], data["violations"], data["advisories"]) == (0, 0, 0)
    # Every check was exercised at least once.
    assert set(data["checks_held"]) == set(CHECKS)
    suite = ElementTree.parse(tmp_path / "junit.xml").getroot()
    assert suite.get("failures") == "0" and int(suite.get("tests")) == len(CHECKS)
    assert "**conforms**" in (tmp_path / "report.md").read_text()


def test_violation_is_reported_with_a_curl_and_exit_1(mock: MockProcess, tmp_path: Path) -> None:
    httpx.put(f"{mock.url}/__mock/profile", json={"rates": {"records-unsorted": 1.0}})
    try:
        result = conformance(
            "--base-url", mock.url, "--only", "records.order", "--report", str(tmp_path / "r.md")
        )
    finally:
        httpx.delete(f"{mock.url}/__mock/profile")
    assert result.returncode == 1
    assert "VIOLATION records.order  GET /api/records" in result.stdout
    assert f"reproduce: curl -i '{mock.url}/api/records?page=1'" in result.stdout
    assert "| violation | `records.order` |" in (tmp_path / "r.md").read_text()


def test_only_runs_the_named_checks(mock: MockProcess, tmp_path: Path) -> None:
    result = conformance(
        "--base-url",
        mock.url,
        "--only",
        "records.order,records.paging",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert result.returncode == 0
    held = json.loads((tmp_path / "r.json").read_text())["checks_held"]
    assert set(held) == {"records.order", "records.paging"}


def test_skip_leaves_out_the_named_checks(mock: MockProcess, tmp_path: Path) -> None:
    result = conformance(
        "--base-url",
        mock.url,
        "--only",
        "records.order,records.paging",
        "--skip",
        "records.paging",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert result.returncode == 0
    assert set(json.loads((tmp_path / "r.json").read_text())["checks_held"]) == {"records.order"}


def test_readme_lists_every_check() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in CHECKS if f"| `{name}` |" not in readme] == []


def test_advisories_fail_only_with_strict(mock: MockProcess) -> None:
    args = ("--base-url", mock.url, "--only", "time.slow", "--slow", "0.000001")
    relaxed = conformance(*args)
    assert relaxed.returncode == 0 and "ADVISORY  time.slow" in relaxed.stdout
    assert conformance(*args, "--strict").returncode == 1


def test_existing_account_is_used_and_restored(mock: MockProcess) -> None:
    def demo_profile() -> dict:
        with mock.client() as c:
            c.post("/api/auth", data={"email": "demo@example.com", "password": "demo1234"})
            return {**c.get("/api/profile").json(), "avatar": c.get("/api/avatar").content}

    before = demo_profile()
    result = conformance(
        "--base-url",
        mock.url,
        "--email",
        "demo@example.com",
        "--password",
        "demo1234",
        "--only",
        "patch.saved,avatar.roundtrip",
    )
    assert result.returncode == 0, result.stdout
    after = demo_profile()
    assert after["nickname"] == before["nickname"] and after["email"] == before["email"]
    assert after["avatar"] == before["avatar"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_target_exits_2_with_one_line() -> None:
    result = conformance("--base-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("conformance: could not run: cannot reach")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "--base-url is required"),
        (["--base-url", "ftp://x"], "is not an http(s) URL"),
        (["--base-url", "http://127.0.0.1:1", "--only", "no.such.check"], "unknown checks"),
        (["--base-url", "http://127.0.0.1:1", "--timeout", "0"], "--timeout"),
        (["--base-url", "http://127.0.0.1:1", "--spec", "missing.yaml"], "cannot read the spec"),
        (["--base-url", "http://127.0.0.1:1", "--email", "a@b.cd"], "together"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], expected: str) -> None:
    result = conformance(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_list_checks_names_every_check() -> None:
    result = conformance("--list-checks")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(CHECKS)


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("game-api-conformance")
    assert subprocess.run([script, "--help"], capture_output=True, timeout=60).returncode == 0


def test_make_conformance_target(mock: MockProcess) -> None:
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "conformance",
            f"BASE_URL={mock.url}",
            "ARGS=--only records.order",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "result: conforms" in result.stdout
