"""The mock's admin API under the reserved prefix /__mock/.

    GET    /__mock/faults            the fault catalogue
    GET    /__mock/profile           the active fault profile (null when none)
    PUT    /__mock/profile           set it: a profile as YAML or JSON in the body
    DELETE /__mock/profile           clear it: no more drawn faults
    POST   /__mock/reset             back to the freshly generated world
    GET    /__mock/journal?limit=N   the most recent requests (method, path, status, fault)

Mistakes get a 400 with a message saying what is wrong; nothing is silently ignored.
"""

from __future__ import annotations

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from mockserver import faults
from mockserver.contract import Contract
from mockserver.fault_profiles import ProfileError, parse_profile
from mockserver.injector import FaultControl, Journal
from mockserver.world import World

PREFIX = "/__mock"
MAX_PROFILE_BYTES = 256 * 1024


def admin_router(
    contract: Contract, world: World, control: FaultControl, journal: Journal
) -> Router:
    async def list_faults(request: Request) -> Response:
        return JSONResponse(faults.describe())

    async def get_profile(request: Request) -> Response:
        profile = control.profile
        return JSONResponse(profile.as_dict() if profile else None)

    async def put_profile(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_PROFILE_BYTES:
            return PlainTextResponse("The profile is too large.", status_code=400)
        try:
            raw = yaml.safe_load(body.decode("utf-8"))
            profile = parse_profile(raw, contract.operations, default_name="admin")
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            return PlainTextResponse(f"The profile is not YAML or JSON: {error}", status_code=400)
        except ProfileError as error:
            return PlainTextResponse(f"Invalid fault profile: {error}", status_code=400)
        control.activate(profile)
        return JSONResponse(profile.as_dict())

    async def clear_profile(request: Request) -> Response:
        control.activate(None)
        return JSONResponse(None)

    async def reset(request: Request) -> Response:
        world.reset()
        return JSONResponse({"reset": True, "players": len(world.players())})

    async def recent(request: Request) -> Response:
        text = request.query_params.get("limit", "100")
        if not text.isdigit():
            return PlainTextResponse("limit must be a whole number.", status_code=400)
        return JSONResponse(journal.recent(int(text)))

    return Router(
        routes=[
            Route(f"{PREFIX}/faults", list_faults, methods=["GET"]),
            Route(f"{PREFIX}/profile", get_profile, methods=["GET"]),
            Route(f"{PREFIX}/profile", put_profile, methods=["PUT"]),
            Route(f"{PREFIX}/profile", clear_profile, methods=["DELETE"]),
            Route(f"{PREFIX}/reset", reset, methods=["POST"]),
            Route(f"{PREFIX}/journal", recent, methods=["GET"]),
        ]
    )
