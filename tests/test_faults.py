"""Every fault in the catalogue, forced per request and observed from outside.

`EXPECTATIONS` maps each fault's name to a check of what a client sees when that fault is
forced. `test_every_fault_has_an_expectation` keeps the table and the catalogue in step: a new
kind without a check here fails the suite.
"""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from mockserver.faults import BY_NAME, CATALOGUE
from tests.support import MockProcess, logged_in, register, running_mock, unique_email

ORIGIN = "http://localhost:3000"
HTML_STATUSES = {
    "status-502": 502,
    "status-503": 503,
    "status-504": 504,
    "status-404": 404,
    "status-400": 400,
    "status-403": 403,
}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock("--seed", "11", "--players", "40") as process:
        yield process


def forced(name: str) -> dict[str, str]:
    return {"X-Mock-Fault": name, "Origin": ORIGIN}


def assert_injected(response: httpx.Response, name: str) -> None:
    assert response.headers["x-mock-fault-applied"] == name
    # Faulted answers still carry CORS, or the browser would hide the status from the frontend.
    assert response.headers["access-control-allow-origin"] == ORIGIN


def genuine_records(mock: MockProcess, page: int = 1) -> dict:
    return httpx.get(f"{mock.url}/api/records", params={"page": page}).json()


def sort_key(item: dict) -> tuple[int, int, str]:
    return (-int(item["won"]), int(item["lost"]), item["nickname"])


# -- status ----------------------------------------------------------------------------------


def html_status(name: str) -> Callable[[MockProcess], None]:
    def check(mock: MockProcess) -> None:
        response = httpx.get(f"{mock.url}/api/records", headers=forced(name))
        assert response.status_code == HTML_STATUSES[name]
        assert response.headers["content-type"].startswith("text/html")
        assert f"<title>{HTML_STATUSES[name]} " in response.text
        assert_injected(response, name)

    return check


def status_429(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/profile", headers=forced("status-429"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert_injected(response, "status-429")


def status_500_debug(mock: MockProcess) -> None:
    response = httpx.post(
        f"{mock.url}/api/auth",
        data={"email": "a@b.cd", "password": "x"},
        headers=forced("status-500-debug"),
    )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback (most recent call last)" in response.text
    assert_injected(response, "status-500-debug")


def status_500_empty(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("status-500-empty"))
    assert (response.status_code, response.content) == (500, b"")
    assert_injected(response, "status-500-empty")


# -- body ------------------------------------------------------------------------------------


def unparsable(name: str) -> Callable[[MockProcess], None]:
    def check(mock: MockProcess) -> None:
        response = httpx.get(f"{mock.url}/api/records", headers=forced(name))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
        assert_injected(response, name)

    return check


def numbers_as_integers(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("numbers-as-integers"))
    body = response.json()
    assert isinstance(body["pages_total"], int)
    assert all(isinstance(item["won"], int) for item in body["data"])
    assert_injected(response, "numbers-as-integers")


def field_missing(mock: MockProcess) -> None:
    records = httpx.get(f"{mock.url}/api/records", headers=forced("field-missing"))
    assert "pages_total" not in records.json()
    with logged_in(mock, "Faulty") as c:
        profile = c.get("/api/profile", headers=forced("field-missing"))
    assert "nickname" not in profile.json() and "email" in profile.json()
    assert_injected(profile, "field-missing")


def extra_fields(mock: MockProcess) -> None:
    records = httpx.get(f"{mock.url}/api/records", headers=forced("extra-fields"))
    assert all("email" in item for item in records.json()["data"])
    with logged_in(mock, "Faulty") as c:
        profile = c.get("/api/profile", headers=forced("extra-fields"))
    assert "password_hash" in profile.json()
    assert_injected(profile, "extra-fields")


def null_values(mock: MockProcess) -> None:
    with logged_in(mock, "Faulty") as c:
        profile = c.get("/api/profile", headers=forced("null-values"))
    assert profile.json()["won"] is None and profile.json()["avatar_path"] is None
    assert_injected(profile, "null-values")


def empty_200(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("empty-200"))
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"] == "application/json"
    assert_injected(response, "empty-200")


def wrong_content_type(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("wrong-content-type"))
    assert response.headers["content-type"].startswith("text/html")
    assert "data" in json.loads(response.content)
    assert_injected(response, "wrong-content-type")


def invalid_utf8(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("invalid-utf8"))
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert_injected(response, "invalid-utf8")


def avatar_not_image(mock: MockProcess) -> None:
    with logged_in(mock, "Faulty") as c:
        response = c.get("/api/avatar", headers=forced("avatar-not-image"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/")
    with pytest.raises(OSError):
        Image.open(io.BytesIO(response.content))
    assert_injected(response, "avatar-not-image")


# -- protocol --------------------------------------------------------------------------------


def redirect_no_location(mock: MockProcess) -> None:
    with mock.client() as c:
        response = c.post(
            "/api/register",
            data={"email": unique_email(), "password": "pw", "nickname": "n"},
            headers=forced("redirect-no-location"),
        )
    assert response.status_code == 302
    assert "location" not in response.headers and "set-cookie" in response.headers
    assert_injected(response, "redirect-no-location")


def auth_with(mock: MockProcess, name: str) -> httpx.Response:
    email = unique_email()
    with mock.client() as c:
        register(c, email, "pw-auth")
        return c.post(
            "/api/auth",
            data={"email": email, "password": "pw-auth"},
            headers={**forced(name), "Referer": "/profile"},
        )


def redirect_no_cookie(mock: MockProcess) -> None:
    response = auth_with(mock, "redirect-no-cookie")
    assert response.status_code == 302
    assert "set-cookie" not in response.headers and response.headers["location"] == "/profile"
    assert_injected(response, "redirect-no-cookie")


def cookie_not_httponly(mock: MockProcess) -> None:
    response = auth_with(mock, "cookie-not-httponly")
    assert response.status_code == 302
    assert response.headers["set-cookie"].startswith("session=")
    assert "httponly" not in response.headers["set-cookie"].lower()
    assert_injected(response, "cookie-not-httponly")


def redirect_foreign(mock: MockProcess) -> None:
    response = auth_with(mock, "redirect-foreign")
    assert response.status_code == 302
    assert response.headers["location"] == "https://evil.example/phish"
    assert_injected(response, "redirect-foreign")


# -- transport (against the real process's socket) -------------------------------------------


def with_settings(mock: MockProcess, settings: dict) -> None:
    """An otherwise empty profile whose transport settings apply to forced faults too."""
    response = httpx.put(f"{mock.url}/__mock/profile", json={"name": "t", "settings": settings})
    assert response.status_code == 200, response.text


def latency(mock: MockProcess) -> None:
    with_settings(mock, {"latency": 0.3})
    started = time.monotonic()
    response = httpx.get(f"{mock.url}/api/records", headers=forced("latency"))
    assert time.monotonic() - started >= 0.3
    assert response.json() == genuine_records(mock)
    assert_injected(response, "latency")


def latency_random(mock: MockProcess) -> None:
    with_settings(mock, {"latency_random": [0.2, 0.4]})
    started = time.monotonic()
    response = httpx.get(f"{mock.url}/api/records", headers=forced("latency-random"))
    assert time.monotonic() - started >= 0.2
    assert response.json() == genuine_records(mock)
    assert_injected(response, "latency-random")


def last_journal_fault(mock: MockProcess) -> str | None:
    return httpx.get(f"{mock.url}/__mock/journal", params={"limit": 1}).json()[-1]["fault"]


def hang(mock: MockProcess) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{mock.url}/api/records", headers=forced("hang"), timeout=httpx.Timeout(5, read=0.5)
        )
    # The mock notices the client giving up and keeps serving.
    assert httpx.get(f"{mock.url}/api/records").status_code == 200


def raw_request(mock: MockProcess, fault: str) -> bytes:
    """Everything the server sends for one forced request, read until it closes."""
    address = urlsplit(mock.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            f"GET /api/records HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"X-Mock-Fault: {fault}\r\n\r\n".encode()
        )
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def drop(mock: MockProcess) -> None:
    assert raw_request(mock, "drop") == b""
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{mock.url}/api/records", headers=forced("drop"))
    assert last_journal_fault(mock) == "drop"


def body_cut_short(mock: MockProcess) -> None:
    received = raw_request(mock, "body-cut-short")
    head, _, body = received.partition(b"\r\n\r\n")
    declared = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    assert b"x-mock-fault-applied: body-cut-short" in head.lower()
    assert 0 < len(body) < declared
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{mock.url}/api/records", headers=forced("body-cut-short"))


# -- semantic --------------------------------------------------------------------------------


def records_unsorted(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("records-unsorted"))
    items = response.json()["data"]
    assert sorted(items, key=sort_key) == genuine_records(mock)["data"]
    assert [sort_key(i) for i in items] != sorted(sort_key(i) for i in items)
    assert_injected(response, "records-unsorted")


def records_page_ignored(mock: MockProcess) -> None:
    response = httpx.get(
        f"{mock.url}/api/records", params={"page": 3}, headers=forced("records-page-ignored")
    )
    assert response.json()["page"] == "3"
    assert response.json()["data"] == genuine_records(mock, 1)["data"]
    assert response.json()["data"] != genuine_records(mock, 3)["data"]


def records_pages_total_wrong(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/records", headers=forced("records-pages-total-wrong"))
    genuine = int(genuine_records(mock)["pages_total"])
    assert int(response.json()["pages_total"]) == genuine + 5


def patch_not_saved(mock: MockProcess) -> None:
    with logged_in(mock, "Faulty") as c:
        before = c.get("/api/profile").json()
        response = c.patch(
            "/api/profile",
            files={"nickname": (None, "Lost Edit")},
            headers=forced("patch-not-saved"),
        )
        assert response.status_code == 200 and response.text
        assert c.get("/api/profile").json() == before
    assert_injected(response, "patch-not-saved")


def profile_someone_else(mock: MockProcess) -> None:
    response = httpx.get(f"{mock.url}/api/profile", headers=forced("profile-someone-else"))
    assert response.status_code == 200
    assert response.json()["email"] == "demo@example.com"
    assert_injected(response, "profile-someone-else")


def register_duplicate_email(mock: MockProcess) -> None:
    email = unique_email()
    with mock.client() as c:
        register(c, email)
        again = c.post(
            "/api/register",
            data={"email": email, "password": "x", "nickname": "n"},
            headers=forced("register-duplicate-email"),
        )
    assert again.status_code == 302 and "session=" in again.headers["set-cookie"]
    assert_injected(again, "register-duplicate-email")


def auth_wrong_password(mock: MockProcess) -> None:
    email = unique_email()
    with mock.client() as c:
        register(c, email, "the-right-one")
        response = c.post(
            "/api/auth",
            data={"email": email, "password": "wrong"},
            headers=forced("auth-wrong-password"),
        )
        assert response.status_code == 302
        assert c.get("/api/profile").json()["email"] == email
    assert_injected(response, "auth-wrong-password")


EXPECTATIONS: dict[str, Callable[[MockProcess], None]] = {
    **{name: html_status(name) for name in HTML_STATUSES},
    "status-429": status_429,
    "status-500-debug": status_500_debug,
    "status-500-empty": status_500_empty,
    "json-truncated": unparsable("json-truncated"),
    "json-malformed": unparsable("json-malformed"),
    "numbers-as-integers": numbers_as_integers,
    "field-missing": field_missing,
    "extra-fields": extra_fields,
    "null-values": null_values,
    "empty-200": empty_200,
    "wrong-content-type": wrong_content_type,
    "invalid-utf8": invalid_utf8,
    "avatar-not-image": avatar_not_image,
    "redirect-no-location": redirect_no_location,
    "redirect-no-cookie": redirect_no_cookie,
    "cookie-not-httponly": cookie_not_httponly,
    "redirect-foreign": redirect_foreign,
    "latency": latency,
    "latency-random": latency_random,
    "hang": hang,
    "drop": drop,
    "body-cut-short": body_cut_short,
    "records-unsorted": records_unsorted,
    "records-page-ignored": records_page_ignored,
    "records-pages-total-wrong": records_pages_total_wrong,
    "patch-not-saved": patch_not_saved,
    "profile-someone-else": profile_someone_else,
    "register-duplicate-email": register_duplicate_email,
    "auth-wrong-password": auth_wrong_password,
}


def test_every_fault_has_an_expectation() -> None:
    assert set(EXPECTATIONS) == set(BY_NAME)


@pytest.mark.parametrize("name", [fault.name for fault in CATALOGUE])
def test_forced_fault_is_observed(mock: MockProcess, name: str) -> None:
    try:
        EXPECTATIONS[name](mock)
    finally:
        httpx.delete(f"{mock.url}/__mock/profile")
