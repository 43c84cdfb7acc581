"""The board's idea cards for visitors who are not logged in, rendered once and remembered.

A card shows nothing personal to such a visitor, only the idea's own values in the reader's language
and time zone; the key holds every one of them, so a changed count, title or status is simply another
card and nothing needs invalidating. The most recently shown cards stay (`SIZE`). A logged-in reader's
board renders the same template in its loop, with the support button.
"""
import threading
from collections import OrderedDict

from flask import current_app, request
from markupsafe import Markup

from app.core.i18n import locale_code, timezone_name

#: cards remembered per process (a few KB each)
SIZE = 5000
_cards: OrderedDict = OrderedDict()
_lock = threading.Lock()


def anonymous_cards(ideas, **context) -> list[Markup]:
    """The cards of these ideas (plain list rows), from `ideas/_card.html` with `context` (its labels and links)."""
    template = current_app.jinja_env.get_template("ideas/_card.html")
    shared = (locale_code(), timezone_name(), request.script_root)
    out = []
    for idea in ideas:
        key = (*shared, idea.id, idea.title, idea.summary, idea.status, idea.support_count, idea.comment_count,
               idea.category_id, idea.municipality_id, idea.author.display_name, idea.created_at)
        with _lock:
            html = _cards.get(key)
            if html is not None:
                _cards.move_to_end(key)
        if html is None:
            html = Markup(template.render(idea=idea, action_form=None, **context))
            with _lock:
                _cards[key] = html
                if len(_cards) > SIZE:
                    _cards.popitem(last=False)
        out.append(html)
    return out
