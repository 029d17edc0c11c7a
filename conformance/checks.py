"""The suite's checks: each one small function with one reason to fail.

A check receives what it judges (an exchange, sometimes with what the flow knows) and returns
None when the contract holds, or a sentence saying what came instead. Its name, severity and
the one-line statement of what conforming means are registered with it; `--only` and `--skip`
select checks by these names.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from conformance.findings import Check, Severity
from conformance.target import Exchange

CheckFunction = Callable[..., str | None]
CHECKS: dict[str, Check] = {}
FUNCTIONS: dict[str, CheckFunction] = {}

V, A = Severity.VIOLATION, Severity.ADVISORY


def check(name: str, severity: Severity, title: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[name] = Check(name, severity, title)
        FUNCTIONS[name] = function
        function.check_name = name  # type: ignore[attr-defined]
        return function

    return register


def schema_check(name: str, title: str) -> None:
    """A check carried out by Schemathesis (see schema.py), registered for selection."""
    CHECKS[name] = Check(name, V, title)


schema_check("schema.status", "the status code is one the contract documents for the operation")
schema_check("schema.body", "the body parses and matches the documented schema")
schema_check("schema.content-type", "the Content-Type is one the contract documents")
schema_check("schema.headers", "documented headers are present and valid")
schema_check("input.negative", "invalid input is refused (401 or the documented 500)")

# -- every answer -----------------------------------------------------------------------------

DEBUG_SIGNS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\bat [\w.$]+\([\w]+\.java:\d+\)"
    r"|Exception in thread|DEBUG = True|Stack trace:|Whoops, looks like something went wrong"
    r"|<b>(?:Fatal|Parse) error</b>",
)
SECRET_KEYS = re.compile(r'"[^"]*(?:pass(?:word)?|hash|secret|salt)[^"]*"\s*:', re.IGNORECASE)
EMAIL = re.compile(r"[^@\s\"']+@[^@\s\"']+\.[^@\s\"']+")


@check("transport", V, "every request gets a complete HTTP answer")
def transport(ex: Exchange) -> str | None:
    if ex.error and not ex.error.startswith("no answer within"):
        return ex.error
    if ex.truncated:
        return "the body is larger than the suite reads (8 MiB)"
    return None


@check("time.timeout", V, "every request is answered within the timeout")
def timeout(ex: Exchange) -> str | None:
    return ex.error if ex.error and ex.error.startswith("no answer within") else None


@check("time.slow", A, "answers come quickly (within the --slow threshold)")
def slow(ex: Exchange, threshold: float) -> str | None:
    if ex.response is not None and ex.elapsed > threshold:
        return f"answered in {ex.elapsed:.2f} s"
    return None


@check("errors.message", V, "an error answer's body is a non-empty, plain message for the user")
def error_message(ex: Exchange) -> str | None:
    if ex.status is None or ex.status < 400:
        return None
    media_type = (ex.header("content-type") or "").split(";")[0].strip().lower()
    if not ex.body.strip():
        return f"{ex.status} with an empty body"
    if media_type == "text/html" or ex.text.lstrip().lower().startswith(("<!doctype", "<html")):
        return f"{ex.status} with an HTML page instead of a message"
    if not (media_type.startswith("text/") or media_type.endswith("json")):
        return f"{ex.status} with a {media_type or 'untyped'} body instead of a text message"
    return None


@check("errors.no-debug", V, "no answer shows a debug page or a stack trace")
def no_debug(ex: Exchange) -> str | None:
    found = DEBUG_SIGNS.search(ex.text) if ex.response is not None else None
    return f"{ex.status} containing {found.group(0)!r}" if found else None


@check("privacy.no-secrets", V, "no answer contains a password or a password hash")
def no_secrets(ex: Exchange, passwords: Sequence[str]) -> str | None:
    if ex.response is None or (ex.header("content-type") or "").startswith("image/"):
        return None
    key = SECRET_KEYS.search(ex.text)
    if key:
        return f"a field {key.group(0).rstrip(': ')} in the answer"
    leaked = next((p for p in passwords if len(p) >= 6 and p in ex.text), None)
    return "a password the suite registered appears in the answer" if leaked else None


# -- sessions and redirects --------------------------------------------------------------------


def set_cookies(ex: Exchange) -> list[str]:
    return ex.response.headers.get_list("set-cookie") if ex.response is not None else []


@check("session.cookie", V, "register and auth answer 302 with a session cookie")
def session_cookie(ex: Exchange) -> str | None:
    if ex.status != 302:
        return f"status {ex.status}" if ex.status is not None else None
    return None if set_cookies(ex) else "302 without Set-Cookie"


@check("session.httponly", V, "the session cookie is HttpOnly (scripts cannot read it)")
def session_httponly(ex: Exchange) -> str | None:
    cookies = set_cookies(ex)
    flagged = [c for c in cookies if "httponly" in [p.strip().lower() for p in c.split(";")]]
    if cookies and not flagged:
        return f"Set-Cookie: {cookies[0]}"
    return None


@check("redirect.same-origin", V, "a 302 never sends the user to another site (no open redirect)")
def same_origin_redirect(ex: Exchange, origin: str) -> str | None:
    location = ex.header("location")
    if ex.status != 302 or not location:
        return None
    parts = urlsplit(location)
    if location.startswith("//") or (parts.scheme and f"{parts.scheme}://{parts.netloc}" != origin):
        return f"Location: {location}"
    return None


@check("register.redirect", V, "registering answers 302 with Location: /profile")
def register_redirect(ex: Exchange) -> str | None:
    if ex.status != 302:
        return f"status {ex.status}"
    location = ex.header("location")
    return None if location == "/profile" else f"Location: {location}"


@check("session.works", V, "the session cookie from register/auth opens GET /api/profile")
def session_works(ex: Exchange) -> str | None:
    return None if ex.status == 200 else f"GET /api/profile with the cookie: {ex.status}"


@check("register.profile", V, "the new profile shows the registered email and nickname")
def register_profile(ex: Exchange, email: str, nickname: str) -> str | None:
    body = json_body(ex)
    if not isinstance(body, dict):
        return "no JSON profile"
    shown = (body.get("email"), body.get("nickname"))
    if (str(shown[0]).casefold(), shown[1]) != (email.casefold(), nickname):
        return f"email {shown[0]!r}, nickname {shown[1]!r}"
    return None


@check("register.duplicate-email", V, "registering a taken email is refused with 500")
def duplicate_email(ex: Exchange) -> str | None:
    if ex.status == 500:
        return None
    return f"status {ex.status}" + (" with a session cookie" if set_cookies(ex) else "")


@check("register.duplicate-nickname", A, "a second account may take a nickname already in use")
def duplicate_nickname(ex: Exchange) -> str | None:
    return None if ex.status == 302 else f"status {ex.status}: {ex.text[:100]}"


@check("auth.wrong-password", V, "a wrong password is refused with 500 and no session")
def wrong_password(ex: Exchange) -> str | None:
    if ex.status == 500 and not set_cookies(ex):
        return None
    return f"status {ex.status}" + (" with a session cookie" if set_cookies(ex) else "")


@check("auth.redirect", V, "logging in redirects to the same-origin Referer, or / without one")
def auth_redirect(ex: Exchange, expected: str) -> str | None:
    if ex.status != 302:
        return f"status {ex.status}"
    location = ex.header("location")
    return None if location == expected else f"Location: {location} (expected {expected})"


# -- profile, PATCH, avatar --------------------------------------------------------------------


@check("profile.unauthorized", V, "without a valid session the profile, PATCH and avatar are 401")
def unauthorized(ex: Exchange) -> str | None:
    return None if ex.status == 401 else f"status {ex.status}"


@check("patch.saved", V, "the changes a PATCH makes show in the next GET /api/profile")
def patch_saved(ex: Exchange, expected: dict[str, str]) -> str | None:
    body = json_body(ex)
    if not isinstance(body, dict):
        return "no JSON profile after the PATCH"
    wrong = {k: body.get(k) for k, v in expected.items() if str(body.get(k)) != v}
    return f"the profile still shows {wrong}" if wrong else None


@check("patch.rejects-non-image", V, "a non-image avatar is refused with 500")
def rejects_non_image(ex: Exchange) -> str | None:
    return None if ex.status == 500 else f"status {ex.status}"


IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


def image_format(data: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            return picture.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


@check("avatar.image", V, "GET /api/avatar answers an image whose bytes match its Content-Type")
def avatar_image(ex: Exchange) -> str | None:
    if ex.status != 200:
        return None
    declared = (ex.header("content-type") or "").split(";")[0].strip()
    actual = image_format(ex.body)
    if actual is None:
        return f"{declared} whose bytes are not an image ({ex.body[:24]!r}...)"
    if IMAGE_TYPES.get(actual) != declared:
        return f"{declared} whose bytes are {actual}"
    return None


@check("avatar.roundtrip", V, "an uploaded avatar comes back from GET /api/avatar unchanged")
def avatar_roundtrip(ex: Exchange, uploaded: bytes) -> str | None:
    if ex.status != 200:
        return f"status {ex.status}"
    if ex.body == uploaded:
        return None
    return f"{len(ex.body)} bytes that differ from the {len(uploaded)} uploaded"


@check("isolation", V, "one player's changes and data never reach another player")
def isolation(before: Any, after: Any, what: str) -> str | None:
    return None if before == after else f"{what} changed by another player's PATCH"


# -- records -----------------------------------------------------------------------------------


def json_body(ex: Exchange) -> Any:
    try:
        return json.loads(ex.body)
    except ValueError:
        return None


def record_key(item: dict[str, Any]) -> tuple[int, int]:
    return (-int(item["won"]), int(item["lost"]))


@check("records.page-echo", V, "the answer's `page` is the page asked for")
def page_echo(ex: Exchange, page: int) -> str | None:
    body = json_body(ex)
    shown = body.get("page") if isinstance(body, dict) else None
    return None if shown == str(page) else f"page {shown!r} for ?page={page}"


@check(
    "records.pages-total",
    V,
    "pages_total is at least 1, stable, and every page before it has players",
)
def pages_total(totals: Sequence[int], empty_pages: Sequence[int]) -> str | None:
    if any(t < 1 for t in totals):
        return f"pages_total {min(totals)}"
    if len(set(totals)) > 1:
        return f"pages_total changed between requests: {sorted(set(totals))}"
    if empty_pages:
        return f"page {empty_pages[0]} of {totals[0]} is empty"
    return None


@check(
    "records.order",
    V,
    "records are ordered by won descending, then lost ascending, within and across pages",
)
def order(items: Sequence[dict[str, Any]]) -> str | None:
    for index, (first, second) in enumerate(itertools.pairwise(items)):
        if record_key(first) > record_key(second):
            return f"item {index + 1} ({first}) before item {index + 2} ({second})"
    return None


@check("records.order-nickname", A, "players with the same won and lost are ordered by nickname")
def order_nickname(items: Sequence[dict[str, Any]]) -> str | None:
    for first, second in itertools.pairwise(items):
        if record_key(first) == record_key(second) and first["nickname"] > second["nickname"]:
            return f"{first['nickname']!r} before {second['nickname']!r}"
    return None


@check("records.page-size", V, "every page but the last has the same number of items")
def page_size(sizes: Sequence[int]) -> str | None:
    if len(sizes) < 2:
        return None
    full, last = sizes[:-1], sizes[-1]
    if len(set(full)) > 1 or last > full[0]:
        return f"page sizes {sizes}"
    return None


@check("records.paging", V, "different pages show different players (`page` is not ignored)")
def paging(pages: dict[int, list[dict[str, Any]]]) -> str | None:
    seen: dict[str, int] = {}
    for number, items in pages.items():
        if not items:
            continue
        key = json.dumps(items, sort_keys=True)
        if key in seen:
            return f"page {number} repeats page {seen[key]}"
        seen[key] = number
    return None


@check("records.unique", A, "no record is repeated across a page boundary (overlapping pages)")
def unique(pages: dict[int, list[dict[str, Any]]], twins: Sequence[str]) -> str | None:
    """An off-by-one in paging repeats the end of one page at the start of the next.

    Identical records are legitimate (nicknames are not unique and new players all have zero
    stats), so only a repeat straddling a boundary is reported, and only as an advisory;
    `twins` are nicknames the suite itself gave to two players.
    """
    numbers = sorted(pages)
    for number, following in itertools.pairwise(numbers):
        if not pages[number] or not pages[following]:
            continue
        last, first = pages[number][-1], pages[following][0]
        if last == first and last.get("nickname") not in twins:
            return (
                f"{json.dumps(last, ensure_ascii=False)} ends page {number} and starts page "
                f"{following}"
            )
    return None


@check("records.new-player", V, "a newly registered player is listed")
def new_player(found: bool, nickname: str) -> str | None:
    return None if found else f"{nickname!r} is on no page"


@check("records.past-end", V, "a page past the end is 200 with empty data")
def past_end(ex: Exchange) -> str | None:
    body = json_body(ex)
    if ex.status != 200 or not isinstance(body, dict):
        return f"status {ex.status}"
    return None if body.get("data") == [] else f"{len(body.get('data') or [])} items"


@check("records.invalid-page", V, "an invalid page (abc, 0) is refused with 500")
def invalid_page(ex: Exchange) -> str | None:
    return None if ex.status == 500 else f"status {ex.status}"


@check("privacy.records-emails", V, "records items carry no email addresses")
def records_emails(items: Sequence[dict[str, Any]]) -> str | None:
    for item in items:
        if "email" in item or any(EMAIL.fullmatch(str(v)) for v in item.values()):
            return f"an item with an email: {item}"
    return None
