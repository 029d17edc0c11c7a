"""Building the mock's answers in the shape the spec documents for them.

Handlers and error handlers say *what* to answer (a status and a message, or a payload); this
module looks up *how* in the contract: the media type and schema documented for that operation
and status. Data the spec asks for but the world does not have is generated, reproducibly per
operation and key, so the same request gets the same filler.
"""

from __future__ import annotations

import json
import random
from typing import Any

from connexion.lifecycle import ConnexionResponse

from mockserver.contract import Contract
from mockserver.schema_data import conform, generate, message_body

TEXT_MEDIA_TYPE = "text/plain"


def is_json(media_type: str | None) -> bool:
    return bool(media_type) and (media_type == "application/json" or media_type.endswith("+json"))


class Answers:
    def __init__(self, contract: Contract, seed: int) -> None:
        self.contract = contract
        self.seed = seed

    def _rng(self, operation_id: str | None, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{operation_id}:{key}")

    def message(
        self,
        operation_id: str | None,
        status: int,
        text: str,
        headers: dict[str, str] | None = None,
    ) -> ConnexionResponse:
        """A message for the user, as the spec documents this operation's `status` answer.

        Answers the spec does not document for the operation (a 400 from a route it does not
        know, say) are plain text.
        """
        answer = self.contract.answer(operation_id, status) if operation_id else None
        media_type = answer.media_type if answer and answer.media_type else TEXT_MEDIA_TYPE
        if is_json(media_type):
            body = message_body(
                answer.schema if answer else None, text, self._rng(operation_id, text)
            )
            return self._encode_json(status, media_type, body, headers)
        return ConnexionResponse(
            status_code=status,
            content_type=f"{media_type}; charset=utf-8",
            mimetype=media_type,
            body=text.encode("utf-8"),
            headers=headers or {},
        )

    def payload(
        self, operation_id: str, status: int, value: Any, key: str = ""
    ) -> ConnexionResponse:
        """A JSON payload fitted to the documented schema of this operation's `status` answer."""
        answer = self.contract.answer(operation_id, status)
        media_type = answer.media_type if answer and answer.media_type else "application/json"
        body = conform(answer.schema if answer else None, value, self._rng(operation_id, key))
        return self._encode_json(status, media_type, body, None)

    @staticmethod
    def _encode_json(
        status: int, media_type: str, body: Any, headers: dict[str, str] | None
    ) -> ConnexionResponse:
        return ConnexionResponse(
            status_code=status,
            content_type=media_type,
            mimetype=media_type,
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers=headers or {},
        )

    def example(self, operation_id: str) -> ConnexionResponse:
        """The first documented success answer, made up from its schema.

        For operations the mock has no behaviour for (a spec given with `--spec` may add some):
        they still answer in their documented shape.
        """
        operation = self.contract.operations[operation_id]
        status = min(
            (
                int(code)
                for code in operation.get("responses", {})
                if code.isdigit() and 200 <= int(code) < 300
            ),
            default=200,
        )
        answer = self.contract.answer(operation_id, status)
        if answer is None or answer.media_type is None:
            return ConnexionResponse(status_code=status, body=b"")
        if is_json(answer.media_type):
            body = generate(answer.schema or {}, self._rng(operation_id, "example"))
            return self._encode_json(status, answer.media_type, body, None)
        return self.message(operation_id, status, "OK")
