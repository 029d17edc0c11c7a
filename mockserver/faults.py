"""The fault catalogue: every invalid answer the mock can give on demand, in one table.

The API document warns that bugs, server trouble and the network will deliver invalid answers
and that frontends must cope. Each entry below is one such answer: its name (what you put in
`X-Mock-Fault`, `__fault=` or a fault profile), a one-line description, the operations it
applies to, what a client observes, and the function that produces it. The mock injects from
this table; the tests (and the conformance suite's detection tests) read the same table, so a
new kind cannot be added without them noticing.

An injector receives the `Exchange` (the request, the world, and a way to get the genuine
answer) and returns the `Reply` to send, or `DROP` to close the connection without one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import cookie_parser

from mockserver import handlers as handlers_module

# -- what injectors work with ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """An HTTP answer to send. `declared_length` overrides Content-Length (to cut bodies short)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    declared_length: int | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def without(self, name: str) -> Reply:
        return replace(self, headers=[(k, v) for k, v in self.headers if k.lower() != name.lower()])

    def with_header(self, name: str, value: str) -> Reply:
        return replace(self.without(name), headers=[*self.without(name).headers, (name, value)])


DROP = None
"""Returned by an injector: close the connection without any answer."""


@dataclass
class Exchange:
    """One request on its way through a fault."""

    operation_id: str
    method: str
    path: str
    query_string: bytes
    headers: list[tuple[str, str]]
    body: bytes
    world: Any
    answers: Any
    rng: Any
    settings: FaultSettings
    call_upstream: Callable[[bytes, list[tuple[str, str]], bytes], Awaitable[Reply]]
    wait_for_disconnect: Callable[[float], Awaitable[None]]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_string.decode("latin-1"), keep_blank_values=True))

    async def upstream(
        self,
        *,
        query: dict[str, str] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> Reply:
        """The genuine answer, optionally to a rewritten request."""
        query_string = urlencode(query).encode() if query is not None else self.query_string
        return await self.call_upstream(query_string, headers or self.headers, self.body)


@dataclass(frozen=True)
class FaultSettings:
    """Tunables of the transport faults (seconds)."""

    latency: float = 2.0
    latency_random: tuple[float, float] = (0.1, 3.0)
    hang_limit: float = 300.0


Injector = Callable[[Exchange], Awaitable[Reply | None]]

JSON_OPERATIONS = frozenset({"get_profile", "get_records"})
REDIRECT_OPERATIONS = frozenset({"register", "auth"})


@dataclass(frozen=True)
class Fault:
    name: str
    category: str
    description: str
    observed: str
    inject: Injector = field(repr=False)
    applies_to: frozenset[str] | None = None
    """operationIds it applies to; None: every operation of the contract."""
    in_quick_mix: bool = True
    """Part of the `--fault-rate` mix (hangs and silent backend bugs are not)."""
    needs_socket: bool = False
    """Only observable against a real server process (it acts on the connection)."""
    breaks_contract: bool = True
    """False for faults whose answer is still a valid one (only late)."""

    def applies(self, operation_id: str) -> bool:
        return self.applies_to is None or operation_id in self.applies_to


# -- helpers ---------------------------------------------------------------------------------


def text_reply(status: int, body: str, media_type: str, *extra: tuple[str, str]) -> Reply:
    return Reply(status, [("content-type", f"{media_type}; charset=utf-8"), *extra], body.encode())


def proxy_page(status: int, reason: str) -> Reply:
    """The page a reverse proxy (nginx) shows when the backend behind it is in trouble."""
    title = f"{status} {reason}"
    html = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return text_reply(status, html, "text/html", ("server", "nginx/1.24.0"))


def json_of(reply: Reply) -> Any:
    return json.loads(reply.body)


def with_json(reply: Reply, value: Any) -> Reply:
    return replace(reply, body=json.dumps(value, ensure_ascii=False).encode())


async def genuine_json(ex: Exchange) -> tuple[Reply, Any]:
    """The genuine answer and its JSON, or (answer, None) when it is not a JSON 2xx."""
    reply = await ex.upstream()
    if reply.status != 200 or not (reply.header("content-type") or "").startswith(
        "application/json"
    ):
        return reply, None
    return reply, json_of(reply)


def first_record_like(value: Any) -> list[dict[str, Any]]:
    """The objects a body fault works on: the profile, or each records item."""
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        return [item for item in value["data"] if isinstance(item, dict)]
    return [value] if isinstance(value, dict) else []


# -- status ----------------------------------------------------------------------------------


def status_page(status: int, reason: str) -> Injector:
    async def inject(ex: Exchange) -> Reply:
        return proxy_page(status, reason)

    return inject


async def too_many_requests(ex: Exchange) -> Reply:
    return text_reply(429, "Too Many Requests", "text/plain", ("retry-after", "30"))


DEBUG_PAGE = """<!doctype html>
<html><head><title>ZeroDivisionError at {path}</title></head>
<body><h1>ZeroDivisionError at {path}</h1><pre class="exception_value">division by zero</pre>
<h2>Traceback</h2><pre id="traceback">Traceback (most recent call last):
  File "/srv/game/app/views.py", line 88, in handle
    ratio = player.won / player.lost
ZeroDivisionError: division by zero</pre>
<p>You're seeing this error because you have DEBUG = True in your settings file.</p>
</body></html>
"""


async def debug_page(ex: Exchange) -> Reply:
    return text_reply(500, DEBUG_PAGE.format(path=ex.path), "text/html")


async def empty_500(ex: Exchange) -> Reply:
    return Reply(500, [("content-type", "text/plain; charset=utf-8")], b"")


# -- body ------------------------------------------------------------------------------------


async def truncated_json(ex: Exchange) -> Reply:
    reply = await ex.upstream()
    return replace(reply, body=reply.body[: max(1, len(reply.body) // 2)])


async def malformed_json(ex: Exchange) -> Reply:
    """Python's repr instead of JSON: single quotes, as a backend printing a dict would send."""
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    return replace(reply, body=repr(value).encode())


def to_integers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: to_integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_integers(item) for item in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


async def numbers_as_integers(ex: Exchange) -> Reply:
    reply, value = await genuine_json(ex)
    return reply if value is None else with_json(reply, to_integers(value))


async def missing_field(ex: Exchange) -> Reply:
    """The first required field is left out: `nickname` from the profile, `pages_total` from
    a records page."""
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    value.pop("pages_total" if "pages_total" in value else "nickname", None)
    return with_json(reply, value)


async def extra_fields(ex: Exchange) -> Reply:
    """A leak: each records item gains the player's email, the profile a password hash."""
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    if "data" in value:
        for index, item in enumerate(first_record_like(value)):
            item["email"] = f"player{index}@leak.example"
    else:
        value["password_hash"] = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
    return with_json(reply, value)


async def null_values(ex: Exchange) -> Reply:
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    for record in first_record_like(value):
        for key in ("won", "lost", "play_time", "avatar_path"):
            if key in record:
                record[key] = None
    return with_json(reply, value)


async def empty_200(ex: Exchange) -> Reply:
    reply = await ex.upstream()
    return replace(reply, status=200, body=b"")


async def wrong_content_type(ex: Exchange) -> Reply:
    reply = await ex.upstream()
    return reply.with_header("content-type", "text/html; charset=utf-8")


async def invalid_utf8(ex: Exchange) -> Reply:
    """Latin-1 bytes where UTF-8 is declared: a nickname with a byte no UTF-8 text contains."""
    reply = await ex.upstream()
    marker = b'"nickname": "'
    if marker not in reply.body:
        return replace(reply, body=b"\xff\xfe" + reply.body)
    return replace(reply, body=reply.body.replace(marker, marker + b"\xff\xfe", 1))


async def avatar_not_image(ex: Exchange) -> Reply:
    reply = await ex.upstream()
    if reply.status != 200:
        return reply
    return replace(reply, body=b"<html><body>Avatar storage unavailable</body></html>\n")


# -- protocol --------------------------------------------------------------------------------


def redirect_fault(change: Callable[[Reply], Reply]) -> Injector:
    async def inject(ex: Exchange) -> Reply:
        reply = await ex.upstream()
        return change(reply) if reply.status == 302 else reply

    return inject


def cookie_without_httponly(reply: Reply) -> Reply:
    cookie = reply.header("set-cookie") or ""
    parts = [p for p in cookie.split(";") if p.strip().lower() != "httponly"]
    return reply.with_header("set-cookie", ";".join(parts))


# -- transport -------------------------------------------------------------------------------


async def fixed_latency(ex: Exchange) -> Reply:
    await asyncio.sleep(ex.settings.latency)
    return await ex.upstream()


async def random_latency(ex: Exchange) -> Reply:
    low, high = ex.settings.latency_random
    await asyncio.sleep(ex.rng.uniform(low, high))
    return await ex.upstream()


async def hang(ex: Exchange) -> None:
    await ex.wait_for_disconnect(ex.settings.hang_limit)
    return DROP


async def drop(ex: Exchange) -> None:
    return DROP


async def body_cut_short(ex: Exchange) -> Reply:
    reply = await ex.upstream()
    return replace(
        reply, body=reply.body[: len(reply.body) // 2], declared_length=len(reply.body) + 100
    )


# -- semantic --------------------------------------------------------------------------------


async def records_unsorted(ex: Exchange) -> Reply:
    """The page's items in the wrong order: worst first."""
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    items = value.get("data", [])
    value["data"] = sorted(items, key=lambda i: (int(i["won"]), -int(i["lost"])))
    if value["data"] == items and len(items) > 1:
        value["data"] = items[1:] + items[:1]
    return with_json(reply, value)


async def records_page_ignored(ex: Exchange) -> Reply:
    """Page 1's items whatever page was asked for (the `page` field still echoes the request)."""
    asked = ex.query().get("page", "1")
    reply = await ex.upstream(query={**ex.query(), "page": "1"})
    if reply.status != 200:
        return reply
    value = json_of(reply)
    value["page"] = asked
    return with_json(reply, value)


async def records_pages_total_wrong(ex: Exchange) -> Reply:
    reply, value = await genuine_json(ex)
    if value is None:
        return reply
    value["pages_total"] = str(int(value["pages_total"]) + 5)
    return with_json(reply, value)


async def patch_not_saved(ex: Exchange) -> Reply:
    """200 and a success message, and nothing stored (the session is still checked)."""
    token = cookie_parser(ex.header("cookie") or "").get(ex.answers.contract.cookie_name())
    if token is None or ex.world.session_player(token) is None:
        return await ex.upstream()
    message = ex.answers.message(ex.operation_id, 200, "Saved.")
    return Reply(200, [("content-type", message.content_type)], message.body)


async def someone_elses_profile(ex: Exchange) -> Reply:
    """A request without a valid session gets the first player's profile instead of 401."""
    reply = await ex.upstream()
    if reply.status != 401:
        return reply
    victim = min(ex.world.players(), key=lambda p: p.id)
    token = ex.world.open_session(victim.id)
    cookie = f"{ex.answers.contract.cookie_name()}={token}"
    headers = [(k, v) for k, v in ex.headers if k.lower() != "cookie"] + [("cookie", cookie)]
    return await ex.upstream(headers=headers)


def player_named_in_form(ex: Exchange) -> Any:
    """The existing player whose email the request's form names, if any."""
    email = ex.form().get("email", "").strip().casefold()
    return next((p for p in ex.world.players() if p.email.casefold() == email), None)


async def duplicate_email_accepted(ex: Exchange) -> Reply:
    """Registering a taken email "succeeds": 302 and a session for the existing account."""
    reply = await ex.upstream()
    player = player_named_in_form(ex) if reply.status != 302 else None
    return reply if player is None else session_redirect(ex, player.id, "/profile")


async def wrong_password_accepted(ex: Exchange) -> Reply:
    """Any password logs in to an existing account."""
    reply = await ex.upstream()
    player = player_named_in_form(ex) if reply.status != 302 else None
    if player is None:
        return reply
    host = ex.header("host") or ""
    target = handlers_module.same_origin_target(ex.header("referer"), "http", host)
    return session_redirect(ex, player.id, target)


def session_redirect(ex: Exchange, player_id: int, location: str) -> Reply:
    token = ex.world.open_session(player_id)
    name, attributes = ex.answers.contract.cookie_name(), handlers_module.SESSION_COOKIE_ATTRIBUTES
    cookie = f"{name}={token}; {attributes}"
    return Reply(302, [("location", location), ("set-cookie", cookie)])


# -- the catalogue ---------------------------------------------------------------------------

RECORDS = frozenset({"get_records"})

CATALOGUE: tuple[Fault, ...] = (
    # HTTP status: a proxy, a gateway or the framework answers instead of the API.
    Fault(
        "status-502",
        "status",
        "A proxy in front of the backend cannot reach it.",
        "502 with nginx's HTML page",
        status_page(502, "Bad Gateway"),
    ),
    Fault(
        "status-503",
        "status",
        "The backend is down for maintenance or overloaded.",
        "503 with nginx's HTML page",
        status_page(503, "Service Temporarily Unavailable"),
    ),
    Fault(
        "status-504",
        "status",
        "The backend took too long for the proxy.",
        "504 with nginx's HTML page",
        status_page(504, "Gateway Time-out"),
    ),
    Fault(
        "status-404",
        "status",
        "A wrong route on the server or proxy.",
        "404 with an HTML page",
        status_page(404, "Not Found"),
    ),
    Fault(
        "status-400",
        "status",
        "The server refuses the request as malformed.",
        "400 with an HTML page",
        status_page(400, "Bad Request"),
    ),
    Fault(
        "status-403",
        "status",
        "A firewall or CSRF check forbids the request.",
        "403 with an HTML page",
        status_page(403, "Forbidden"),
    ),
    Fault(
        "status-429",
        "status",
        "Rate limited.",
        "429 with Retry-After: 30 and a plain-text body",
        too_many_requests,
    ),
    Fault(
        "status-500-debug",
        "status",
        "An unhandled exception with debug mode left on.",
        "500 with an HTML debug page and a stack trace",
        debug_page,
    ),
    Fault(
        "status-500-empty",
        "status",
        "An unhandled exception, nothing to show.",
        "500 with an empty body",
        empty_500,
    ),
    # Body: the right status, a broken answer.
    Fault(
        "json-truncated",
        "body",
        "The JSON is cut in the middle.",
        "200 application/json whose body does not parse",
        truncated_json,
        JSON_OPERATIONS,
    ),
    Fault(
        "json-malformed",
        "body",
        "Not JSON at all: a Python dict's repr with single quotes.",
        "200 application/json whose body does not parse",
        malformed_json,
        JSON_OPERATIONS,
    ),
    Fault(
        "numbers-as-integers",
        "body",
        "Stats as JSON numbers instead of digit strings.",
        'won/lost/play_time (and page numbers) as 100500, not "100500"',
        numbers_as_integers,
        JSON_OPERATIONS,
    ),
    Fault(
        "field-missing",
        "body",
        "A required field is missing.",
        "the profile without nickname; the records page without pages_total",
        missing_field,
        JSON_OPERATIONS,
    ),
    Fault(
        "extra-fields",
        "body",
        "Fields that must not be there (a leak).",
        "an email in every records item; a password hash in the profile",
        extra_fields,
        JSON_OPERATIONS,
    ),
    Fault(
        "null-values",
        "body",
        "null where strings belong.",
        "won, lost, play_time (and avatar_path) are null",
        null_values,
        JSON_OPERATIONS,
    ),
    Fault(
        "empty-200",
        "body",
        "A success with nothing in it.",
        "200 with the usual Content-Type and an empty body",
        empty_200,
        JSON_OPERATIONS,
    ),
    Fault(
        "wrong-content-type",
        "body",
        "JSON labelled as HTML.",
        "the JSON body with Content-Type: text/html",
        wrong_content_type,
        JSON_OPERATIONS,
    ),
    Fault(
        "invalid-utf8",
        "body",
        "Bytes that are not UTF-8 in a UTF-8 body.",
        "a nickname starting with the bytes FF FE",
        invalid_utf8,
        JSON_OPERATIONS,
    ),
    Fault(
        "avatar-not-image",
        "body",
        "The avatar endpoint serves an error page as the image.",
        "200 image/... whose bytes are HTML",
        avatar_not_image,
        frozenset({"get_avatar"}),
    ),
    # Protocol: the login flow's redirect and cookie, broken.
    Fault(
        "redirect-no-location",
        "protocol",
        "A 302 that says nowhere to go.",
        "302 without Location",
        redirect_fault(lambda r: r.without("location")),
        REDIRECT_OPERATIONS,
    ),
    Fault(
        "redirect-no-cookie",
        "protocol",
        "A 302 that forgets the session.",
        "302 without Set-Cookie",
        redirect_fault(lambda r: r.without("set-cookie")),
        REDIRECT_OPERATIONS,
    ),
    Fault(
        "cookie-not-httponly",
        "protocol",
        "The session cookie readable by scripts.",
        "Set-Cookie without HttpOnly",
        redirect_fault(cookie_without_httponly),
        REDIRECT_OPERATIONS,
    ),
    Fault(
        "redirect-foreign",
        "protocol",
        "An open redirect to another site.",
        "302 with Location: https://evil.example/phish",
        redirect_fault(lambda r: r.with_header("location", "https://evil.example/phish")),
        REDIRECT_OPERATIONS,
    ),
    # Transport: the network and the server's socket.
    Fault(
        "latency",
        "transport",
        "A slow answer (2 s by default).",
        "the genuine answer, late",
        fixed_latency,
        needs_socket=True,
        breaks_contract=False,
    ),
    Fault(
        "latency-random",
        "transport",
        "A slow answer, 0.1 to 3 s drawn from the fault seed.",
        "the genuine answer, late by a varying delay",
        random_latency,
        needs_socket=True,
        breaks_contract=False,
    ),
    Fault(
        "hang",
        "transport",
        "No answer until the client gives up.",
        "nothing: the client's timeout fires",
        hang,
        in_quick_mix=False,
        needs_socket=True,
    ),
    Fault(
        "drop",
        "transport",
        "The connection closes with no answer.",
        "a connection reset or an empty reply",
        drop,
        needs_socket=True,
    ),
    Fault(
        "body-cut-short",
        "transport",
        "The connection closes in the middle of the body.",
        "Content-Length larger than the bytes that arrive",
        body_cut_short,
        needs_socket=True,
    ),
    # Semantic: backend bugs a schema cannot see.
    Fault(
        "records-unsorted",
        "semantic",
        "The leaderboard page is not in order.",
        "items worst first",
        records_unsorted,
        RECORDS,
        in_quick_mix=False,
    ),
    Fault(
        "records-page-ignored",
        "semantic",
        "Every page shows page 1.",
        "the same items whatever `page` is",
        records_page_ignored,
        RECORDS,
        in_quick_mix=False,
    ),
    Fault(
        "records-pages-total-wrong",
        "semantic",
        "pages_total counts pages that are not there.",
        "pages_total 5 more than there are",
        records_pages_total_wrong,
        RECORDS,
        in_quick_mix=False,
    ),
    Fault(
        "patch-not-saved",
        "semantic",
        "PATCH says saved and stores nothing.",
        "200 and a message; the profile is unchanged",
        patch_not_saved,
        frozenset({"patch_profile"}),
        in_quick_mix=False,
    ),
    Fault(
        "profile-someone-else",
        "semantic",
        "No session, yet a profile: someone else's.",
        "200 with the first player's profile instead of 401",
        someone_elses_profile,
        frozenset({"get_profile"}),
        in_quick_mix=False,
    ),
    Fault(
        "register-duplicate-email",
        "semantic",
        "A taken email registers again.",
        "302 and a session instead of 500",
        duplicate_email_accepted,
        frozenset({"register"}),
        in_quick_mix=False,
    ),
    Fault(
        "auth-wrong-password",
        "semantic",
        "Any password logs in.",
        "302 and a session for a wrong password",
        wrong_password_accepted,
        frozenset({"auth"}),
        in_quick_mix=False,
    ),
)

BY_NAME: dict[str, Fault] = {fault.name: fault for fault in CATALOGUE}


class UnknownFault(ValueError):
    """A fault name not in the catalogue; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown fault {name!r}; known faults: {', '.join(BY_NAME)}")
        self.name = name


def fault(name: str) -> Fault:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownFault(name) from None


def describe() -> list[dict[str, Any]]:
    """The catalogue as data, for the admin API and documentation."""
    return [
        {
            "name": f.name,
            "category": f.category,
            "description": f.description,
            "observed": f.observed,
            "applies_to": sorted(f.applies_to) if f.applies_to is not None else "all",
            "in_quick_mix": f.in_quick_mix,
            "breaks_contract": f.breaks_contract,
        }
        for f in CATALOGUE
    ]
