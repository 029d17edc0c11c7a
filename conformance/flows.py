"""The multi-step flows: what a frontend does, and what a schema cannot check.

Each flow is a function of the suite, with the checks it feeds listed beside it (a flow whose
checks are all deselected is not run). Flows create their own accounts with unique emails, so
they never depend on what the target already holds.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance import checks
from conformance.suite import Account, FlowStopped, Suite, cookies_set_by


@dataclass(frozen=True)
class Flow:
    name: str
    run: Callable[[Suite], None]
    checks: tuple[str, ...]


def png(seed: int, size: int = 24) -> bytes:
    """A small PNG of one colour chosen by `seed`: distinct uploads, reproducible."""
    from PIL import Image

    rng = random.Random(seed)
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


# -- register and auth -------------------------------------------------------------------------


def register_flow(suite: Suite) -> None:
    account, ex = suite.register()
    suite.verify(checks.register_redirect, ex)
    if not account.cookies:
        raise FlowStopped("registering set no cookie")
    profile = suite.profile(account)
    suite.verify(checks.session_works, profile)
    suite.verify(checks.register_profile, profile, account.email, account.nickname)

    again = suite.send_registration(account.email, suite.new_password(), suite.unique("Dup"))
    suite.verify(checks.duplicate_email, again)

    _, twin = suite.register(nickname=account.nickname)
    suite.verify(checks.duplicate_nickname, twin)
    suite.twins.append(account.nickname)


def auth_flow(suite: Suite) -> None:
    account = suite.account()
    wrong = suite.login(account.email, account.password + "-wrong", referer="/profile")
    suite.verify(checks.wrong_password, wrong)

    origin = suite.target.origin
    for referer, expected in (
        ("/profile", "/profile"),
        (f"{origin}/records?page=2", f"{origin}/records?page=2"),
        (None, "/"),
    ):
        ex = suite.login(account.email, account.password, referer=referer)
        suite.verify(checks.auth_redirect, ex, expected)
        suite.verify(checks.session_cookie, ex)
        suite.verify(checks.session_httponly, ex)
        cookies = cookies_set_by(ex)
        if cookies:
            suite.verify(checks.session_works, suite.profile(Account("", "", "", cookies)))
    # A foreign Referer must not be followed: redirect.same-origin judges every answer.
    suite.login(account.email, account.password, referer="https://evil.example/phish")


# -- profile, PATCH, avatar --------------------------------------------------------------------


def unauthorized_flow(suite: Suite) -> None:
    name = suite.cookie_name or "session"
    anonymous = suite.target.request("GET", "/api/profile")
    forged = suite.target.request("GET", "/api/profile", cookies={name: "forged-" + suite.run_id})
    patch = suite.target.request("PATCH", "/api/profile", fields={"nickname": "Intruder"})
    avatar = suite.target.request("GET", "/api/avatar", cookies={name: "forged"})
    for ex in (anonymous, forged, patch, avatar):
        suite.verify(checks.unauthorized, suite.answered(ex))


def patch_flow(suite: Suite) -> None:
    account = suite.account()
    original = suite.profile(account)
    original_avatar = suite.target.request("GET", "/api/avatar", cookies=account.cookies)
    try:
        patch_checks(suite, account)
    finally:
        if suite.options.email:
            restore(suite, account, checks.json_body(original), original_avatar)


def patch_checks(suite: Suite, account: Account) -> None:
    nickname = suite.unique("Renamed")
    ex = suite.answered(
        suite.target.request(
            "PATCH", "/api/profile", fields={"nickname": nickname}, cookies=account.cookies
        )
    )
    suite.verify(checks.patch_saved, suite.profile(account), {"nickname": nickname}, at=ex)

    if not suite.options.email:
        email = f"{suite.unique('moved')}@example.test"
        ex = suite.answered(
            suite.target.request(
                "PATCH", "/api/profile", fields={"email": email}, cookies=account.cookies
            )
        )
        suite.verify(checks.patch_saved, suite.profile(account), {"email": email}, at=ex)

    image = png(suite.options.seed)
    ex = suite.answered(
        suite.target.request(
            "PATCH",
            "/api/profile",
            files={"avatar": ("avatar.png", image, "image/png")},
            cookies=account.cookies,
        )
    )
    avatar = suite.answered(suite.target.request("GET", "/api/avatar", cookies=account.cookies))
    suite.verify(checks.avatar_roundtrip, avatar, image)
    suite.verify(checks.avatar_image, avatar)

    refused = suite.answered(
        suite.target.request(
            "PATCH",
            "/api/profile",
            files={"avatar": ("avatar.png", b"this is not an image\n", "image/png")},
            cookies=account.cookies,
        )
    )
    suite.verify(checks.rejects_non_image, refused)


def restore(suite: Suite, account: Account, profile: Any, avatar: Any) -> None:
    """Put an existing account (--email) back as it was before the PATCH checks."""
    fields = {"nickname": profile["nickname"]} if isinstance(profile, dict) else {}
    files = None
    if avatar.status == 200:
        media_type = (avatar.header("content-type") or "image/png").split(";")[0]
        files = {"avatar": ("avatar." + media_type.split("/")[-1], avatar.body, media_type)}
    suite.target.request(
        "PATCH", "/api/profile", fields=fields, files=files, cookies=account.cookies
    )


def isolation_flow(suite: Suite) -> None:
    mover, _ = suite.register()
    bystander, _ = suite.register()
    if not (mover.cookies and bystander.cookies):
        raise FlowStopped("registering set no cookie")
    before = checks.json_body(suite.profile(bystander))
    avatar_before = suite.target.request("GET", "/api/avatar", cookies=bystander.cookies).body
    ex = suite.answered(
        suite.target.request(
            "PATCH",
            "/api/profile",
            fields={"nickname": suite.unique("Mover")},
            files={"avatar": ("avatar.png", png(suite.options.seed + 1), "image/png")},
            cookies=mover.cookies,
        )
    )
    after = checks.json_body(suite.profile(bystander))
    suite.verify(checks.isolation, before, after, "the other player's profile", at=ex)
    avatar_after = suite.target.request("GET", "/api/avatar", cookies=bystander.cookies).body
    suite.verify(checks.isolation, avatar_before, avatar_after, "the other player's avatar", at=ex)
    own = checks.json_body(suite.profile(mover))
    shown = own.get("email") if isinstance(own, dict) else None
    suite.verify(checks.isolation, mover.email, shown, "the email shown to its owner", at=ex)


# -- records -----------------------------------------------------------------------------------


def records_page(suite: Suite, page: int | str) -> tuple[Any, Any]:
    ex = suite.answered(suite.target.request("GET", "/api/records", params={"page": str(page)}))
    body = checks.json_body(ex)
    if ex.status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise FlowStopped(f"GET /api/records?page={page} gave no records page")
    return ex, body


def well_formed(items: list[Any]) -> list[dict[str, Any]]:
    """Items the order checks can compare (shape problems are schema.body's to report)."""
    good = []
    for item in items:
        try:
            int(item["won"]), int(item["lost"])
        except (KeyError, TypeError, ValueError):
            continue
        if isinstance(item.get("nickname"), str):
            good.append(item)
    return good


def records_flow(suite: Suite) -> None:
    newcomer, _ = suite.register(nickname=suite.unique("Newcomer"))
    first_ex, first = records_page(suite, 1)
    suite.verify(checks.page_echo, first_ex, 1)
    totals = [int_or_zero(first.get("pages_total"))]
    _, again = records_page(suite, 1)
    totals.append(int_or_zero(again.get("pages_total")))

    last = min(totals[0], suite.options.max_pages)
    pages = {1: first["data"]}
    for number in range(2, last + 1):
        ex, body = records_page(suite, number)
        suite.verify(checks.page_echo, ex, number)
        totals.append(int_or_zero(body.get("pages_total")))
        pages[number] = body["data"]
    if totals[0] > last:
        suite.notes.append(f"records: checked {last} of {totals[0]} pages (--max-pages)")
    items = [item for number in sorted(pages) for item in pages[number]]
    empty = [n for n, data in pages.items() if not data and n < totals[0]]
    suite.verify(checks.pages_total, totals, empty, at=first_ex)
    suite.verify(checks.order, well_formed(items), at=first_ex)
    suite.verify(checks.order_nickname, well_formed(items), at=first_ex)
    if totals[0] <= last:
        suite.verify(checks.page_size, [len(pages[n]) for n in sorted(pages)], at=first_ex)
    suite.verify(checks.paging, pages, at=first_ex)
    suite.verify(checks.unique, pages, suite.twins, at=first_ex)
    suite.verify(checks.records_emails, [i for i in items if isinstance(i, dict)], at=first_ex)
    found = any(isinstance(i, dict) and i.get("nickname") == newcomer.nickname for i in items)
    if found or totals[0] <= last:
        suite.verify(checks.new_player, found, newcomer.nickname, at=first_ex)

    past = suite.answered(
        suite.target.request("GET", "/api/records", params={"page": str(max(totals[0], 1) + 1)})
    )
    suite.verify(checks.past_end, past)
    for invalid in ("abc", "0"):
        ex = suite.answered(suite.target.request("GET", "/api/records", params={"page": invalid}))
        suite.verify(checks.invalid_page, ex)


def int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# -- generated requests ------------------------------------------------------------------------


def fuzz_flow(suite: Suite) -> None:
    """Schemathesis' valid and invalid requests, with a session of its own."""
    suite.use_session(suite.account())

    def record(exchange: Any, problems: list[tuple[str, str]]) -> bool:
        suite.observe_generated(exchange, problems)
        return suite.target.unanswered_in_a_row < suite.target.give_up_after

    suite.schema.fuzz(
        suite.target.base_url,
        suite.options.timeout,
        suite.options.max_examples,
        suite.options.seed,
        record,
    )


FLOWS: tuple[Flow, ...] = (
    Flow(
        "register",
        register_flow,
        (
            "register.redirect",
            "session.cookie",
            "session.httponly",
            "session.works",
            "register.profile",
            "register.duplicate-email",
            "register.duplicate-nickname",
        ),
    ),
    Flow(
        "auth",
        auth_flow,
        (
            "auth.wrong-password",
            "auth.redirect",
            "redirect.same-origin",
            "session.cookie",
            "session.httponly",
            "session.works",
        ),
    ),
    Flow("unauthorized", unauthorized_flow, ("profile.unauthorized",)),
    Flow(
        "patch",
        patch_flow,
        ("patch.saved", "avatar.roundtrip", "avatar.image", "patch.rejects-non-image"),
    ),
    Flow("isolation", isolation_flow, ("isolation",)),
    Flow(
        "records",
        records_flow,
        (
            "records.page-echo",
            "records.pages-total",
            "records.order",
            "records.order-nickname",
            "records.page-size",
            "records.paging",
            "records.unique",
            "records.new-player",
            "records.past-end",
            "records.invalid-page",
            "privacy.records-emails",
        ),
    ),
    Flow(
        "fuzz",
        fuzz_flow,
        ("schema.status", "schema.body", "schema.content-type", "schema.headers", "input.negative"),
    ),
)
