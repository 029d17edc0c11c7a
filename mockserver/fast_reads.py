"""A short path for the contract's read operations, which frontends call most.

Connexion's per-request work (routing, context, security and validation middleware) costs
far more than the reads themselves: on this machine a plain connexion app serves a fraction of
what the same server does with the same bytes. For GET operations that take only query
parameters (the leaderboard, the profile, the avatar), this middleware answers ordinary
requests itself, and stays driven by the spec:

- which operations, their parameters, defaults and schemas come from the spec, and parameters
  are checked with the same validator the connexion path uses;
- the answer comes from the same `Handlers` method;
- each distinct answer is checked against the spec's documented answer once, then kept until
  the world changes (`World.version`).

Anything out of the ordinary (an invalid parameter, no or an unknown session, an answer the
spec would not allow) goes down the connexion path instead, so its answer is exactly what
connexion gives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from jsonschema import Draft4Validator
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.answers import is_json
from mockserver.contract import Contract
from mockserver.handlers import Handlers
from mockserver.validation import NamedParameterValidator
from mockserver.world import World

INTEGER = re.compile(r"-?\d{1,18}")
CACHE_LIMIT = 4096

Cached = tuple[int, list[tuple[bytes, bytes]], bytes]


@dataclass(frozen=True)
class ReadOperation:
    operation_id: str
    parameters: list[dict[str, Any]]
    secured: bool


def read_operations(contract: Contract, handlers: Handlers) -> dict[str, ReadOperation]:
    """Path -> operation, for the GET operations this path can serve."""
    found = {}
    default_security = contract.resolved.get("security")
    for operation_id, operation in contract.operations.items():
        parameters = operation.get("parameters", [])
        if (
            operation["x-method"] == "GET"
            and "{" not in operation["x-path"]
            and "requestBody" not in operation
            and all(p.get("in") == "query" for p in parameters)
            and callable(getattr(handlers, operation_id, None))
        ):
            secured = bool(operation.get("security", default_security))
            found[operation["x-path"]] = ReadOperation(operation_id, parameters, secured)
    return found


def coerce(value: str, schema: dict[str, Any]) -> Any:
    """A query value as connexion passes it: integers as int, everything else as text."""
    if schema.get("type") == "integer" and INTEGER.fullmatch(value):
        return int(value)
    return value


class FastReads:
    def __init__(
        self,
        app: ASGIApp,
        contract: Contract,
        handlers: Handlers,
        world: World,
        cookie_name: str,
        validate_responses: bool,
    ) -> None:
        self.app = app
        self.contract = contract
        self.handlers = handlers
        self.world = world
        self.cookie_name = cookie_name
        self.validate_responses = validate_responses
        self.routes = read_operations(contract, handlers)
        self.cache: dict[tuple[Any, ...], tuple[int, Cached]] = {}
        self.validators: dict[tuple[str, int], Draft4Validator | None] = {}
        self.queries: dict[tuple[str, bytes], dict[str, Any] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        answer = None
        if route is not None and scope["method"] == "GET":
            answer = await self.answer(route, scope)
        if answer is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def arguments(self, route: ReadOperation, scope: Scope) -> dict[str, Any] | None:
        """The handler's arguments, or None when connexion should judge the request."""
        parsed = self.query_arguments(route, scope["query_string"])
        if parsed is None:
            return None
        arguments = dict(parsed)
        if route.secured:
            player = self.session_player(scope)
            if player is None:
                return None
            arguments["user"] = player
        return arguments

    def query_arguments(self, route: ReadOperation, query_string: bytes) -> dict[str, Any] | None:
        """The query parameters, checked; remembered per query string (clients repeat them)."""
        key = (route.operation_id, query_string)
        if key in self.queries:
            return self.queries[key]
        if len(self.queries) >= CACHE_LIMIT:
            self.queries.clear()
        self.queries[key] = self.parse_query(route, query_string)
        return self.queries[key]

    @staticmethod
    def parse_query(route: ReadOperation, query_string: bytes) -> dict[str, Any] | None:
        text = query_string.decode("latin-1")
        query = parse_qs(text, keep_blank_values=True) if query_string else {}
        arguments: dict[str, Any] = {}
        for parameter in route.parameters:
            schema = parameter.get("schema", {})
            values = query.get(parameter["name"])
            if values is None:
                if parameter.get("required"):
                    return None
                if "default" in schema:
                    arguments[parameter["name"]] = schema["default"]
                continue
            value = coerce(values[-1], schema)  # the last one wins, as in connexion
            if NamedParameterValidator.validate_parameter("query", value, parameter):
                return None
            arguments[parameter["name"]] = value
        return arguments

    def session_player(self, scope: Scope) -> int | None:
        for name, value in scope["headers"]:
            if name == b"cookie":
                token = cookie_parser(value.decode("latin-1")).get(self.cookie_name)
                player = self.world.session_player(token) if token else None
                return player.id if player else None
        return None

    async def answer(self, route: ReadOperation, scope: Scope) -> Cached | None:
        arguments = self.arguments(route, scope)
        if arguments is None:
            return None
        key = (route.operation_id, *sorted(arguments.items()))
        version = self.world.version
        cached = self.cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        response = await getattr(self.handlers, route.operation_id)(**arguments)
        status = response.status_code
        body = response.body if isinstance(response.body, bytes) else bytes(response.body or b"")
        content_type = response.content_type or response.mimetype or ""
        if self.validate_responses and not self.conforms(
            route.operation_id, status, content_type, body
        ):
            return None
        headers = [
            (b"content-type", content_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode()),
            *[
                (k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in (response.headers or {}).items()
                if k.lower() not in ("content-type", "content-length")
            ],
        ]
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.clear()
        self.cache[key] = (version, (status, headers, body))
        return status, headers, body

    def conforms(self, operation_id: str, status: int, content_type: str, body: bytes) -> bool:
        """Whether the spec documents this answer (status, media type, JSON body schema)."""
        media_type = content_type.split(";")[0].strip()
        if media_type not in self.contract.media_types(operation_id, status):
            return False
        if not is_json(media_type):
            return True
        validator = self.validator(operation_id, status)
        try:
            return validator is None or validator.is_valid(json.loads(body))
        except ValueError:
            return False

    def validator(self, operation_id: str, status: int) -> Draft4Validator | None:
        key = (operation_id, status)
        if key not in self.validators:
            answer = self.contract.answer(operation_id, status)
            schema = answer.schema if answer else None
            self.validators[key] = Draft4Validator(schema) if schema else None
        return self.validators[key]
