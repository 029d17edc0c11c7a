"""Injecting faults from the catalogue into live traffic, and remembering what was sent.

`FaultInjector` is ASGI middleware around the connexion app. For each request to an operation
of the contract it decides on a fault: the one the request forces (`X-Mock-Fault: <kind>` or
`?__fault=<kind>`), else one drawn from the active profile, else none. A request without a fault
passes through untouched and unbuffered. The journal records every request either way.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.answers import Answers
from mockserver.contract import Contract
from mockserver.fault_profiles import FaultProfile
from mockserver.faults import Exchange, Fault, FaultSettings, Reply, UnknownFault, fault
from mockserver.world import World

FAULT_HEADER = "x-mock-fault"
FAULT_QUERY = "__fault"
APPLIED_HEADER = "X-Mock-Fault-Applied"
SKIPPED_HEADER = "X-Mock-Fault-Skipped"
TRANSPORT_EXTENSION = "mockserver.transport"
"""Where the mock's own server puts each request's connection (see server.py)."""

JOURNAL_SIZE = 1000

logger = logging.getLogger("mockserver")


@dataclass
class Journal:
    """The most recent requests, oldest first; bounded so a long run cannot grow it."""

    size: int = JOURNAL_SIZE
    entries: deque[dict[str, Any]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.size)

    def record(self, method: str, path: str, status: int | None, applied: str | None) -> None:
        self.entries.append(
            {
                "time": round(time.time(), 3),
                "method": method,
                "path": path,
                "status": status,
                "fault": applied,
            }
        )

    def recent(self, limit: int) -> list[dict[str, Any]]:
        return list(self.entries)[-limit:] if limit > 0 else []


@dataclass
class FaultControl:
    """The active profile and the seeded generator its draws come from."""

    seed: int = 1
    profile: FaultProfile | None = None
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def activate(self, profile: FaultProfile | None) -> None:
        """Switch profiles; the draws start again from the seed, so runs are reproducible."""
        self.profile = profile
        self.rng = random.Random(self.seed)

    @property
    def settings(self) -> FaultSettings:
        return self.profile.settings if self.profile else FaultSettings()


def forced_fault(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == FAULT_HEADER.encode():
            return value.decode("latin-1").strip()
    query = scope.get("query_string", b"")
    if FAULT_QUERY.encode() in query:
        return dict(parse_qsl(query.decode("latin-1"))).get(FAULT_QUERY)
    return None


def plain_reply(status: int, text: str) -> Reply:
    return Reply(status, [("content-type", "text/plain; charset=utf-8")], text.encode())


async def send_reply(send: Send, reply: Reply, extra: list[tuple[str, str]]) -> None:
    headers = [(k.lower(), v) for k, v in reply.headers if k.lower() != "content-length"]
    length = reply.declared_length if reply.declared_length is not None else len(reply.body)
    raw = [(k.encode(), v.encode("latin-1", "replace")) for k, v in [*headers, *extra]]
    raw.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": raw})
    # A declared length larger than the body leaves the response incomplete: the server then
    # closes the connection mid-body, which is the point.
    more = reply.declared_length is not None and reply.declared_length > len(reply.body)
    await send({"type": "http.response.body", "body": reply.body, "more_body": more})


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


class FaultInjector:
    def __init__(
        self,
        app: ASGIApp,
        contract: Contract,
        world: World,
        answers: Answers,
        control: FaultControl,
        journal: Journal,
    ) -> None:
        self.app = app
        self.contract = contract
        self.world = world
        self.answers = answers
        self.control = control
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        operation_id = self.contract.operation_at(method, path)
        chosen: Fault | None = None
        skipped: str | None = None
        forced = forced_fault(scope)
        if forced:
            try:
                chosen = fault(forced)
            except UnknownFault as error:
                self.journal.record(method, path, 400, None)
                await send_reply(send, plain_reply(400, f"X-Mock-Fault: {error}"), [])
                return
            if operation_id is None or not chosen.applies(operation_id):
                skipped = f"{chosen.name} does not apply to {method} {path}"
                chosen = None
        elif operation_id is not None and self.control.profile is not None:
            chosen = self.control.profile.choose(operation_id, self.control.rng.random())

        if chosen is None or operation_id is None:
            await self.pass_through(scope, receive, send, skipped)
            return
        await self.inject(chosen, operation_id, scope, receive, send)

    async def pass_through(
        self, scope: Scope, receive: Receive, send: Send, skipped: str | None
    ) -> None:
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                if skipped:
                    message["headers"] = [
                        *message.get("headers", []),
                        (SKIPPED_HEADER.lower().encode(), skipped.encode()),
                    ]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self.journal.record(scope["method"], scope["path"], status[0] if status else None, None)

    async def inject(
        self, chosen: Fault, operation_id: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        body = await read_body(receive)
        disconnected = asyncio.Event()

        async def wait_for_disconnect(limit: float) -> None:
            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                disconnected.set()

            try:
                await asyncio.wait_for(watch(), timeout=limit)
            except TimeoutError:
                pass

        async def call_upstream(
            query_string: bytes, headers: list[tuple[str, str]], request_body: bytes
        ) -> Reply:
            return await self.call_app(scope, query_string, headers, request_body)

        exchange = Exchange(
            operation_id=operation_id,
            method=scope["method"],
            path=scope["path"],
            query_string=scope.get("query_string", b""),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            body=body,
            world=self.world,
            answers=self.answers,
            rng=self.control.rng,
            settings=self.control.settings,
            call_upstream=call_upstream,
            wait_for_disconnect=wait_for_disconnect,
        )
        try:
            reply = await chosen.inject(exchange)
        except Exception as error:  # a bug in an injector must not look like a transport fault
            logger.exception(
                "fault %s failed on %s %s", chosen.name, scope["method"], scope["path"]
            )
            reply = plain_reply(500, f"The mock failed to inject {chosen.name}: {error!r}")
        if reply is None:
            self.journal.record(scope["method"], scope["path"], None, chosen.name)
            await self.close_connection(scope, wait_for_disconnect, disconnected)
            return
        self.journal.record(scope["method"], scope["path"], reply.status, chosen.name)
        await send_reply(send, reply, [(APPLIED_HEADER, chosen.name)])

    async def call_app(
        self, scope: Scope, query_string: bytes, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """The wrapped app's answer to a (possibly rewritten) request, captured whole."""
        inner = {
            **scope,
            "query_string": query_string,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        }
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # like a client that keeps the connection open
            return {"type": "http.disconnect"}

        status = 500
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, replay, capture)
        return Reply(status, response_headers, b"".join(chunks))

    @staticmethod
    async def close_connection(scope: Scope, wait_for_disconnect: Any, done: asyncio.Event) -> None:
        """Close the client's connection without an answer.

        ASGI has no way to do that; the mock's own server lends the connection's transport
        (server.py). Elsewhere the server decides what an app that sends nothing gets.
        """
        transport = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
        if transport is not None and not done.is_set():
            transport.abort()
            # The server notices the closed connection; wait for that so it sends nothing.
            await wait_for_disconnect(5.0)
