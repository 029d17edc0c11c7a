"""Registering and logging in, through HTTP against a real mock process."""

from __future__ import annotations

import httpx
import pytest

from tests.support import MockProcess, register, unique_email


def assert_message(response: httpx.Response, status: int) -> None:
    """The contract's error answer: the status and a non-empty plain-text message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.strip()
    assert "Traceback" not in response.text


def session_cookie(response: httpx.Response) -> str:
    return response.headers["set-cookie"]


def test_register_redirects_to_profile_with_an_httponly_session(client: httpx.Client) -> None:
    email = unique_email()
    response = register(client, email, nickname="Newbie")
    assert response.status_code == 302
    assert response.headers["location"] == "/profile"
    cookie = session_cookie(response)
    assert cookie.startswith("session=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    profile = client.get("/api/profile")
    assert profile.status_code == 200
    assert profile.json()["email"] == email
    assert profile.json()["nickname"] == "Newbie"


def test_register_taken_email_is_500_with_a_message(client: httpx.Client) -> None:
    email = unique_email()
    assert register(client, email).status_code == 302
    again = register(client, email.upper())
    assert_message(again, 500)
    assert "already registered" in again.text


def test_nicknames_are_not_unique(client: httpx.Client) -> None:
    assert register(client, nickname="Twin").status_code == 302
    assert register(client, nickname="Twin").status_code == 302


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({"password": "p", "nickname": "n"}, "email"),
        ({"email": "a@b.example", "nickname": "n"}, "password"),
        ({"email": "a@b.example", "password": "p"}, "nickname"),
        ({"email": "", "password": "p", "nickname": "n"}, "email"),
        ({"email": "no-at-sign", "password": "p", "nickname": "n"}, "email"),
        ({"email": "a@b.example", "password": "p", "nickname": ""}, "nickname"),
        ({"email": "a@b.example", "password": "p", "nickname": "   "}, "nickname"),
        ({"email": "a@b.example", "password": "p", "nickname": "x" * 10_000}, "nickname"),
    ],
)
def test_register_invalid_forms_are_500_naming_the_field(
    client: httpx.Client, form: dict[str, str], named: str
) -> None:
    response = client.post("/api/register", data=form)
    assert_message(response, 500)
    assert named in response.text
    assert "set-cookie" not in response.headers


def test_register_json_body_is_refused_as_a_contract_error(client: httpx.Client) -> None:
    response = client.post("/api/register", json={"email": "a@b.example"})
    assert_message(response, 500)


def test_register_accepts_non_ascii_nicknames_and_ignores_extra_fields(
    client: httpx.Client,
) -> None:
    response = client.post(
        "/api/register",
        data={
            "email": unique_email(),
            "password": "пароль",
            "nickname": "Лучший игрок 🎮",
            "password2": "пароль",
        },
    )
    assert response.status_code == 302
    assert client.get("/api/profile").json()["nickname"] == "Лучший игрок 🎮"


def login(client: httpx.Client, email: str, password: str, referer: str | None) -> httpx.Response:
    headers = {"Referer": referer} if referer is not None else {}
    return client.post("/api/auth", data={"email": email, "password": password}, headers=headers)


@pytest.fixture
def account(mock: MockProcess) -> tuple[str, str]:
    email, password = unique_email(), "right-password"
    with mock.client() as c:
        assert register(c, email, password).status_code == 302
    return email, password


def test_auth_redirects_to_the_referer_path_with_a_session(
    mock: MockProcess, account: tuple[str, str]
) -> None:
    with mock.client() as c:
        response = login(c, *account, referer="/profile")
        assert response.status_code == 302
        assert response.headers["location"] == "/profile"
        assert "httponly" in session_cookie(response).lower()
        assert c.get("/api/profile").json()["email"] == account[0]


def test_auth_follows_a_same_origin_full_url(mock: MockProcess, account: tuple[str, str]) -> None:
    with mock.client() as c:
        target = f"{mock.url}/leaderboard?page=2"
        assert login(c, *account, referer=target).headers["location"] == target


@pytest.mark.parametrize(
    "referer",
    [None, "", "https://evil.example/phish", "//evil.example/x", "http://127.0.0.1:1/other-port"],
)
def test_auth_without_or_with_foreign_referer_goes_home(
    mock: MockProcess, account: tuple[str, str], referer: str | None
) -> None:
    with mock.client() as c:
        response = login(c, *account, referer=referer)
        assert response.status_code == 302
        assert response.headers["location"] == "/"


def test_auth_emails_are_case_insensitive(mock: MockProcess, account: tuple[str, str]) -> None:
    with mock.client() as c:
        assert login(c, account[0].upper(), account[1], "/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("known", "wrong-password"), ("nobody@test.example", "whatever")],
)
def test_auth_wrong_credentials_are_500_with_one_message(
    mock: MockProcess, account: tuple[str, str], email: str, password: str
) -> None:
    with mock.client() as c:
        response = login(c, account[0] if email == "known" else email, password, "/profile")
        assert_message(response, 500)
        # The same message for a wrong password and an unknown email: no account probing.
        assert response.text == "Wrong email or password."
        assert "set-cookie" not in response.headers


def test_auth_missing_field_is_500(client: httpx.Client) -> None:
    response = client.post("/api/auth", data={"email": "a@b.example"})
    assert_message(response, 500)
    assert "password" in response.text


def test_demo_account_from_fixtures_logs_in(mock: MockProcess) -> None:
    assert any("demo@example.com / demo1234" in line for line in mock.banner)
    with mock.client() as c:
        assert login(c, "demo@example.com", "demo1234", "/").status_code == 302
        assert c.get("/api/profile").json()["nickname"] == "DemoPlayer"
