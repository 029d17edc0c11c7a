"""Connexion's request validators, with messages a user can act on.

Connexion's parameter errors are jsonschema's full reports (schema dump included) and do not
say which parameter failed. The contract turns them into a message for the user, so they
must be one readable line that names the parameter: "query parameter 'page': 'abc' is not of
type 'integer'".
"""

from __future__ import annotations

from typing import Any

from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError


class NamedParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        name = param.get("name", param_name)
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return f"Missing {parameter_type} parameter '{name}'" if param.get("required") else None
        try:
            schema = param.get("schema", param)
            Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).validate(value)
        except ValidationError as error:
            return f"{parameter_type} parameter '{name}': {error.message}"
        return None


VALIDATORS = {**VALIDATOR_MAP, "parameter": NamedParameterValidator}
