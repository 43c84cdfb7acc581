"""The one way pages run an operation and report the outcome, and the one check of where a page may send us next."""
import unicodedata
from dataclasses import dataclass
from typing import Any
from functools import lru_cache
from urllib.parse import quote_plus, unquote, urlsplit

from flask import abort, flash

from app.core.errors import DomainError
from app.extensions import db


@dataclass
class Outcome:
    """What `attempt` did: `ok`, and the operation's return value."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(action, success: str | None = None, *, form=None, redirecting: bool = True) -> Outcome:
    """Validate `form` (if given), run `action()`, commit and flash `success`.

    A form that fails validation, or a DomainError from the operation, rolls back and is shown:
    on the form's fields when the page re-renders the form (`redirecting=False`), else flashed,
    since a redirect would lose field errors.
    """
    if form is not None and not form.validate_on_submit():
        if redirecting:
            flash_form_errors(form)
        return Outcome(False)
    try:
        value = action()
    except DomainError as exc:
        db.session.rollback()
        _show_refusal(exc, None if redirecting else form)
        return Outcome(False)
    db.session.commit()
    if success:
        flash(success)
    return Outcome(True, value)


def _show_refusal(exc: DomainError, form) -> None:
    """Per-field messages go on the form's fields where it has them; the rest are flashed."""
    if exc.fields:
        for name, messages in exc.fields.items():
            field = getattr(form, name, None) if form is not None else None
            for message in messages:
                if field is not None and hasattr(field, "errors"):
                    field.errors = [*field.errors, str(message)]
                else:
                    flash(str(message), "error")
    else:
        flash(str(exc.message), "error")


def flash_form_errors(form) -> None:
    """Show every error of a form that failed validation."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


def found(row, **belongs):
    """`row`, or 404 if it is None or does not belong where the URL says (`found(m, proposal_id=p.id)`)."""
    if row is None or any(getattr(row, name) != value for name, value in belongs.items()):
        abort(404)
    return row


#: controls (tab, CR, LF, NUL ...), invisible format characters, line and paragraph separators: browsers drop or
#: act on them, so "/\t/evil.example" is followed as "//evil.example", another site
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def safe_next(target, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback` (used for every `next` a client sends).

    Checked as sent and once percent-decoded: it must start with one `/` (not `//` or `/\\`), hold no backslash
    and no control or invisible character, and name no scheme or host.
    """
    if not isinstance(target, str) or not target:
        return fallback
    for form in (target, unquote(target)):
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return fallback
        if any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in form):
            return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def url_pattern(endpoint: str, arg: str, **values):
    """A maker of `url_for(endpoint, <arg>=n, **values)` for many integers n: the URL is built once and filled in.

    A list links every row to its page; building each link through the URL map cost more than the
    row's other markup. For an `int` converter or a query argument (the marker is a number no row
    or page has).
    """
    from flask import url_for

    marker = "2147483647123"
    head, _, tail = url_for(endpoint, **{arg: int(marker)}, **values).partition(marker)
    return lambda n: f"{head}{int(n)}{tail}"


def query_link(endpoint: str):
    """A maker of `url_for(endpoint, **args)` for an endpoint without URL parameters, for many different query
    arguments (None left out, as `url_for` does): the URL is built once and the arguments appended, in the order
    given, quoted as `url_for` quotes them. The search page's facets link some forty values."""
    from flask import url_for

    base = url_for(endpoint)

    def link(**args) -> str:
        query = "&".join(f"{k}={_quoted(v)}" for k, v in args.items() if v is not None)
        return f"{base}?{query}" if query else base

    return link


@lru_cache(maxsize=1024)
def _quoted(value) -> str:
    """A query string value as `url_for` writes it (the same words come in every link of a page)."""
    return quote_plus(str(value))
