"""The most this stack can give here: Starlette on the same uvicorn, returning the mock's own
bytes for the two benchmarked endpoints, with no validation, state or middleware.

    python bench/ceiling.py PORT RECORDS_BODY_FILE PROFILE_BODY_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


def app_for(records: bytes, profile: bytes) -> Starlette:
    async def get_records(request: object) -> Response:
        return Response(records, media_type="application/json")

    async def get_profile(request: object) -> Response:
        return Response(profile, media_type="application/json")

    return Starlette(
        routes=[Route("/api/records", get_records), Route("/api/profile", get_profile)]
    )


if __name__ == "__main__":
    port, records_file, profile_file = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    app = app_for(records_file.read_bytes(), profile_file.read_bytes())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
