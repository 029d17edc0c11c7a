"""openapi.yaml: a valid OpenAPI 3.0.3 document that states what the API document states."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator
from openapi_spec_validator import validate

from mockserver.contract import BUNDLED_SPEC, Contract

RAW: dict[str, Any] = yaml.safe_load(BUNDLED_SPEC.read_text(encoding="utf-8"))
SPEC = Contract.load(BUNDLED_SPEC)


def operation(operation_id: str) -> dict[str, Any]:
    return SPEC.operations[operation_id]


def test_is_valid_openapi_303() -> None:
    assert RAW["openapi"] == "3.0.3"
    validate(RAW)


@pytest.mark.parametrize(
    ("path", "method", "operation_id"),
    [
        ("/api/register", "POST", "register"),
        ("/api/auth", "POST", "auth"),
        ("/api/profile", "GET", "get_profile"),
        ("/api/profile", "PATCH", "patch_profile"),
        ("/api/avatar", "GET", "get_avatar"),
        ("/api/records", "GET", "get_records"),
    ],
)
def test_every_documented_operation_is_there(path: str, method: str, operation_id: str) -> None:
    op = operation(operation_id)
    assert (op["x-path"], op["x-method"]) == (path, method)


def test_register_form_statuses_and_headers() -> None:
    op = operation("register")
    body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(body["required"]) == {"email", "password", "nickname"}
    assert set(op["responses"]) == {"302", "500"}
    headers = op["responses"]["302"]["headers"]
    assert headers["Location"]["schema"]["enum"] == ["/profile"]
    assert headers["Set-Cookie"]["required"] is True
    assert "text/plain" in op["responses"]["500"]["content"]


def test_auth_form_and_referer() -> None:
    op = operation("auth")
    body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(body["required"]) == {"email", "password"}
    (referer,) = [p for p in op["parameters"] if p["name"] == "Referer"]
    assert referer["in"] == "header" and "x-inferred" in referer
    assert set(op["responses"]) == {"302", "500"}
    assert {"Location", "Set-Cookie"} <= set(op["responses"]["302"]["headers"])


def test_profile_fields_are_digit_strings_and_closed() -> None:
    schema = operation("get_profile")["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {
        "nickname",
        "email",
        "won",
        "lost",
        "play_time",
        "avatar_path",
    }
    assert schema["additionalProperties"] is False
    for name in ("won", "lost", "play_time"):
        assert schema["properties"][name]["pattern"] == "^[0-9]+$"
    assert set(operation("get_profile")["responses"]) == {"200", "401"}


def test_patch_profile_is_multipart_with_optional_fields() -> None:
    op = operation("patch_profile")
    body = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["properties"]) == {"email", "nickname", "avatar"}
    assert "required" not in body
    assert body["properties"]["avatar"]["format"] == "binary"
    assert set(op["responses"]) == {"200", "401", "500"}
    assert "x-inferred" in op


def test_avatar_is_an_image() -> None:
    content = operation("get_avatar")["responses"]["200"]["content"]
    assert content and all(media.startswith("image/") for media in content)


def test_records_page_shape() -> None:
    op = operation("get_records")
    (page,) = op["parameters"]
    assert (page["name"], page["in"], page["schema"]["type"]) == ("page", "query", "integer")
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"pages_total", "page", "data"}
    item = schema["properties"]["data"]["items"]
    assert item["additionalProperties"] is False
    assert (
        set(item["required"]) == set(item["properties"]) == {"nickname", "won", "lost", "play_time"}
    )


@pytest.mark.parametrize(
    ("operation_id", "status", "media_type"),
    [("get_profile", "200", "application/json"), ("get_records", "200", "application/json")],
)
def test_the_documents_examples_are_the_specs_examples_and_valid(
    operation_id: str, status: str, media_type: str
) -> None:
    media = operation(operation_id)["responses"][status]["content"][media_type]
    Draft4Validator(media["schema"]).validate(media["example"])


def test_document_examples_are_used_verbatim() -> None:
    profile = operation("get_profile")["responses"]["200"]["content"]["application/json"]
    assert profile["example"]["won"] == "100500"
    assert profile["example"]["avatar_path"] == "static/img/my_avatar.jpeg"
    records = operation("get_records")["responses"]["200"]["content"]["application/json"]
    assert [item["nickname"] for item in records["example"]["data"]] == ["User1", "User2", "User3"]


def test_leaks_are_schema_violations() -> None:
    profile = operation("get_profile")["responses"]["200"]["content"]["application/json"]
    leaked = {**profile["example"], "password": "secret"}
    assert not Draft4Validator(profile["schema"]).is_valid(leaked)
    records = operation("get_records")["responses"]["200"]["content"]["application/json"]
    page = records["example"]
    leaky = {**page, "data": [{**page["data"][0], "email": "user@mail.ru"}]}
    assert not Draft4Validator(records["schema"]).is_valid(leaky)


def inferred_elements(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Every element carrying `x-inferred`, by its path of keys from the document's root."""
    found: dict[tuple[Any, ...], Any] = {}
    if isinstance(node, dict):
        if "x-inferred" in node:
            found[path] = node
        for key, value in node.items():
            found.update(inferred_elements(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(inferred_elements(value, (*path, index)))
    return found


def test_every_ruling_is_marked_as_inferred_with_a_reason() -> None:
    marked = inferred_elements(RAW)
    expected = [
        ("components", "responses", "Message500"),
        ("components", "responses", "Unauthorized"),
        ("components", "schemas", "Email"),
        ("components", "schemas", "Nickname"),
        ("components", "schemas", "ProfilePatchForm", "properties", "avatar"),
        ("components", "schemas", "Profile", "properties", "avatar_path"),
        ("components", "securitySchemes", "session"),
        ("components", "headers", "SessionCookie"),
        ("paths", "/api/records", "get", "parameters", 0),
        ("paths", "/api/auth", "post", "parameters", 0),
        ("paths", "/api/profile", "patch"),
    ]
    assert [where for where in expected if where not in marked] == []
    for where, element in marked.items():
        # A reason a reader can follow, and a description that states the ruling.
        assert isinstance(element["x-inferred"], str) and len(element["x-inferred"]) > 20, where
        assert element.get("description"), where
