"""Turning connexion's problems into the contract's error answers.

Connexion reports a request that fails the spec as a 400 `application/problem+json`, and a
missing or unknown session as a 401 of the same kind. The contract knows neither: the document
says a failed request is a 500 whose body is a message for the user. So request-validation
problems become the operation's documented 500 answer, 401s become its documented 401 answer,
and everything else keeps its status with a plain message. None of them leaks a traceback.
"""

from __future__ import annotations

import logging

from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.answers import Answers

logger = logging.getLogger("mockserver")

INVALID_REQUEST_STATUS = 500
UNAUTHORIZED_MESSAGE = "You are not logged in."


class ShareRoutingContext:
    """ASGI middleware: lets error handlers see which operation a failed request was for.

    Connexion's router records the operation in `scope["extensions"]` of a shallow copy of the
    scope; the copy shares that dict with the original only if it exists beforehand. Servers
    such as uvicorn do not create it, so it is created here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("extensions", {})
        await self.app(scope, receive, send)


def operation_id(request: ConnexionRequest) -> str | None:
    """The operation connexion routed the request to, if it got that far."""
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    return routing.get("operation_id")


def describe(error: HTTPException) -> str:
    """Connexion's wording names the field and the rule ("'x' is too long - 'nickname'")."""
    detail = str(error.detail or getattr(error, "title", None) or "").strip()
    return detail.splitlines()[0] if detail else "The request is invalid."


class ContractErrors:
    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    def http_error(self, request: ConnexionRequest, error: HTTPException) -> ConnexionResponse:
        """Connexion's problems (validation, security, routing) and Starlette's (bad bodies)."""
        op = operation_id(request)
        status = error.status_code
        headers = dict(error.headers or {})
        if status == 401:
            return self.answers.message(op, 401, UNAUTHORIZED_MESSAGE)
        if status in (400, 413, 415) and op is not None and self.documents_failure(op):
            return self.answers.message(
                op, INVALID_REQUEST_STATUS, f"Invalid request: {describe(error)}"
            )
        if status == 405:
            headers["Allow"] = ", ".join(self.answers.contract.allowed_methods(request.url.path))
        if status >= 500:
            logger.error("%s %s: %s", request.method, request.url.path, describe(error))
        return self.answers.message(op, status, describe(error), headers=headers)

    def documents_failure(self, operation_id: str) -> bool:
        """Whether the operation has the contract's "failed, here is a message" answer.

        Operations without one (GET /api/profile, GET /api/avatar take no input) answer a
        malformed request with its plain HTTP status instead.
        """
        return self.answers.contract.answer(operation_id, INVALID_REQUEST_STATUS) is not None

    def broken_form(
        self, request: ConnexionRequest, error: MultiPartException
    ) -> ConnexionResponse:
        """A multipart body that does not parse: the client's fault, so no traceback is logged."""
        op = operation_id(request)
        return self.answers.message(
            op,
            INVALID_REQUEST_STATUS,
            f"Invalid request: the form data is broken ({error.message}).",
        )

    def unexpected(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        """A bug in the mock: logged with its traceback, answered with a message, not the trace."""
        logger.exception("%s %s failed", request.method, request.url.path, exc_info=error)
        op = operation_id(request)
        return self.answers.message(
            op, 500, f"The mock failed to handle this request ({type(error).__name__})."
        )
