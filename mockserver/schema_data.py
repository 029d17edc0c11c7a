"""Fitting the world's data to whatever the spec's schemas ask for.

The world knows players; the spec decides what an answer contains. `conform` keeps what the
schema allows, drops what it forbids and fills in every declared property the world does not
know with generated, schema-valid data. `message_body` puts a user message into whatever shape
the spec gives error answers (a plain string, or an object with a message property).

The generator covers what API specs commonly use: `example`, `enum`, `default`, the JSON types,
common string formats, length and number bounds, and digit-only patterns. Other patterns fall
back to the schema's example when it has one.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

Schema = dict[str, Any]

MESSAGE_PROPERTY_NAMES = ("message", "error", "detail", "description", "msg", "text")
DIGITS_PATTERN = re.compile(r"^\^?\[0-9\][+*]\$?$|^\^?\\d[+*]\$?$")


def merged(schema: Schema) -> Schema:
    """An `allOf` schema flattened into one (enough for the spec's own `allOf: [$ref]` use)."""
    if "allOf" not in schema:
        return schema
    result: Schema = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        part = merged(part)
        for key, value in part.items():
            if key == "properties":
                result.setdefault("properties", {}).update(value)
            elif key == "required":
                result["required"] = sorted({*result.get("required", []), *value})
            else:
                result.setdefault(key, value)
    return result


def schema_type(schema: Schema) -> str | None:
    if "type" in schema:
        return str(schema["type"])
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def generate(schema: Schema, rng: random.Random) -> Any:
    """A value valid against `schema`, chosen by `rng` (so reproducible)."""
    schema = merged(schema)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema_type(schema)
    if kind == "object":
        return {name: generate(sub, rng) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 1)
        return [generate(schema.get("items", {}), rng) for _ in range(count)]
    if kind == "integer":
        low = int(schema.get("minimum", 0))
        return rng.randint(low, int(schema.get("maximum", low + 1000)))
    if kind == "number":
        low = float(schema.get("minimum", 0))
        return round(rng.uniform(low, float(schema.get("maximum", low + 1000))), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return generate_string(schema, rng)
    return None


def generate_string(schema: Schema, rng: random.Random) -> str:
    pattern = schema.get("pattern")
    if pattern and DIGITS_PATTERN.match(pattern):
        return str(rng.randint(0, 100000))
    formats = {
        "email": lambda: f"player{rng.randint(1, 99999)}@example.com",
        "date": lambda: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "date-time": lambda: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
        "uuid": lambda: f"{rng.getrandbits(32):08x}-0000-4000-8000-{rng.getrandbits(48):012x}",
        "uri": lambda: f"https://example.com/{rng.randint(1, 9999)}",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]()
    low = int(schema.get("minLength", 1))
    high = max(low, min(int(schema.get("maxLength", 12)), 12))
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(low, high)))


def conform(schema: Schema | None, value: Any, rng: random.Random) -> Any:
    """`value` reshaped to `schema`: forbidden properties dropped, declared ones filled in."""
    if not schema:
        return value
    schema = merged(schema)
    kind = schema_type(schema)
    if kind == "object" and isinstance(value, dict):
        properties: dict[str, Schema] = schema.get("properties", {})
        result = {
            name: conform(properties.get(name), item, rng)
            for name, item in value.items()
            if name in properties or schema.get("additionalProperties", True) is not False
        }
        for name, sub in properties.items():
            if name not in result:
                result[name] = generate(sub, rng)
        return result
    if kind == "array" and isinstance(value, list):
        return [conform(schema.get("items"), item, rng) for item in value]
    return value


def message_body(schema: Schema | None, message: str, rng: random.Random) -> Any:
    """The user message in the shape `schema` gives: the string itself, or an object holding it."""
    if not schema:
        return message
    schema = merged(schema)
    if schema_type(schema) != "object":
        return message
    properties: dict[str, Schema] = schema.get("properties", {})
    strings = [name for name, sub in properties.items() if schema_type(merged(sub)) == "string"]
    named = [name for name in MESSAGE_PROPERTY_NAMES if name in strings]
    required_strings = [name for name in schema.get("required", []) if name in strings]
    target = (named or required_strings or strings or ["message"])[0]
    return conform(schema, {target: message}, rng)
