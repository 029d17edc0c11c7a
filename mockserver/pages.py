"""What the mock serves besides the API: the pages redirects land on, and avatar files.

The contract's 302 answers send the browser to `/profile` (after registering) or to the Referer
(after logging in, by default `/`). `fetch()` follows those redirects on its own, so without
these pages a frontend on another origin would see a 404 after every successful login. They are
small stand-ins for the real frontend's pages, not part of the contract.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from mockserver.world import DemoAccount, World

DOCS_PATH = "/docs"
SPEC_PATH = "/openapi.json"


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}</html>"
    )


class Pages:
    def __init__(self, world: World, demo_accounts: list[DemoAccount]) -> None:
        self.world = world
        self.demo_accounts = demo_accounts

    async def home(self, request: Request) -> Response:
        logins = "".join(
            f"<li><code>{html.escape(a.email)}</code> / <code>{html.escape(a.password)}</code></li>"
            for a in self.demo_accounts
        )
        return page(
            "Game site API mock",
            "<p>This server plays the game site's backend for frontend development.</p>"
            f'<p>The contract: <a href="{DOCS_PATH}/">Swagger UI</a>, '
            f'<a href="{SPEC_PATH}">OpenAPI document</a>.</p>'
            f"<p>Demo logins:</p><ul>{logins}</ul>",
        )

    async def profile(self, request: Request) -> Response:
        return page(
            "Profile",
            "<p>The mock's stand-in for the frontend's <code>/profile</code> page, where "
            "<code>POST /api/register</code> redirects. The data is at "
            '<a href="/api/profile"><code>GET /api/profile</code></a>.</p>',
        )

    async def avatar_file(self, request: Request) -> Response:
        """`/<avatar_path>`: the avatar a profile points at, public like any static file."""
        image = self.world.avatar_at(request.url.path)
        if image is None:
            return PlainTextResponse("No such avatar.", status_code=404)
        return Response(image.data, media_type=image.media_type)
