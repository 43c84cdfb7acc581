"""Being found: robots.txt, sitemap.xml (ideas here, other features' pages by signal) and an Atom feed of new ideas."""
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import sqlalchemy as sa
from flask import Response, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.core.signals import values_from_signal
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.ideas import bp
from app.ideas.models import Idea
from app.ideas.queries import PUBLIC_STATUSES, ideas_query
from app.ideas.signals import sitemap_pages

#: the sitemap protocol's limit for one file
SITEMAP_LIMIT = 50_000
FEED_SIZE = 50
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: characters XML 1.0 cannot carry at all (a stray control character would break the whole document)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: paths crawlers have no business in: personal pages, forms, the API, endless search result pages
PRIVATE_PATHS = ("/auth/", "/api/", "/notifications", "/experts/", "/search", "/ideas/new", "/ideas/similar")


def _text(value) -> str:
    """The value as text XML can carry."""
    return _NOT_XML.sub("", str(value or ""))


def _when(value: datetime) -> str:
    """RFC 3339 in UTC, as Atom and sitemaps want."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(root: ET.Element, mimetype: str) -> Response:
    """The document as UTF-8 with its declaration."""
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype=mimetype)


@bp.route("/robots.txt")
def robots():
    """What crawlers may read, and where the sitemap is."""
    lines = ["User-agent: *", *[f"Disallow: {path}" for path in PRIVATE_PATHS], "Allow: /", "",
             f"Sitemap: {url_for('ideas.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap():
    """The board's ideas, then the pages other features add (proposals), one query each, at most 50,000 URLs."""
    pages = [(url_for("ideas.index", _external=True), None), (url_for("ideas.answers", _external=True), None)]
    rows = db.session.execute(
        sa.select(Idea.id, sa.func.coalesce(Idea.updated_at, Idea.created_at))
        .where(Idea.status.in_(PUBLIC_STATUSES)).order_by(Idea.id.desc()).limit(SITEMAP_LIMIT - len(pages))).all()
    pages += [(url_for("ideas.show", idea_id=ident, _external=True), changed) for ident, changed in rows]
    others = values_from_signal(sitemap_pages.send(None, limit=SITEMAP_LIMIT - len(pages)))
    for _name, more in sorted(others.items()):
        pages += more[:SITEMAP_LIMIT - len(pages)]
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for loc, changed in pages:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = _text(loc)
        if changed is not None:
            ET.SubElement(url, "lastmod").text = _when(changed)
    return _xml(root, "application/xml")


@bp.route("/ideas/feed.atom")
def feed():
    """The 50 newest ideas on the board as an Atom feed."""
    ideas = db.session.scalars(ideas_query(sort="new").limit(FEED_SIZE)).all()
    root = ET.Element("feed", xmlns=ATOM_NS)
    root.set("xml:lang", str(get_locale() or "ko"))
    ET.SubElement(root, "id").text = url_for("ideas.feed", _external=True)
    ET.SubElement(root, "title").text = _("GOPS: new ideas")
    ET.SubElement(root, "subtitle").text = _("Citizens' ideas for a smarter Gyeonggi")
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=url_for("ideas.feed", _external=True))
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=url_for("ideas.index", sort="new", _external=True))
    newest = max((as_utc(i.updated_at or i.created_at) for i in ideas), default=utcnow())
    ET.SubElement(root, "updated").text = _when(newest)
    for idea in ideas:
        link = url_for("ideas.show", idea_id=idea.id, _external=True)
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "id").text = link
        ET.SubElement(entry, "title").text = _text(idea.title)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        ET.SubElement(entry, "published").text = _when(idea.created_at)
        ET.SubElement(entry, "updated").text = _when(idea.updated_at or idea.created_at)
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = _text(idea.author.display_name)
        ET.SubElement(entry, "category", term=idea.category.code, label=_text(idea.category.name))
        ET.SubElement(entry, "summary").text = _text(
            f"{idea.summary} ({idea.municipality.name} · {idea.category.name})")
    return _xml(root, "application/atom+xml")
