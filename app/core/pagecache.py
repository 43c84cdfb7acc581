"""Whole pages remembered for readers who are not logged in, as a wiki's parser cache does.

Such a reader's page holds nothing personal but the CSRF token of the frame's forms (the language switch),
which is left as a slot in the remembered page and filled for each reader. A page is remembered under a key
the caller reads from the database in one statement: a version the database moves with every change the
page shows (triggers of migration 0012, whatever wrote the change) and the site's generation, which names,
roles and parameters move. A changed page is simply another key; the most recently shown `SIZE` pages stay.
A reader with a message waiting (a flash) gets the page rendered for them.
"""
from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, request, session
from flask_wtf.csrf import generate_csrf

from app.core.i18n import locale_code, timezone_name
from app.core.kept import Kept
from app.extensions import db

#: pages remembered per process (an idea page is 20-40 KB)
SIZE = 500
#: what a remembered page holds where the reader's CSRF token goes (letters only: escaping leaves it as is)
CSRF_SLOT = "csrfslotQ7xW2pagecache"

_pages = Kept(SIZE)


class PageGeneration(db.Model):
    """One row: moved by the database whenever a value any page may show changes (a name, a role, a parameter)."""

    __tablename__ = "page_generation"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.BigInteger)


def generation():
    """The site's generation, as a scalar subquery to fold into a page's key statement."""
    return sa.select(PageGeneration.value).where(PageGeneration.id == 1).scalar_subquery()


def csrf_token() -> str:
    """The CSRF token for a form of the frame: the reader's own, or the slot while a page is rendered to keep."""
    return CSRF_SLOT if g.get("rendering_to_keep") else generate_csrf()


def remembered(key: tuple, render: Callable[[], str]) -> str:
    """The page remembered under `key` (with the reader's language, time zone, host and path), else `render()`
    kept there; the reader's CSRF token filled in."""
    if session.get("_flashes"):
        return render()
    full_key = (key, locale_code(), timezone_name(), request.url_root, request.full_path)
    html = _pages.get(full_key)
    if html is None:
        g.rendering_to_keep = True
        try:
            html = render()
        finally:
            g.rendering_to_keep = False
        _pages.put(full_key, html)
    return html.replace(CSRF_SLOT, generate_csrf()) if CSRF_SLOT in html else html


def forget_all() -> None:
    """Forget every remembered page (a database restored under a running process, a test's fresh tables)."""
    _pages.clear()
