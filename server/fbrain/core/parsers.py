"""The API's JSON parser: refuses bodies nested deeper than MAX_JSON_DEPTH before decoding them."""

from __future__ import annotations

import re
from array import array
from io import BytesIO
from itertools import accumulate
from typing import IO, Any

from rest_framework.parsers import JSONParser

from fbrain.core.errors import ValidationFailed

# No request of the API nests deeper than 3 levels (an object holding a list of tags); 32 leaves room for any
# future shape while staying far below Python's recursion limit, which json.loads and DRF's serializers hit
# at about 1000 levels (a RecursionError, then a 500).
MAX_JSON_DEPTH = 32

# A JSON string once its escaped backslashes and quotes are gone: brackets inside strings nest nothing.
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Openers become +1, closers -1 (as a signed byte): a running sum is then the depth at each bracket.
_DELTAS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in `data`, found by one scan in C code (no recursion)."""
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _STRING.sub(b"", unescaped).translate(None, _NOT_BRACKETS).translate(_DELTAS)
    if not brackets:
        return 0
    return max(accumulate(array("b", brackets)))


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser behind a nesting-depth check, so a deep body is a 400 and never a RecursionError."""

    def parse(self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = stream.read() if stream is not None else b""
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ValidationFailed(
                f"JSON parse error - the body nests deeper than {MAX_JSON_DEPTH} levels.",
                fields={"body": [f"Arrays and objects may nest at most {MAX_JSON_DEPTH} levels deep."]},
                code="parse_error",
            )
        return super().parse(BytesIO(data), media_type, parser_context)
