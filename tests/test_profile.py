"""Reading and editing the profile, and the avatar, through HTTP against a real mock process."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.support import ROOT, MockProcess, register, unique_email
from tests.test_accounts import assert_message

AVATARS = ROOT / "fixtures" / "avatars"


@pytest.fixture
def player(mock: MockProcess) -> Iterator[httpx.Client]:
    """A client logged in as a freshly registered player."""
    with mock.client() as c:
        assert register(c, nickname="Owner").status_code == 302
        yield c


def upload(path: Path, media_type: str = "application/octet-stream") -> dict[str, tuple]:
    return {"avatar": (path.name, path.read_bytes(), media_type)}


def test_profile_without_session_is_401(client: httpx.Client) -> None:
    assert_message(client.get("/api/profile"), 401)


def test_profile_with_forged_session_is_401(client: httpx.Client) -> None:
    client.cookies.set("session", "forged-token")
    assert_message(client.get("/api/profile"), 401)


def test_profile_is_json_with_digit_strings(player: httpx.Client) -> None:
    response = player.get("/api/profile")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    profile = response.json()
    assert set(profile) == {"nickname", "email", "won", "lost", "play_time", "avatar_path"}
    assert all(profile[name].isdigit() for name in ("won", "lost", "play_time"))
    assert "password" not in response.text


def test_patch_changes_only_the_fields_sent(player: httpx.Client) -> None:
    before = player.get("/api/profile").json()
    response = player.patch("/api/profile", files={"nickname": (None, "Renamed")})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.strip()
    after = player.get("/api/profile").json()
    assert after == {**before, "nickname": "Renamed"}


def test_patch_email_moves_the_login(mock: MockProcess, player: httpx.Client) -> None:
    new_email = unique_email("moved")
    assert player.patch("/api/profile", files={"email": (None, new_email)}).status_code == 200
    assert player.get("/api/profile").json()["email"] == new_email
    with mock.client() as other:
        login = other.post("/api/auth", data={"email": new_email, "password": "secret-1"})
        assert login.status_code == 302


def test_patch_email_taken_by_another_is_500_and_changes_nothing(
    mock: MockProcess, player: httpx.Client
) -> None:
    taken = unique_email("taken")
    with mock.client() as other:
        register(other, taken)
    before = player.get("/api/profile").json()
    response = player.patch(
        "/api/profile", files={"email": (None, taken), "nickname": (None, "Should not stick")}
    )
    assert_message(response, 500)
    assert player.get("/api/profile").json() == before


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("red.jpeg", "image/jpeg"),
        ("red.gif", "image/gif"),
        ("red.webp", "image/webp"),
        ("demo.png", "image/png"),
    ],
)
def test_patch_avatar_is_served_back(player: httpx.Client, name: str, media_type: str) -> None:
    sent = (AVATARS / name).read_bytes()
    assert player.patch("/api/profile", files=upload(AVATARS / name)).status_code == 200
    avatar = player.get("/api/avatar")
    assert avatar.status_code == 200
    assert avatar.headers["content-type"] == media_type
    assert avatar.content == sent
    path = player.get("/api/profile").json()["avatar_path"]
    assert path.endswith("." + media_type.split("/")[1])
    static = player.get("/" + path)
    assert (static.status_code, static.content) == (200, sent)
    assert static.headers["content-type"] == media_type


def test_generated_avatar_is_a_png(player: httpx.Client) -> None:
    avatar = player.get("/api/avatar")
    assert avatar.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(avatar.content)).format == "PNG"


def test_old_avatar_path_is_gone_after_upload(player: httpx.Client) -> None:
    old = player.get("/api/profile").json()["avatar_path"]
    player.patch("/api/profile", files=upload(AVATARS / "red.gif"))
    assert player.get("/" + old).status_code == 404


def big_png(size: int) -> bytes:
    """A valid PNG of at least `size` bytes (random pixels do not compress)."""
    side = int((size / 3) ** 0.5) + 8
    pixels = Image.frombytes("RGB", (side, side), bytes(range(256)) * (side * side * 3 // 256 + 1))
    noise = Image.effect_noise((side, side), 100).convert("RGB")
    out = io.BytesIO()
    Image.blend(pixels, noise, 0.5).save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) >= size
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ((AVATARS / "not-an-image.png").read_bytes(), "not an image"),
        ((AVATARS / "demo.png").read_bytes()[:200], "damaged"),
        (big_png(10 * 1024 * 1024), "too large"),
    ],
    ids=["text-named-png", "truncated-png", "10-MiB-png"],
)
def test_patch_bad_avatar_is_500_and_keeps_the_old_one(
    player: httpx.Client, content: bytes, expected: str
) -> None:
    before = player.get("/api/avatar").content
    response = player.patch("/api/profile", files={"avatar": ("a.png", content, "image/png")})
    assert_message(response, 500)
    assert expected in response.text
    assert player.get("/api/avatar").content == before


def test_patch_avatar_as_text_field_is_500(player: httpx.Client) -> None:
    response = player.patch("/api/profile", files={"avatar": (None, "just text")})
    assert_message(response, 500)
    assert "as a file" in response.text


def test_patch_empty_file_input_means_no_new_avatar(player: httpx.Client) -> None:
    before = player.get("/api/avatar").content
    response = player.patch(
        "/api/profile",
        files={"nickname": (None, "Kept"), "avatar": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 200
    assert player.get("/api/avatar").content == before
    assert player.get("/api/profile").json()["nickname"] == "Kept"


@pytest.mark.parametrize(
    ("field", "value"),
    [("nickname", ""), ("nickname", "y" * 65), ("email", "not-an-email"), ("email", "")],
)
def test_patch_invalid_fields_are_500(player: httpx.Client, field: str, value: str) -> None:
    before = player.get("/api/profile").json()
    response = player.patch("/api/profile", files={field: (None, value)})
    assert_message(response, 500)
    assert field in response.text
    assert player.get("/api/profile").json() == before


def test_patch_with_nothing_is_200_and_changes_nothing(player: httpx.Client) -> None:
    before = player.get("/api/profile").json()
    response = player.patch("/api/profile", files={"unknown": (None, "ignored")})
    assert response.status_code == 200
    assert player.get("/api/profile").json() == before


@pytest.mark.parametrize(("method", "path"), [("PATCH", "/api/profile"), ("GET", "/api/avatar")])
def test_session_is_required(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(
        method, path, files={"nickname": (None, "x")} if method == "PATCH" else None
    )
    assert_message(response, 401)


def test_one_players_patch_never_touches_another(mock: MockProcess) -> None:
    with mock.client() as alice, mock.client() as bob:
        register(alice, nickname="Alice")
        register(bob, nickname="Bob")
        bob_before = (bob.get("/api/profile").json(), bob.get("/api/avatar").content)
        alice.patch(
            "/api/profile", files={"nickname": (None, "Alice2"), **upload(AVATARS / "red.webp")}
        )
        assert (bob.get("/api/profile").json(), bob.get("/api/avatar").content) == bob_before
        assert alice.get("/api/profile").json()["nickname"] == "Alice2"


def test_malformed_cookie_header_is_401_not_a_crash(client: httpx.Client) -> None:
    response = client.get("/api/profile", headers={"Cookie": 'a="\\x; session'})
    assert_message(response, 401)


def test_session_found_among_other_cookies(player: httpx.Client) -> None:
    token = player.cookies["session"]
    player.cookies.clear()
    headers = {"Cookie": f'theme=dark; broken="; session={token}; lang=ru'}
    assert player.get("/api/profile", headers=headers).status_code == 200


def test_broken_multipart_is_a_contract_error(player: httpx.Client) -> None:
    response = player.patch(
        "/api/profile",
        content=b"--xyz\r\n[not a header]: x\r\n\r\nvalue\r\n--xyz--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert_message(response, 500)
    assert "form data is broken" in response.text
