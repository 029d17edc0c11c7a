"""The fake world behind the mock: players, their sessions and the leaderboard.

Everything the mock answers comes from one `World`. The in-process `MemoryWorld` is the only
implementation today; handlers talk to the `World` protocol only, so a shared store (for several
mock processes behind one port) can replace it without touching them.

A world is generated from a seed: the same seed, player count, locale and fixtures give the same
players, stats and avatars, byte for byte. Registered players start with zero stats.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import yaml
from faker import Faker

from mockserver import avatars

AVATAR_DIR = "static/img/avatars"
DEFAULT_PAGE_SIZE = 10
SESSIONS_PER_PLAYER = 32
"""How many devices one player can be logged in on at once."""


class WorldError(Exception):
    """A request the world refuses; the message is meant for the user."""


@dataclass(frozen=True)
class Player:
    id: int
    email: str
    nickname: str
    password_hash: str
    won: int
    lost: int
    play_time: int
    avatar: avatars.Image | None = None
    avatar_version: int = 0

    @property
    def avatar_path(self) -> str:
        """Where the avatar is served, relative to the site root; changes with every upload."""
        extension = self.avatar.extension if self.avatar else "png"
        return f"{AVATAR_DIR}/{self.id}-{self.avatar_version}.{extension}"


@dataclass(frozen=True)
class RecordsPage:
    page: int
    pages_total: int
    players: list[Player]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    nickname: str
    avatar: avatars.Image | None = None


class World(Protocol):
    """What the handlers need from a world; every method is safe to call from any thread."""

    seed: int
    demo_accounts: list[DemoAccount]
    version: int
    """Grows with every change to players (not sessions): answers cached at one version are
    stale at the next."""

    def register(self, email: str, password: str, nickname: str) -> Player: ...
    def authenticate(self, email: str, password: str) -> Player: ...
    def open_session(self, player_id: int) -> str: ...
    def session_player(self, token: str) -> Player | None: ...
    def update_profile(
        self,
        player_id: int,
        *,
        email: str | None = None,
        nickname: str | None = None,
        avatar: avatars.Image | None = None,
    ) -> Player: ...
    def player(self, player_id: int) -> Player: ...
    def avatar(self, player_id: int) -> avatars.Image: ...
    def avatar_at(self, path: str) -> avatars.Image | None: ...
    def records_page(self, page: int) -> RecordsPage: ...
    def players(self) -> list[Player]: ...
    def reset(self) -> None: ...


def hash_password(player_id: int, password: str) -> str:
    """A salted digest: the world never keeps a password as it was typed."""
    return hashlib.sha256(f"{player_id}\0{password}".encode()).hexdigest()


def email_key(email: str) -> str:
    """Emails identify accounts regardless of letter case."""
    return email.strip().casefold()


def load_demo_accounts(path: Path) -> list[DemoAccount]:
    """Demo logins from a YAML fixture: a list of {email, password, nickname, avatar?}.

    `avatar` is an image file's path relative to the fixture file.
    """
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        accounts = []
        for entry in entries:
            image = entry.pop("avatar", None)
            if image is not None:
                image = avatars.read_upload((path.parent / image).read_bytes())
            accounts.append(DemoAccount(**entry, avatar=image))
    except (yaml.YAMLError, TypeError, AttributeError, avatars.AvatarError) as error:
        raise ValueError(
            f"{path}: expected a list of {{email, password, nickname, avatar?}}: {error}"
        ) from None
    return accounts


def leaderboard_key(player: Player) -> tuple[int, int, str, int]:
    """The contract's order: won descending, lost ascending, nickname; id keeps ties stable."""
    return (-player.won, player.lost, player.nickname, player.id)


@dataclass
class MemoryWorld:
    """A world held in this process's memory."""

    seed: int = 0
    size: int = 200
    locale: str = "en_US"
    demo_accounts: list[DemoAccount] = field(default_factory=list)
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.version = 0
        self.reset()

    # -- generation ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the freshly generated world: registrations, edits and sessions are dropped."""
        with self._lock:
            self._players: dict[int, Player] = {}
            self._by_email: dict[str, int] = {}
            self._sessions: dict[str, int] = {}
            self._player_sessions: dict[int, deque[str]] = {}
            self._ranking: list[Player] | None = None
            self._generated_avatars: dict[int, avatars.Image] = {}
            for player in generate_players(self.seed, self.size, self.locale, self.demo_accounts):
                self._add(player)

    def _add(self, player: Player) -> None:
        self._players[player.id] = player
        self._by_email[email_key(player.email)] = player.id
        self._changed()

    def _changed(self) -> None:
        self._ranking = None
        self.version += 1

    # -- accounts -----------------------------------------------------------------------------

    def register(self, email: str, password: str, nickname: str) -> Player:
        key = email_key(email)
        with self._lock:
            if key in self._by_email:
                raise WorldError("This email is already registered. Log in or use another email.")
            player_id = max(self._players, default=0) + 1
            player = Player(
                id=player_id,
                email=email.strip(),
                nickname=nickname,
                password_hash=hash_password(player_id, password),
                won=0,
                lost=0,
                play_time=0,
            )
            self._add(player)
            return player

    def authenticate(self, email: str, password: str) -> Player:
        key = email_key(email)
        with self._lock:
            player = self._players.get(self._by_email.get(key, -1))
            if player is None or player.password_hash != hash_password(player.id, password):
                raise WorldError("Wrong email or password.")
            return player

    def open_session(self, player_id: int) -> str:
        """A new session token; a player's oldest session ends past SESSIONS_PER_PLAYER, so
        logging in again and again cannot grow the world without bound."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = player_id
            tokens = self._player_sessions.setdefault(player_id, deque())
            tokens.append(token)
            if len(tokens) > SESSIONS_PER_PLAYER:
                self._sessions.pop(tokens.popleft(), None)
        return token

    def session_player(self, token: str) -> Player | None:
        with self._lock:
            player_id = self._sessions.get(token)
            return None if player_id is None else self._players.get(player_id)

    # -- profile ------------------------------------------------------------------------------

    def player(self, player_id: int) -> Player:
        with self._lock:
            return self._players[player_id]

    def players(self) -> list[Player]:
        with self._lock:
            return list(self._players.values())

    def update_profile(
        self,
        player_id: int,
        *,
        email: str | None = None,
        nickname: str | None = None,
        avatar: avatars.Image | None = None,
    ) -> Player:
        """Apply the fields given, all or none: a refused email leaves the nickname as it was."""
        with self._lock:
            player = self._players[player_id]
            changes: dict[str, object] = {}
            if email is not None and email.strip() != player.email:
                key = email_key(email)
                owner = self._by_email.get(key)
                if owner is not None and owner != player_id:
                    raise WorldError("This email is already used by another account.")
                del self._by_email[email_key(player.email)]
                self._by_email[key] = player_id
                changes["email"] = email.strip()
            if nickname is not None:
                changes["nickname"] = nickname
            if avatar is not None:
                changes["avatar"] = avatar
                changes["avatar_version"] = player.avatar_version + 1
            updated = replace(player, **changes)  # type: ignore[arg-type]
            self._players[player_id] = updated
            self._changed()
            return updated

    def avatar(self, player_id: int) -> avatars.Image:
        with self._lock:
            player = self._players[player_id]
            if player.avatar is not None:
                return player.avatar
            cached = self._generated_avatars.get(player_id)
        if cached is None:
            cached = avatars.identicon(f"{self.seed}:{player_id}")
            with self._lock:
                self._generated_avatars[player_id] = cached
        return cached

    def avatar_at(self, path: str) -> avatars.Image | None:
        """The avatar whose `avatar_path` is `path`; None for unknown and outdated paths."""
        directory, _, name = path.strip("/").rpartition("/")
        stem = name.rsplit(".", 1)[0]
        player_id, _, version = stem.partition("-")
        if directory != AVATAR_DIR or not player_id.isdigit() or not version.isdigit():
            return None
        with self._lock:
            player = self._players.get(int(player_id))
        if player is None or player.avatar_path != path.strip("/"):
            return None
        return self.avatar(player.id)

    # -- leaderboard --------------------------------------------------------------------------

    def records_page(self, page: int) -> RecordsPage:
        with self._lock:
            if self._ranking is None:
                self._ranking = sorted(self._players.values(), key=leaderboard_key)
            ranking = self._ranking
        pages_total = max(1, math.ceil(len(ranking) / self.page_size))
        start = (page - 1) * self.page_size
        return RecordsPage(page, pages_total, ranking[start : start + self.page_size])


def generate_players(
    seed: int, size: int, locale: str, demo_accounts: list[DemoAccount]
) -> list[Player]:
    """The seeded population: the demo accounts first, then `size` Faker players.

    Stats follow a long tail, as on a real site: most players have played a little, a few a lot;
    play time grows with the number of games.
    """
    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)
    players: list[Player] = []
    taken: set[str] = set()

    def stats() -> tuple[int, int, int]:
        games = int(rng.paretovariate(1.2) * 10) - 10
        won = rng.randint(0, games) if games else 0
        return won, games - won, games * rng.randint(120, 1800)

    for demo in demo_accounts:
        won, lost, play_time = stats()
        key = email_key(demo.email)
        taken.add(key)
        player_id = len(players) + 1
        players.append(
            Player(
                player_id,
                demo.email,
                demo.nickname,
                hash_password(player_id, demo.password),
                won,
                lost,
                play_time,
                demo.avatar,
            )
        )
    while len(players) < len(demo_accounts) + size:
        email = fake.email()
        if email_key(email) in taken:
            email = f"{len(players)}.{email}"
        taken.add(email_key(email))
        won, lost, play_time = stats()
        player_id = len(players) + 1
        players.append(
            Player(
                player_id,
                email,
                fake.user_name(),
                hash_password(player_id, fake.password()),
                won,
                lost,
                play_time,
            )
        )
    return players
