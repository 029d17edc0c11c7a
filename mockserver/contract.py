"""The OpenAPI document the mock serves, with the look-ups the mock needs from it.

The mock never restates the contract in Python: what an answer looks like (its media type, its
schema, its headers) is read from here, so a different spec given with `--spec` changes the
answers without code changes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from connexion.json_schema import resolve_refs

BUNDLED_SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractError(Exception):
    """The spec cannot be used: unreadable, not OpenAPI 3, or invalid."""


def invalid(path: Path, reason: str) -> str:
    return f"{path} is not a valid OpenAPI document: {reason}"


@dataclass(frozen=True)
class Answer:
    """One documented answer of one operation: status, media type and body schema."""

    status: int
    media_type: str | None
    schema: dict[str, Any] | None


class Contract:
    """A loaded, validated and `$ref`-resolved OpenAPI 3 document."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path
        self.resolved: dict[str, Any] = resolve_refs(copy.deepcopy(raw))
        self.operations: dict[str, dict[str, Any]] = {}
        self._operation_cache: dict[tuple[str, str], str | None] = {}
        self._path_patterns = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(url)) + "$"), item)
            for url, item in self.resolved.get("paths", {}).items()
        ]
        for url, item in self.resolved.get("paths", {}).items():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation and "operationId" in operation:
                    self.operations[operation["operationId"]] = {
                        **operation,
                        "x-path": url,
                        "x-method": method.upper(),
                    }

    @classmethod
    def load(cls, path: Path | str = BUNDLED_SPEC, *, validate: bool = True) -> Contract:
        """The spec at `path`; with `validate`, checked by openapi-spec-validator.

        The mock passes validate=False: connexion checks the document itself when the API is
        added, and openapi-spec-validator would cost the mock process about 12 MiB.
        """
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise ContractError(f"cannot read the spec {path}: {error}") from None
        if not isinstance(raw, dict) or not str(raw.get("openapi", "")).startswith("3."):
            raise ContractError(f"{path} is not an OpenAPI 3 document")
        if validate:
            from openapi_spec_validator import validate as validate_spec
            from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

            try:
                validate_spec(raw)
            except OpenAPIValidationError as error:
                raise ContractError(invalid(path, error.message)) from None
        try:
            return cls(raw, path)
        except Exception as error:  # a $ref or structure the look-ups cannot follow
            raise ContractError(invalid(path, repr(error))) from None

    def answer(self, operation_id: str, status: int) -> Answer | None:
        """The documented answer for `status` (or the `default` one); None if there is none.

        An operation may document several media types for one status; the first is used.
        """
        operation = self.operations.get(operation_id)
        if operation is None:
            return None
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{status // 100}XX")
        if response is None:
            response = responses.get("default")
        if response is None:
            return None
        content = response.get("content") or {}
        if not content:
            return Answer(status, None, None)
        media_type, media = next(iter(content.items()))
        return Answer(status, media_type, media.get("schema"))

    def media_types(self, operation_id: str, status: int) -> list[str]:
        """Every media type documented for this answer, in the spec's order."""
        operation = self.operations.get(operation_id, {})
        response = operation.get("responses", {}).get(str(status), {})
        return list((response.get("content") or {}).keys())

    def _matching_paths(self, path: str) -> list[dict[str, Any]]:
        return [item for pattern, item in self._path_patterns if pattern.match(path)]

    def operation_at(self, method: str, path: str) -> str | None:
        """The operationId serving `method path`, if the spec has one (asked on every request,
        so answers are remembered, up to a bound)."""
        key = (method, path)
        if key in self._operation_cache:
            return self._operation_cache[key]
        found = None
        for item in self._matching_paths(path):
            operation = item.get(method.lower())
            if operation and "operationId" in operation:
                found = str(operation["operationId"])
                break
        if len(self._operation_cache) >= 4096:
            self._operation_cache.clear()
        self._operation_cache[key] = found
        return found

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the spec documents for a concrete request path (for a 405's `Allow`).

        GET implies HEAD, which the server answers for every GET route.
        """
        methods: set[str] = set()
        for item in self._matching_paths(path):
            methods.update(m.upper() for m in HTTP_METHODS if m in item)
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)

    def cookie_name(self) -> str:
        """The name of the session cookie: the first cookie `apiKey` security scheme's."""
        schemes = self.resolved.get("components", {}).get("securitySchemes", {})
        for scheme in schemes.values():
            if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
                return str(scheme["name"])
        return "session"
