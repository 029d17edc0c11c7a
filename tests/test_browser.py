"""A frontend on another origin uses the mock from a real browser (headless Chromium).

The page is served from its own port, as a frontend dev server would serve it, and talks to
the mock with `fetch(..., {credentials: 'include'})`: registration (whose 302 fetch follows to
the mock's /profile page), the profile through the HttpOnly cookie, a PATCH with a custom
header (so a CORS preflight), and a contract error whose status and message the page must be
able to read. The page reports what it saw back to its own server; the test waits for that.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support import MockProcess

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html><meta charset=utf-8><title>frontend</title><script>
const api = "%(api)s";
async function run() {
  const out = {};
  const form = new URLSearchParams(
    {email: "browser@test.example", password: "pw-1", nickname: "Web"});
  const reg = await fetch(api + "/api/register",
    {method: "POST", body: form, credentials: "include"});
  out.register = {status: reg.status, url: reg.url, redirected: reg.redirected};
  const profile = await fetch(api + "/api/profile", {credentials: "include"});
  out.profile = {status: profile.status, body: await profile.json()};
  const patchForm = new FormData();
  patchForm.append("nickname", "Web Renamed");
  const patch = await fetch(api + "/api/profile", {method: "PATCH", body: patchForm,
    credentials: "include", headers: {"X-Frontend-Version": "1"}});
  out.patch = {status: patch.status, text: await patch.text()};
  const after = await fetch(api + "/api/profile", {credentials: "include"});
  out.after = (await after.json()).nickname;
  const bad = await fetch(api + "/api/records?page=abc", {credentials: "include"});
  out.bad = {status: bad.status, text: await bad.text()};
  out.cookies = document.cookie;
  return out;
}
run().catch(e => ({error: String(e)})).then(out =>
  fetch("/report", {method: "POST", body: JSON.stringify(out)}));
</script>"""


class Frontend(ThreadingHTTPServer):
    def __init__(self, api: str) -> None:
        super().__init__(("127.0.0.1", 0), FrontendHandler)
        self.api = api
        self.report: dict[str, Any] = {}
        self.reported = threading.Event()


class FrontendHandler(BaseHTTPRequestHandler):
    server: Frontend

    def do_GET(self) -> None:
        body = (PAGE % {"api": self.server.api}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.report = json.loads(self.rfile.read(length))
        self.send_response(204)
        self.end_headers()
        self.server.reported.set()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def frontend(mock: MockProcess) -> Iterator[Frontend]:
    # Both on "localhost", different ports: cross-origin but same-site, like a dev setup.
    api = f"http://localhost:{urlsplit(mock.url).port}"
    server = Frontend(api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(*arguments: str, capture: bool = False) -> Iterator[subprocess.Popen[str]]:
    """Headless Chromium with a fresh profile, flags for a machine without internet; on exit
    it and its helper processes (one process group) are stopped before the profile goes."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile_dir:
        browser = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile_dir}",
                *arguments,
            ],
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            yield browser
        finally:
            try:
                os.killpg(browser.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            browser.wait()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
def test_cross_origin_frontend_registers_reads_and_edits(frontend: Frontend) -> None:
    with chromium(f"http://localhost:{frontend.server_address[1]}/"):
        assert frontend.reported.wait(timeout=60), "the page never reported back"
    report = frontend.report
    assert "error" not in report, report
    assert report["register"]["status"] == 200
    assert report["register"]["redirected"] is True
    assert report["register"]["url"].endswith("/profile")
    assert report["profile"]["status"] == 200
    assert report["profile"]["body"]["email"] == "browser@test.example"
    assert report["patch"]["status"] == 200 and report["patch"]["text"]
    assert report["after"] == "Web Renamed"
    assert report["bad"]["status"] == 500 and "page" in report["bad"]["text"]
    assert report["cookies"] == "", "the session cookie is HttpOnly and the mock's own"


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
def test_swagger_ui_renders_every_operation(mock: MockProcess) -> None:
    with chromium(
        "--virtual-time-budget=10000", "--dump-dom", f"{mock.url}/docs/", capture=True
    ) as browser:
        dom, _ = browser.communicate(timeout=120)
    assert "Game site API" in dom
    for path in ("/api/register", "/api/auth", "/api/profile", "/api/avatar", "/api/records"):
        assert f'data-path="{path}"' in dom, path
