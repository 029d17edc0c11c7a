"""Request body limits: a huge upload is refused without the mock holding it in memory.

The largest legitimate body is a PATCH with a 2 MiB avatar. A body declared (Content-Length)
larger than MAX_BODY is read and thrown away chunk by chunk (so the client, which sends its
whole body before reading the answer, gets to see the answer), then refused with the
operation's contract error. Past DISCARD_LIMIT the mock stops reading and closes the connection
after answering. Bodies without a length (chunked) never reach a handler: connexion refuses
them as missing ("RequestBody is required").
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.answers import Answers
from mockserver.avatars import MAX_AVATAR_BYTES
from mockserver.contract import Contract

MAX_BODY = MAX_AVATAR_BYTES + 256 * 1024
"""The avatar limit plus room for the other form fields and multipart framing."""
DISCARD_LIMIT = 256 * 1024 * 1024
TOO_LARGE = "The request is too large: avatars may be at most 2 MiB."


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, contract: Contract, answers: Answers) -> None:
        self.app = app
        self.contract = contract
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > MAX_BODY:
            await self.refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Discard the body, then answer the contract's error for the operation."""
        discarded, more = 0, True
        while more and discarded <= DISCARD_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            discarded += len(message.get("body", b""))
            more = message.get("more_body", False)
        operation_id = self.contract.operation_at(scope["method"], scope["path"])
        response = self.answers.message(operation_id, 500, TOO_LARGE)
        headers = [
            (b"content-type", (response.content_type or "text/plain").encode()),
            (b"content-length", str(len(response.body)).encode()),
        ]
        if more:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
