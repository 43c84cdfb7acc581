"""Reading JSON bodies safely: too deep, lone surrogates and NUL characters are malformed input (400), never a 500."""
from flask.json.provider import DefaultJSONProvider

#: deeper than any body the API accepts; json.loads would recurse until RecursionError
MAX_DEPTH = 32


def _check(value, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("JSON nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL character in a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("lone surrogate in a string") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's provider, refusing (with ValueError, which Flask answers with 400) what the app can't store."""

    ensure_ascii = False  # Korean stays readable in JSON

    def loads(self, s, **kwargs):
        """Parse, then refuse nesting, NUL and lone surrogates."""
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check(value)
        return value
