"""The operations of the contract, one method per `operationId`.

Connexion has already routed and validated the request against the spec when a method runs:
the form fields are present and well-formed, `page` is an integer of at least 1, and the
session cookie named by the spec's security scheme belongs to a player (`user` is their id).
What is left here is what the spec cannot say: the world's rules (taken emails, passwords,
images) and where to redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from connexion import context
from connexion.lifecycle import ConnexionResponse
from starlette.datastructures import UploadFile

from mockserver import avatars
from mockserver.answers import Answers
from mockserver.world import Player, World, WorldError

SESSION_COOKIE_ATTRIBUTES = "HttpOnly; Path=/; SameSite=Lax"


def same_origin_target(referer: str | None, scheme: str, host: str) -> str:
    """Where `/api/auth` sends the user back: the Referer if it is ours, else `/`.

    A path (`/profile`) or a full URL of the server's own origin is followed; anything else,
    including a missing header and a protocol-relative `//evil.example`, is not (no open
    redirect).
    """
    if not referer:
        return "/"
    if referer.startswith("/") and not referer.startswith("//") and "\\" not in referer:
        return referer
    try:
        parts = urlsplit(referer)
    except ValueError:
        return "/"
    if parts.scheme == scheme and parts.netloc.lower() == host.lower() and parts.netloc:
        return referer
    return "/"


class Handlers:
    def __init__(self, world: World, answers: Answers, cookie_name: str) -> None:
        self.world = world
        self.answers = answers
        self.cookie_name = cookie_name

    # -- security ---------------------------------------------------------------------------

    def session_info(self, token: str) -> dict[str, Any] | None:
        """Connexion's apiKey info function: the player behind a session cookie, if any."""
        player = self.world.session_player(token)
        return None if player is None else {"sub": player.id}

    def _logged_in(self, player: Player, location: str) -> ConnexionResponse:
        token = self.world.open_session(player.id)
        return ConnexionResponse(
            status_code=302,
            body=b"",
            headers={
                "Location": location,
                "Set-Cookie": f"{self.cookie_name}={token}; {SESSION_COOKIE_ATTRIBUTES}",
            },
        )

    # -- account ----------------------------------------------------------------------------

    async def register(self, body: dict[str, Any]) -> ConnexionResponse:
        try:
            player = self.world.register(body["email"], body["password"], body["nickname"])
        except WorldError as error:
            return self.answers.message("register", 500, str(error))
        return self._logged_in(player, "/profile")

    async def auth(self, body: dict[str, Any]) -> ConnexionResponse:
        try:
            player = self.world.authenticate(body["email"], body["password"])
        except WorldError as error:
            return self.answers.message("auth", 500, str(error))
        request = context.request
        target = same_origin_target(
            request.headers.get("referer"), request.url.scheme, request.headers.get("host", "")
        )
        return self._logged_in(player, target)

    # -- profile ----------------------------------------------------------------------------

    async def get_profile(self, user: int) -> ConnexionResponse:
        player = self.world.player(user)
        profile = {
            "nickname": player.nickname,
            "email": player.email,
            "won": str(player.won),
            "lost": str(player.lost),
            "play_time": str(player.play_time),
            "avatar_path": player.avatar_path,
        }
        return self.answers.payload("get_profile", 200, profile, key=str(player.id))

    async def patch_profile(
        self, user: int, body: dict[str, Any] | None = None, avatar: Any = None
    ) -> ConnexionResponse:
        fields = body or {}
        try:
            image = await read_avatar_field(avatar if avatar is not None else fields.get("avatar"))
            self.world.update_profile(
                user, email=fields.get("email"), nickname=fields.get("nickname"), avatar=image
            )
        except (WorldError, avatars.AvatarError) as error:
            return self.answers.message("patch_profile", 500, str(error))
        changed = [name for name in ("email", "nickname") if fields.get(name) is not None]
        if image is not None:
            changed.append("avatar")
        text = f"Saved: {', '.join(changed)}." if changed else "Nothing to change."
        return self.answers.message("patch_profile", 200, text)

    async def get_avatar(self, user: int) -> ConnexionResponse:
        image = self.world.avatar(user)
        return ConnexionResponse(
            status_code=200,
            body=image.data,
            content_type=image.media_type,
            mimetype=image.media_type,
        )

    # -- records ----------------------------------------------------------------------------

    async def get_records(self, page: int = 1) -> ConnexionResponse:
        result = self.world.records_page(page)
        payload = {
            "pages_total": str(result.pages_total),
            "page": str(result.page),
            "data": [
                {
                    "nickname": player.nickname,
                    "won": str(player.won),
                    "lost": str(player.lost),
                    "play_time": str(player.play_time),
                }
                for player in result.players
            ],
        }
        return self.answers.payload("get_records", 200, payload, key=str(page))


async def read_avatar_field(field: Any) -> avatars.Image | None:
    """The avatar part of a PATCH as an image; None when no file was chosen.

    Browsers send an empty part with an empty file name for a file input left blank: that is
    "no new avatar", not a broken one. A plain text value where a file belongs is refused.
    """
    if field is None:
        return None
    if isinstance(field, UploadFile):
        if not field.filename and not field.size:
            return None
        data = await field.read(avatars.MAX_AVATAR_BYTES + 1)
        return avatars.read_upload(data)
    if field == "":
        return None
    raise avatars.AvatarError("The avatar must be sent as a file, not as a text field.")
