"""The OpenAPI schema tells the truth: every operation lists the error answers it can give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what went wrong; a refused field is named as a key with its messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
CONFLICT_SCHEMA = {
    "type": "object",
    "description": "`detail` says what changed, by whom and when; `current` is the row as it is now (when it exists).",
    "properties": {"detail": {"type": "string"}, "current": {"type": "object", "additionalProperties": True}},
    "required": ["detail"],
}
_ERROR = {"$ref": "#/components/schemas/Error"}
_CONFLICT = {"$ref": "#/components/schemas/Conflict"}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the row as you read it: the change is refused (412) if the row changed since. A PUT "
    "must send it, or the body's `version`.",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Any string (a UUID): the same key with the same body within 24 hours gets the first answer "
    "again (header `Idempotent-Replayed: true`) instead of doing it twice; with another body, 422.",
}


TOO_MANY = (
    "Too many requests, too many failed logins, or the company's invitations for the day are used up: `detail` "
    "says when to try again."
)
RETRY_AFTER = {
    "description": "Seconds to wait before trying again (throttles and the invitation limits).",
    "schema": {"type": "integer"},
}


def _answer(description: str, schema: dict = _ERROR) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: add 400, 401, 403, 404, 405, 409 and 415 (writes), 413 (bodies), 406,
    412 and 428 (changes), 422 (creates and actions), and 429 to every operation, each with the body the API
    gives; and the `If-Match` and `Idempotency-Key` headers the scoped API base reads."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"], schemas["Conflict"] = ERROR_SCHEMA, CONFLICT_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _answer("Bad input: a field, a filter or the body is refused."))
            responses.setdefault("401", _answer("Not logged in, or the token is invalid or expired."))
            responses.setdefault("403", _answer("Not logged in (session), or the company may not do this."))
            responses.setdefault("404", _answer("No such row (or one the company may not see), or no such page."))
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("405", _answer("Not offered here; the description says which action to use."))
                responses.setdefault(
                    "409",
                    _answer(
                        "The row changed since the `version` you sent (the answer holds it as it is now), a change "
                        "made at the same moment conflicts, or a request with this Idempotency-Key is still running.",
                        _CONFLICT,
                    ),
                )
                responses.setdefault("415", _answer("A body type this operation does not read."))
            if method in ("post", "put", "patch"):
                responses.setdefault(
                    "413", _answer("The body is larger than the API reads: 2.5 MB of JSON, or the upload's limit.")
                )
            if method in ("put", "patch"):
                operation.setdefault("parameters", []).append(IF_MATCH)
                responses.setdefault("412", _answer("The row changed since the ETag in If-Match.", _CONFLICT))
            if method == "put":
                responses.setdefault("428", _answer("Say which version you read: If-Match or the body's `version`."))
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                responses.setdefault("422", _answer("This Idempotency-Key was already used for a different request."))
            responses.setdefault("406", _answer("The Accept header asks for no type this API answers in (JSON)."))
            responses.setdefault("429", {**_answer(TOO_MANY), "headers": {"Retry-After": RETRY_AFTER}})
    return result
