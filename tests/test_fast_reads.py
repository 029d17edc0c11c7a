"""The short path for reads answers exactly what connexion's full path answers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mockserver.app import create_mock
from mockserver.settings import Settings

REQUESTS = [
    "/api/records",
    "/api/records?page=1",
    "/api/records?page=2&unknown=x",
    "/api/records?page=99",
    "/api/records?page=abc",
    "/api/records?page=0",
    "/api/records?page=",
    "/api/records?page=1&page=2",
    "/api/profile",
    "/api/avatar",
]


async def both_paths(path: str, cookie: str | None) -> tuple[httpx.Response, httpx.Response]:
    """The same request to the whole mock (short path first) and to connexion alone."""
    mock = create_mock(Settings(players=25))
    headers = {"Cookie": cookie} if cookie else {}
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=mock.asgi), base_url="http://mock"
        ) as whole,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=mock.app), base_url="http://mock"
        ) as connexion_only,
    ):
        login = await whole.post(
            "/api/auth", data={"email": "demo@example.com", "password": "demo1234"}
        )
        session = login.headers["set-cookie"].split(";")[0]
        whole.cookies.clear()
        headers = {"Cookie": session} if cookie == "valid" else headers
        first = await whole.get(path, headers=headers)
        second = await connexion_only.get(path, headers=headers)
    return first, second


@pytest.mark.parametrize("cookie", [None, "valid", "session=unknown"])
@pytest.mark.parametrize("path", REQUESTS)
def test_short_path_matches_connexion(path: str, cookie: str | None) -> None:
    fast, full = asyncio.run(both_paths(path, cookie))
    assert fast.status_code == full.status_code
    assert fast.headers["content-type"] == full.headers["content-type"]
    assert fast.content == full.content


def test_cached_answers_follow_changes() -> None:
    async def scenario() -> tuple[str, str]:
        mock = create_mock(Settings(players=5))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=mock.asgi), base_url="http://mock"
        ) as c:
            await c.post(
                "/api/register",
                data={"email": "x@y.example", "password": "p", "nickname": "Before"},
            )
            before = (await c.get("/api/profile")).json()["nickname"]
            await c.patch("/api/profile", files={"nickname": (None, "After")})
            after = (await c.get("/api/profile")).json()["nickname"]
        return before, after

    assert asyncio.run(scenario()) == ("Before", "After")
