"""Assembling the mock: the contract, the world, connexion and the pages around them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import InvalidSpecification, ProblemException
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.security import ApiKeySecurityHandler
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.admin import PREFIX as ADMIN_PREFIX
from mockserver.admin import admin_router
from mockserver.answers import Answers
from mockserver.contract import Contract, ContractError, invalid
from mockserver.errors import ContractErrors, ShareRoutingContext
from mockserver.fast_reads import FastReads
from mockserver.fault_profiles import FaultProfile, load_profile, quick_mix
from mockserver.handlers import Handlers
from mockserver.injector import APPLIED_HEADER, SKIPPED_HEADER, FaultControl, FaultInjector, Journal
from mockserver.limits import BodyLimit
from mockserver.pages import DOCS_PATH, SPEC_PATH, Pages
from mockserver.settings import Settings
from mockserver.validation import VALIDATORS
from mockserver.world import AVATAR_DIR, MemoryWorld, World, load_demo_accounts


@dataclass
class Mock:
    """A ready-to-serve mock and the parts tests and the CLI want to reach."""

    asgi: ASGIApp
    """What the server serves: CORS around the admin API and the fault-injected contract."""
    app: AsyncApp
    world: World
    contract: Contract
    settings: Settings
    faults: FaultControl
    journal: Journal


class AdminOrApi:
    """Requests under /__mock/ go to the admin API, all others to the API."""

    def __init__(self, admin: ASGIApp, api: ASGIApp) -> None:
        self.admin = admin
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(f"{ADMIN_PREFIX}/"):
            await self.admin(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def fault_profile(settings: Settings, contract: Contract) -> FaultProfile | None:
    if settings.fault_profile is not None:
        return load_profile(settings.fault_profile, contract.operations)
    if settings.fault_rate is not None:
        return quick_mix(settings.fault_rate, contract.operations)
    return None


def session_security(info: Callable[[str], dict[str, Any] | None]) -> type[ApiKeySecurityHandler]:
    """Connexion's apiKey handler, checking session cookies with `info` instead of a function
    named in the spec (the spec stays free of mock-only extensions)."""

    class SessionCookie(ApiKeySecurityHandler):
        def _resolve_func(self, security_scheme: dict[str, Any]) -> Callable[..., Any]:
            return info

        @staticmethod
        def get_cookie_value(cookies: str | None, name: str) -> str | None:
            # Browsers' lenient parsing: one malformed cookie must not break the others (the
            # standard library's strict parser raises on it, which would answer 500).
            return cookie_parser(cookies or "").get(name)

    return SessionCookie


def operation_resolver(handlers: Handlers, answers: Answers) -> Resolver:
    """`operationId` -> the Handlers method of that name, or the documented example answer."""

    def resolve(operation_id: str) -> Callable[..., Any]:
        method = getattr(handlers, operation_id, None)
        if method is not None and not operation_id.startswith("_"):
            return method

        async def documented_example(*args: Any, **kwargs: Any) -> Any:
            return answers.example(operation_id)

        return documented_example

    return Resolver(function_resolver=resolve)


def create_mock(settings: Settings) -> Mock:
    contract = Contract.load(settings.spec, validate=False)
    demo_accounts = load_demo_accounts(settings.demo_accounts)
    world = MemoryWorld(
        seed=settings.seed,
        size=settings.players,
        locale=settings.locale,
        demo_accounts=demo_accounts,
    )
    answers = Answers(contract, settings.seed)
    handlers = Handlers(world, answers, contract.cookie_name())
    errors = ContractErrors(answers)
    pages = Pages(world, demo_accounts)

    app = AsyncApp(
        __name__,
        resolver=operation_resolver(handlers, answers),
        security_map={"apiKey": session_security(handlers.session_info)},
        validate_responses=settings.validate_responses,
        validator_map=VALIDATORS,
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path=DOCS_PATH, spec_path=SPEC_PATH),
    )
    try:
        app.add_api(contract.raw)
    except InvalidSpecification as error:
        raise ContractError(invalid(contract.path, str(error).splitlines()[0])) from None
    # ProblemException first: connexion's own handler for it would otherwise win over ours.
    app.add_error_handler(ProblemException, errors.http_error)
    app.add_error_handler(HTTPException, errors.http_error)
    app.add_error_handler(MultiPartException, errors.broken_form)
    app.add_error_handler(Exception, errors.unexpected)
    app.add_middleware(ShareRoutingContext, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_url_rule("/", "home", pages.home, methods=["GET"])
    app.add_url_rule("/profile", "profile", pages.profile, methods=["GET"])
    app.add_url_rule(f"/{AVATAR_DIR}/{{name}}", "avatar_file", pages.avatar_file, methods=["GET"])

    control = FaultControl(seed=settings.fault_seed)
    control.activate(fault_profile(settings, contract))
    journal = Journal()
    reads = FastReads(
        app, contract, handlers, world, contract.cookie_name(), settings.validate_responses
    )
    injected = FaultInjector(reads, contract, world, answers, control, journal)
    limited = BodyLimit(injected, contract, answers)
    # CORS outermost: faulted answers and admin answers must reach a browser frontend too.
    asgi = CORSMiddleware(
        AdminOrApi(admin_router(contract, world, control, journal), limited),
        allow_origin_regex=".*",
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Location", "Content-Type", "Retry-After", APPLIED_HEADER, SKIPPED_HEADER],
        max_age=600,
    )
    return Mock(asgi, app, world, contract, settings, control, journal)
