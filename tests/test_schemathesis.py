"""Schemathesis, set up by the repository's schemathesis.toml, finds nothing wrong with the mock.

This is the run the README tells users to make: plain `st run openapi.yaml --url ...` from the
repository root, with a session cookie of the demo account in GAME_API_SESSION.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT, running_mock


def test_schemathesis_run_against_the_mock_finds_no_failures() -> None:
    with running_mock("--seed", "1") as process:
        with process.client() as c:
            c.post("/api/auth", data={"email": "demo@example.com", "password": "demo1234"})
            session = c.cookies["session"]
        st = Path(sys.executable).with_name("st")
        result = subprocess.run(
            [
                str(st),
                "run",
                "openapi.yaml",
                "--url",
                process.url,
                "--max-examples",
                "40",
                "--seed",
                "1",
                "--max-redirects",
                "0",
                "--no-color",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
            env={**os.environ, "GAME_API_SESSION": session},
        )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "No issues found" in result.stdout
    # All six operations were exercised, with the session (no missing-auth warning).
    assert "Tested: 6" in result.stdout
    assert "missing_auth" not in result.stdout and "Missing authentication" not in result.stdout
