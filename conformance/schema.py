"""Schema and protocol checks, and property-based requests, by Schemathesis.

Two uses of Schemathesis:
- every answer the suite's flows receive is validated against the documented status codes,
  content types, headers and body schemas (`SchemaChecks.validate`);
- `SchemaChecks.fuzz` lets Schemathesis generate valid and invalid requests for every
  operation and validates those answers too, with invalid input expected to be refused.

The spec's session cookie scheme is renamed to the cookie the target actually sets, so the
generated requests carry a working session (and Schemathesis knows when it leaves it out on
purpose).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

from conformance.target import Exchange

RESPONSE_CHECKS = {
    "response_schema_conformance": "schema.body",
    "status_code_conformance": "schema.status",
    "content_type_conformance": "schema.content-type",
    "response_headers_conformance": "schema.headers",
}
INPUT_CHECKS = {"negative_data_rejection": "input.negative"}
CHECK_FUNCTIONS = [
    openapi_checks.response_schema_conformance,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
]

FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
VIOLATED = re.compile(r"violates `(\w+)`")

Problem = tuple[str, str]
"""(check name, what came instead)"""


def failures_of(error: BaseException) -> list[Failure]:
    if isinstance(error, FailureGroup):
        return list(error.exceptions)
    return [error] if isinstance(error, Failure) else []


def as_problems(failures: list[Failure], names: dict[str, str]) -> list[Problem]:
    problems = []
    for failure in failures:
        checks = getattr(failure, "checks", ()) or ("response_schema_conformance",)
        if "header" in (failure.title or "").lower() and "response_headers_conformance" in names:
            # Schemathesis reports header schema errors with the body's failure class.
            checks = ("response_headers_conformance",)
        name = next((names[c] for c in checks if c in names), None)
        if name is not None:
            problems.append((name, f"{failure.title}: {first_lines(failure.message)}"))
    return problems


def only_type_mutations(failure: Failure) -> bool:
    """An "invalid input accepted" whose only invalidity is a type change of form fields.

    In a form every value travels as text: a nickname mutated to `false` or `[]` arrives as the
    text "false", which is valid input. Such a failure says nothing about the server.
    """
    if "negative_data_rejection" not in getattr(failure, "checks", ()):
        return False
    violated = VIOLATED.findall(failure.message)
    return bool(violated) and all(kind == "type" for kind in violated)


def first_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:count])


def with_cookie_name(raw: dict[str, Any], cookie_name: str) -> tuple[dict[str, Any], list[str]]:
    """The spec with its cookie security schemes renamed to the target's session cookie."""
    spec = copy.deepcopy(raw)
    schemes = spec.get("components", {}).get("securitySchemes", {})
    renamed = []
    for name, scheme in schemes.items():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
            scheme["name"] = cookie_name
            renamed.append(name)
    return spec, renamed


class SchemaChecks:
    def __init__(self, raw_spec: dict[str, Any], cookie_name: str, session: str | None) -> None:
        spec, schemes = with_cookie_name(raw_spec, cookie_name)
        auth = {name: {"api_key": session} for name in schemes} if session else {}
        config = schemathesis.Config.from_dict({"auth": {"openapi": auth}} if auth else {})
        self.schema = schemathesis.openapi.from_dict(spec, config=config)

    def operation(self, method: str, path: str) -> Any:
        try:
            return self.schema[path][method]
        except KeyError:
            return None

    def validate(self, ex: Exchange, method: str, path: str) -> list[Problem]:
        """Schema problems of one answer the flows received (empty when it conforms)."""
        operation = self.operation(method, path)
        if operation is None or ex.response is None:
            return []
        try:
            operation.Case().validate_response(as_schemathesis(ex), checks=CHECK_FUNCTIONS)
        except (Failure, FailureGroup) as error:
            return as_problems(failures_of(error), RESPONSE_CHECKS)
        return []

    def fuzz(
        self,
        base_url: str,
        timeout: float,
        max_examples: int,
        run_seed: int,
        record: Callable[[Exchange, list[Problem]], bool],
    ) -> None:
        """Generated requests for every operation, positive then negative.

        `record` gets each exchange with its problems and returns False to stop (the target
        stopped answering).
        """
        stop = False
        for result in self.schema.get_all_operations():
            operation = result.ok()
            for mode in (
                schemathesis.GenerationMode.POSITIVE,
                schemathesis.GenerationMode.NEGATIVE,
            ):
                if stop:
                    return

                @seed(run_seed)
                @settings(
                    max_examples=max_examples,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                    derandomize=False,
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def one(case: Any) -> None:
                    nonlocal stop
                    if stop:
                        return
                    exchange, problems = self.call(case, base_url, timeout)
                    stop = not record(exchange, problems)

                one()

    @staticmethod
    def call(case: Any, base_url: str, timeout: float) -> tuple[Exchange, list[Problem]]:
        exchange = Exchange(
            method=case.method,
            path=case.formatted_path,
            operation=f"{case.method} {case.operation.path}",
            curl=case.as_curl_command(base_url=base_url),
        )
        try:
            response = case.call(base_url=base_url, timeout=timeout, allow_redirects=False)
        except Exception as error:  # requests' many transport errors
            exchange.error = transport_error(error, timeout)
            return exchange, []
        exchange.response = httpx.Response(
            response.status_code,
            headers=[(k, v) for k, values in response.headers.items() for v in values],
            content=response.content,
        )
        exchange.body = response.content or b""
        exchange.elapsed = response.elapsed
        problems: list[Problem] = []
        checks = [*CHECK_FUNCTIONS, openapi_checks.negative_data_rejection]
        try:
            case.validate_response(response, checks=checks)
        except (Failure, FailureGroup) as error:
            failures = failures_of(error)
            if case.media_type in FORM_MEDIA_TYPES:
                failures = [f for f in failures if not only_type_mutations(f)]
            problems = as_problems(failures, {**RESPONSE_CHECKS, **INPUT_CHECKS})
        return exchange, problems


def as_schemathesis(ex: Exchange) -> schemathesis.Response:
    """The exchange's answer in the form Schemathesis' checks read."""
    import requests

    assert ex.response is not None
    headers: dict[str, list[str]] = {}
    for name, value in ex.response.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    request = requests.Request(
        method=ex.method,
        url=str(ex.response.request.url),
        headers=dict(ex.response.request.headers),
    ).prepare()
    return schemathesis.Response(
        status_code=ex.response.status_code,
        headers=headers,
        content=ex.body,
        request=request,
        elapsed=ex.elapsed,
        verify=True,
        http_version="1.1",
    )


def transport_error(error: Exception, timeout: float) -> str:
    name = type(error).__name__
    if "Timeout" in name:
        return f"no answer within {timeout:g} s"
    return f"the connection broke: {name}: {first_lines(str(error), 1)[:200]}"
