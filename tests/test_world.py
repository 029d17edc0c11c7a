"""The generated world: reproducible from its seed, consistent as it changes."""

from __future__ import annotations

from mockserver.avatars import identicon
from mockserver.settings import DEMO_ACCOUNTS
from mockserver.world import MemoryWorld, load_demo_accounts
from tests.support import running_mock


def snapshot(url_process: object) -> list[dict[str, object]]:
    with url_process.client() as c:  # type: ignore[attr-defined]
        total = int(c.get("/api/records").json()["pages_total"])
        return [c.get(f"/api/records?page={p}").json() for p in range(1, total + 1)]


def test_same_seed_same_records_across_processes() -> None:
    with running_mock("--seed", "42") as first:
        pages = snapshot(first)
    with running_mock("--seed", "42") as second:
        assert snapshot(second) == pages
    with running_mock("--seed", "43") as other:
        assert snapshot(other) != pages


def test_same_seed_same_world_byte_for_byte() -> None:
    demo = load_demo_accounts(DEMO_ACCOUNTS)
    one = MemoryWorld(seed=5, size=50, demo_accounts=demo)
    two = MemoryWorld(seed=5, size=50, demo_accounts=demo)
    assert one.players() == two.players()
    assert [one.avatar(p.id) for p in one.players()] == [two.avatar(p.id) for p in two.players()]


def test_world_size_and_plausible_stats() -> None:
    world = MemoryWorld(seed=1, size=200)
    players = world.players()
    assert len(players) == 200
    assert len({p.email.casefold() for p in players}) == 200
    assert all(p.won >= 0 and p.lost >= 0 for p in players)
    assert all((p.play_time == 0) == (p.won + p.lost == 0) for p in players)
    assert len({p.won for p in players}) > 10, "stats vary"


def test_locale_changes_the_names() -> None:
    english = {p.email for p in MemoryWorld(seed=1, size=30, locale="en_US").players()}
    russian = {p.email for p in MemoryWorld(seed=1, size=30, locale="ru_RU").players()}
    assert english.isdisjoint(russian)


def test_reset_forgets_registrations_and_sessions() -> None:
    world = MemoryWorld(seed=1, size=3)
    player = world.register("x@y.example", "pw", "X")
    token = world.open_session(player.id)
    world.reset()
    assert world.session_player(token) is None
    assert len(world.players()) == 3


def test_identicons_differ_by_key_and_repeat_by_key() -> None:
    assert identicon("1:1") == identicon("1:1")
    assert identicon("1:1").data != identicon("1:2").data


def test_russian_locale_serves() -> None:
    with running_mock("--locale", "ru_RU", "--players", "20") as process:
        with process.client() as c:
            assert c.get("/api/records").status_code == 200


def test_sessions_per_player_are_bounded() -> None:
    from mockserver.world import SESSIONS_PER_PLAYER

    world = MemoryWorld(seed=1, size=1)
    tokens = [world.open_session(1) for _ in range(SESSIONS_PER_PLAYER + 5)]
    assert all(world.session_player(t) is None for t in tokens[:5])
    assert all(world.session_player(t) is not None for t in tokens[5:])
