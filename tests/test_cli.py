"""The command line: flags, environment variables, the banner, and clear refusals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from mockserver.settings import Settings, parse
from tests.support import ROOT, running_mock


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_defaults() -> None:
    assert parse([], env={}) == Settings()
    assert Settings().base_url == "http://127.0.0.1:8080"


def test_environment_then_flags() -> None:
    env = {"MOCK_PORT": "9001", "MOCK_SEED": "7", "MOCK_PLAYERS": "10", "MOCK_LOCALE": "ru_RU"}
    settings = parse([], env=env)
    assert (settings.port, settings.seed, settings.players, settings.locale) == (
        9001,
        7,
        10,
        "ru_RU",
    )
    assert parse(["--seed", "8"], env=env).seed == 8
    faults = parse([], env={"MOCK_FAULT_RATE": "0.5", "MOCK_FAULT_SEED": "4"})
    assert (faults.fault_rate, faults.fault_seed) == (0.5, 4)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--port", "http"], {}, "--port"),
        (["--players", "-3"], {}, "--players"),
        (["--locale", "xx_XX"], {}, "--locale"),
        (["--spec", "missing.yaml"], {}, "no such file"),
        ([], {"MOCK_PORT": "99999"}, "invalid value in the environment"),
        ([], {"MOCK_SEED": "abc"}, "invalid value in the environment"),
    ],
)
def test_bad_settings_are_refused_with_a_message(
    args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run_cli(*args, env=env)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_spec_is_refused(tmp_path: object) -> None:
    bad = ROOT / "tests" / "data" / "not_openapi.yaml"
    result = run_cli("--spec", str(bad))
    assert result.returncode == 2
    assert "not an OpenAPI 3 document" in result.stderr
    assert "Traceback" not in result.stderr


def test_busy_port_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("--port", str(taken.getsockname()[1]))
    assert result.returncode == 2
    assert "cannot listen" in result.stderr


def test_banner_names_url_docs_demo_login_and_seed() -> None:
    with running_mock("--seed", "9", env={"MOCK_PLAYERS": "12"}) as process:
        text = "\n".join(process.banner)
        assert f"Swagger UI:  {process.url}/docs/" in text
        assert "demo@example.com / demo1234" in text
        assert "seed 9" in text and "14 players" in text
        with process.client() as c:
            docs = c.get("/docs/")
            assert docs.status_code == 200 and "swagger" in docs.text.lower()
            assert c.get("/openapi.json").json()["info"]["title"] == "Game site API"


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "game-api-mock")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--seed" in result.stdout


def test_make_mock_serves_with_port_from_make(tmp_path: object) -> None:
    """`make mock PORT=...` as a user types it: port 0 lets the system pick a free one."""
    process = subprocess.Popen(
        ["make", "--no-print-directory", "mock", "PORT=0", "PLAYERS=5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("  Stop with"):
            lines.append(process.stdout.readline())
            assert lines[-1], "make mock ended before its banner"
        url = next(line.split(" on ")[1].strip() for line in lines if " mock on " in line)
        import httpx

        assert httpx.get(f"{url}/api/records", timeout=10).status_code == 200
        assert any("7 players" in line for line in lines)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)


def test_malformed_demo_accounts_are_refused() -> None:
    result = run_cli("--demo-accounts", str(ROOT / "tests" / "data" / "bad_accounts.yaml"))
    assert result.returncode == 2
    assert "bad_accounts.yaml: expected a list" in result.stderr
    assert "Traceback" not in result.stderr


def test_structurally_invalid_spec_is_refused() -> None:
    result = run_cli("--spec", str(ROOT / "tests" / "data" / "invalid_openapi.yaml"))
    assert result.returncode == 2
    assert "is not a valid OpenAPI document" in result.stderr
    assert "Traceback" not in result.stderr
