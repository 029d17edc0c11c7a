"""The spec drives the mock: a different spec given with --spec changes the answers, no code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.contract import BUNDLED_SPEC
from tests.support import MockProcess, register, running_mock, unique_email


def variant(tmp_path: Path, change: Any) -> Path:
    spec = yaml.safe_load(BUNDLED_SPEC.read_text(encoding="utf-8"))
    change(spec)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def json_errors(spec: dict[str, Any]) -> None:
    """Error answers as JSON objects {message, code} instead of plain text."""
    body = {
        "type": "object",
        "required": ["message", "code"],
        "additionalProperties": False,
        "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
    }
    for name in ("Message500", "Unauthorized"):
        spec["components"]["responses"][name]["content"] = {"application/json": {"schema": body}}


def extra_properties(spec: dict[str, Any]) -> None:
    """The profile gains `rank` and `level`; records items gain `country`."""
    schemas = spec["components"]["schemas"]
    schemas["Profile"]["properties"]["rank"] = {"$ref": "#/components/schemas/DigitString"}
    schemas["Profile"]["properties"]["level"] = {"type": "integer", "minimum": 1, "maximum": 99}
    schemas["Profile"]["required"].append("rank")
    schemas["RecordsItem"]["properties"]["country"] = {"type": "string", "enum": ["RU", "US"]}


def integer_stats(spec: dict[str, Any]) -> None:
    """A spec the world's data cannot satisfy: `won` as a JSON integer."""
    spec["components"]["schemas"]["Profile"]["properties"]["won"] = {"type": "integer"}


@pytest.fixture
def json_error_mock(tmp_path: Path) -> Iterator[MockProcess]:
    with running_mock("--spec", str(variant(tmp_path, json_errors))) as process:
        yield process


def test_json_error_bodies_follow_the_spec(json_error_mock: MockProcess) -> None:
    with json_error_mock.client() as c:
        email = unique_email()
        register(c, email)
        response = register(c, email)
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert set(body) == {"message", "code"}
        assert "already registered" in body["message"]
        assert isinstance(body["code"], int)
        c.cookies.clear()
        unauthorized = c.get("/api/profile")
        assert unauthorized.status_code == 401
        assert unauthorized.json()["message"]
        invalid = c.get("/api/records?page=abc")
        assert invalid.status_code == 500 and "page" in invalid.json()["message"]


def test_added_properties_are_filled_with_schema_valid_data(tmp_path: Path) -> None:
    with running_mock("--spec", str(variant(tmp_path, extra_properties))) as process:
        with process.client() as c:
            register(c)
            profile = c.get("/api/profile").json()
            again = c.get("/api/profile").json()
            items = c.get("/api/records").json()["data"]
    assert profile["rank"].isdigit()
    assert isinstance(profile["level"], int) and 1 <= profile["level"] <= 99
    assert profile == again, "generated filler is reproducible"
    assert items and all(item["country"] in ("RU", "US") for item in items)


def test_answers_the_spec_forbids_are_never_sent(tmp_path: Path) -> None:
    with running_mock("--spec", str(variant(tmp_path, integer_stats))) as process:
        with process.client() as c:
            register(c)
            response = c.get("/api/profile")
    # Response validation stops the digit-string profile that this spec forbids.
    assert response.status_code == 500
    assert '"won"' not in response.text


def test_operations_without_behaviour_answer_their_documented_example(tmp_path: Path) -> None:
    def add_operation(spec: dict[str, Any]) -> None:
        spec["paths"]["/api/news"] = {
            "get": {
                "operationId": "get_news",
                "responses": {
                    "200": {
                        "description": "News.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title"],
                                    "properties": {"title": {"type": "string", "example": "Hi"}},
                                }
                            }
                        },
                    }
                },
            }
        }

    with running_mock("--spec", str(variant(tmp_path, add_operation))) as process:
        with process.client() as c:
            response = c.get("/api/news")
    assert response.status_code == 200
    assert response.json() == {"title": "Hi"}
