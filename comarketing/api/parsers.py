"""Request body parsers of the API."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far deeper than any body of this API (two or three levels); far shallower than Python's recursion limit.
MAX_JSON_DEPTH = 32


def _depth(data: object) -> int:
    """How deeply lists and objects nest in `data`, counted without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            pending.extend((item, depth + 1) for item in value)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON nested deeper than MAX_JSON_DEPTH is a 400 (the standard parser overflows the stack: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data
