"""The OpenAPI schema tells the truth: every operation lists the error answers it can give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what went wrong; a refused field is named as a key with its messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: add 400, 401, 403, 404, 405, 409 and 415 (writes) and 429 to every
    operation, each with the Error body the exception handler gives."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _answer("Bad input: a field, a filter or the body is refused."))
            responses.setdefault("401", _answer("Not logged in, or the token is invalid or expired."))
            responses.setdefault("403", _answer("Not logged in (session), or the company may not do this."))
            responses.setdefault("404", _answer("No such row (or one the company may not see), or no such page."))
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("405", _answer("Not offered here; the description says which action to use."))
                responses.setdefault("409", _answer("A change made at the same moment conflicts; reload and retry."))
                responses.setdefault("415", _answer("A body type this operation does not read."))
            responses.setdefault("429", _answer("Too many requests, or too many failed logins: try again later."))
    return result
