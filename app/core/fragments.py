"""Pieces of a page rendered once and remembered: what a visitor who is not logged in sees of each row.

Such a visitor's idea card or comment holds nothing personal, only the row's own values in the reader's
language and time zone. The caller's key holds every value the piece shows, so a changed count, title or
name is simply another piece and nothing needs invalidating; the most recently shown `SIZE` pieces stay.
A logged-in reader's page includes the same templates in its loops, with their buttons and forms.

`once` does the same for the parts of every page's frame that are the same for all readers (the
header's links, the footer), keyed by the few values that vary them.
"""
from flask import current_app, request
from markupsafe import Markup

from app.core.i18n import locale_code, timezone_name
from app.core.kept import Kept

#: pieces remembered per process (a few KB each)
SIZE = 10_000
_pieces = Kept(SIZE)


def rendered(template_name: str, items, key, name: str, **context) -> list[Markup]:
    """`template_name` rendered for each item (as `name`, with `context`), remembered under `key(item)`."""
    template = current_app.jinja_env.get_template(template_name)
    shared = (template_name, locale_code(), timezone_name(), request.script_root)
    out = []
    for item in items:
        item_key = (shared, key(item))
        html = _pieces.get(item_key)
        if html is None:
            html = Markup(template.render(**context, **{name: item}))
            _pieces.put(item_key, html)
        out.append(html)
    return out


def rendered_for(template_name: str, key, name: str, **context) -> Markup:
    """`template_name` rendered once with `name` = `key` (and `context`), remembered under `key`: a piece the same
    for every reader that shows `key` (the board's filter form for one choice, say). `key` must be hashable and
    hold every value the piece shows besides the reference data in `context`."""
    return rendered(template_name, [key], lambda same: same, name, **context)[0]


def once(template_name: str, **variant) -> Markup:
    """A piece of every page (templates/_chrome/), rendered with `variant` once per language and `variant`.

    The piece sees only `variant` and the app's globals (`url_for`, `_`), never the request or the reader.
    """
    return rendered_for(template_name, tuple(sorted(variant.items())), "variant", **variant)
