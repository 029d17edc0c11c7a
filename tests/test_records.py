"""The leaderboard: order, paging and bad pages, through HTTP against a real mock process."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import MockProcess, register, running_mock
from tests.test_accounts import assert_message


def all_pages(client: httpx.Client) -> list[dict[str, Any]]:
    first = client.get("/api/records", params={"page": 1}).json()
    items = list(first["data"])
    for page in range(2, int(first["pages_total"]) + 1):
        body = client.get("/api/records", params={"page": page}).json()
        assert body["page"] == str(page)
        items.extend(body["data"])
    return items


def order_key(item: dict[str, str]) -> tuple[int, int, str]:
    return (-int(item["won"]), int(item["lost"]), item["nickname"])


@pytest.fixture(scope="module")
def small_world() -> Any:
    """A world of its own, so other tests' registrations do not change its size."""
    with running_mock("--players", "45", "--seed", "3") as process:
        yield process


def test_records_shape(client: httpx.Client) -> None:
    response = client.get("/api/records", params={"page": 2})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["page"] == "2"
    assert int(body["pages_total"]) >= 2
    for item in body["data"]:
        assert set(item) == {"nickname", "won", "lost", "play_time"}
        assert all(item[name].isdigit() for name in ("won", "lost", "play_time"))


def test_page_defaults_to_1(client: httpx.Client) -> None:
    assert client.get("/api/records").json() == client.get("/api/records?page=1").json()


def test_order_holds_within_and_across_pages(small_world: MockProcess) -> None:
    with small_world.client() as c:
        items = all_pages(c)
    assert [order_key(i) for i in items] == sorted(order_key(i) for i in items)


def test_every_player_listed_once_with_a_consistent_page_size(small_world: MockProcess) -> None:
    with small_world.client() as c:
        first = c.get("/api/records?page=1").json()
        total = int(first["pages_total"])
        sizes = [len(c.get(f"/api/records?page={p}").json()["data"]) for p in range(1, total + 1)]
        items = all_pages(c)
    # 45 generated players plus the two demo accounts.
    assert len(items) == 47
    assert sizes[:-1] == [sizes[0]] * (total - 1) and 0 < sizes[-1] <= sizes[0]


def test_page_past_the_end_is_empty(small_world: MockProcess) -> None:
    with small_world.client() as c:
        total = int(c.get("/api/records").json()["pages_total"])
        past = c.get("/api/records", params={"page": total + 1})
        assert past.status_code == 200
        assert past.json() == {"pages_total": str(total), "page": str(total + 1), "data": []}
        huge = c.get("/api/records", params={"page": "9" * 40})
        assert (huge.status_code, huge.json()["data"]) == (200, [])


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", ""])
def test_invalid_page_is_500_naming_it(client: httpx.Client, page: str) -> None:
    response = client.get("/api/records", params={"page": page})
    assert_message(response, 500)
    assert "page" in response.text


def test_registered_and_renamed_players_appear(mock: MockProcess) -> None:
    with mock.client() as c:
        register(c, nickname="Fresh Face")
        assert "Fresh Face" in [i["nickname"] for i in all_pages(c)]
        c.patch("/api/profile", files={"nickname": (None, "Renamed Face")})
        names = [i["nickname"] for i in all_pages(c)]
    assert "Renamed Face" in names and "Fresh Face" not in names


def test_empty_world_has_one_empty_page() -> None:
    with running_mock("--players", "0", "--demo-accounts", "tests/data/no_accounts.yaml") as m:
        with m.client() as c:
            assert c.get("/api/records").json() == {"pages_total": "1", "page": "1", "data": []}
