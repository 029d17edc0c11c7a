"""One conformance run: the target, the findings, accounts, and the checks every answer gets."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from conformance import checks
from conformance.checks import CheckFunction
from conformance.findings import Finding, Findings
from conformance.schema import Problem, SchemaChecks
from conformance.target import Exchange, Target
from mockserver.contract import Contract


class FlowStopped(Exception):
    """A flow cannot go on (a step it depends on failed); its remaining checks are skipped."""


@dataclass
class Options:
    base_url: str
    spec: Path
    only: Sequence[str] | None = None
    skip: Sequence[str] = ()
    seed: int = 1
    timeout: float = 10.0
    slow: float = 2.0
    max_examples: int = 20
    max_pages: int = 50
    email: str | None = None
    password: str | None = None
    strict: bool = False


@dataclass
class Account:
    email: str
    password: str
    nickname: str
    cookies: dict[str, str] = field(default_factory=dict)


def cookies_set_by(ex: Exchange) -> dict[str, str]:
    """Name and value of every cookie an answer sets (the session's name is the server's)."""
    found: dict[str, str] = {}
    for header in checks.set_cookies(ex):
        try:
            jar = SimpleCookie()
            jar.load(header)
            found.update({name: morsel.value for name, morsel in jar.items()})
        except CookieError:
            name, _, value = header.split(";")[0].partition("=")
            found[name.strip()] = value.strip()
    return found


class Suite:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.contract = Contract.load(options.spec)
        selected = set(options.only or checks.CHECKS) - set(options.skip)
        self.findings = Findings(selected=selected)
        self.target = Target(
            options.base_url,
            timeout=options.timeout,
            operation_of=self.operation_label,
            observers=[self.observe],
        )
        self.run_id = secrets.token_hex(4)
        self.counter = 0
        self.passwords: list[str] = []
        self.twins: list[str] = []
        self.cookie_name: str | None = None
        self.schema = SchemaChecks(self.contract.raw, "session", None)
        self.notes: list[str] = []

    # -- naming ------------------------------------------------------------------------------

    def operation_label(self, method: str, path: str) -> str:
        operation_id = self.contract.operation_at(method, path)
        if operation_id is None:
            return f"{method} {path}"
        operation = self.contract.operations[operation_id]
        return f"{operation['x-method']} {operation['x-path']}"

    def unique(self, tag: str) -> str:
        """A name no earlier run used: the run's random id and a counter."""
        self.counter += 1
        return f"{tag}-{self.run_id}-{self.counter}"

    def new_password(self) -> str:
        password = f"Pw-{secrets.token_hex(6)}"
        self.passwords.append(password)
        return password

    # -- judging -----------------------------------------------------------------------------

    def wants(self, *names: str) -> bool:
        return any(self.findings.wanted(name) for name in names)

    def verify(self, function: CheckFunction, *args: Any, at: Exchange | None = None) -> bool:
        """Run one check; a problem becomes a finding reproducible with `at`'s curl command."""
        name = function.check_name  # type: ignore[attr-defined]
        where = at if at is not None else next(a for a in args if isinstance(a, Exchange))
        observed = function(*args)
        if observed is None:
            self.findings.held(name)
            return True
        self.report(name, where, observed)
        return False

    def report(self, name: str, where: Exchange, observed: str) -> None:
        check = checks.CHECKS[name]
        self.findings.add(
            Finding(
                check.name,
                check.severity,
                check.title,
                where.operation,
                check.title,
                observed,
                where.curl,
            )
        )

    def observe(self, ex: Exchange, problems: list[Problem] | None = None) -> None:
        """The checks every answer gets, whichever flow asked for it.

        `problems` are the schema problems Schemathesis already found for a generated request;
        answers to the flows' own requests are validated here.
        """
        self.verify(checks.transport, ex)
        self.verify(checks.timeout, ex)
        if ex.response is None:
            return
        self.verify(checks.slow, ex, self.options.slow)
        self.verify(checks.error_message, ex)
        self.verify(checks.no_debug, ex)
        self.verify(checks.no_secrets, ex, self.passwords)
        self.verify(checks.same_origin_redirect, ex, self.target.origin)
        if problems is None:
            method, path = ex.operation.split(" ", 1)
            problems = self.schema.validate(ex, method, path)
        self.record_schema(ex, problems)

    def observe_generated(self, ex: Exchange, problems: list[Problem]) -> None:
        """An answer to a request Schemathesis generated and sent itself."""
        self.target.unanswered_in_a_row = self.target.unanswered_in_a_row + 1 if ex.error else 0
        self.observe(ex, problems)
        if ex.response is not None and all(name != "input.negative" for name, _ in problems):
            self.findings.held("input.negative")

    def record_schema(self, ex: Exchange, problems: list[Problem]) -> None:
        for name in ("schema.status", "schema.body", "schema.content-type", "schema.headers"):
            found = [observed for check, observed in problems if check == name]
            if found:
                self.report(name, ex, found[0])
            else:
                self.findings.held(name)
        for check, observed in problems:
            if check == "input.negative":
                self.report(check, ex, observed)

    # -- steps shared by flows ---------------------------------------------------------------

    @staticmethod
    def answered(ex: Exchange) -> Exchange:
        if ex.response is None:
            raise FlowStopped(f"{ex.operation} got no answer ({ex.error})")
        return ex

    def register(
        self, nickname: str | None = None, email: str | None = None
    ) -> tuple[Account, Exchange]:
        account = Account(
            email=email or f"{self.unique('conformance')}@example.test",
            password=self.new_password(),
            nickname=nickname or self.unique("Checker"),
        )
        ex = self.send_registration(account.email, account.password, account.nickname)
        account.cookies = cookies_set_by(ex)
        self.verify(checks.session_cookie, ex)
        self.verify(checks.session_httponly, ex)
        if self.cookie_name is None and account.cookies:
            self.adopt_session(account)
        return account, ex

    def send_registration(self, email: str, password: str, nickname: str) -> Exchange:
        form = {"email": email, "password": password, "nickname": nickname}
        return self.answered(self.target.request("POST", "/api/register", form=form))

    def adopt_session(self, account: Account) -> None:
        """Learn the session cookie's name from the first one the target sets."""
        self.cookie_name = next(iter(account.cookies))
        self.notes.append(f"session cookie: {self.cookie_name}")
        self.use_session(account)

    def use_session(self, account: Account) -> None:
        """Schema checks and generated requests from now on carry this account's session."""
        if self.cookie_name:
            token = account.cookies.get(self.cookie_name)
            self.schema = SchemaChecks(self.contract.raw, self.cookie_name, token)

    def login(self, email: str, password: str, referer: str | None = None) -> Exchange:
        headers = {"Referer": referer} if referer is not None else {}
        return self.answered(
            self.target.request(
                "POST", "/api/auth", form={"email": email, "password": password}, headers=headers
            )
        )

    def account(self) -> Account:
        """A logged-in account: the one given with --email/--password, else a new one."""
        if self.options.email and self.options.password:
            ex = self.login(self.options.email, self.options.password)
            account = Account(self.options.email, self.options.password, "", cookies_set_by(ex))
            self.passwords.append(self.options.password)
            if self.cookie_name is None and account.cookies:
                self.adopt_session(account)
        else:
            account, _ = self.register()
        if not account.cookies:
            raise FlowStopped("no session cookie to continue with")
        return account

    def profile(self, account: Account) -> Exchange:
        return self.answered(self.target.request("GET", "/api/profile", cookies=account.cookies))
