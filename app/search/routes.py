"""Search pages: /search, and the similar-ideas lookup the idea form calls while typing."""
from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext as _l, ngettext

from app.core.errors import DomainError
from app.core.pagination import page_args
from app.core.web import query_link
from app.extensions import limiter
from app.ideas.queries import reference_names
from app.ideas.states import IDEA, LABELS, IdeaStatus
from app.proposals.states import PROPOSAL

bp = Blueprint("search", __name__)


def search_filters() -> dict:
    """The facet filters in the query string."""
    return {k: request.args.get(k) or None for k in ("category", "municipality", "status")}


@bp.route("/search")
def index():
    """Full-text search over ideas with facets."""
    from app.search.query import live_support_counts, search

    q = (request.args.get("q") or "").strip()
    kind = request.args.get("type", "idea")
    if kind not in ("idea", "proposal"):
        return render_template("errors/error.html", message=_l("Unknown type."), status=400), 400
    filters = search_filters()
    try:
        page, per_page = page_args(20)
    except DomainError as exc:
        return render_template("errors/error.html", message=exc.message, status=400), 400
    results = search(q, type=kind, filters=filters, page=page, per_page=per_page) if q else None
    if results:
        live_support_counts(results.items)  # the index's counts are stale: a support never reindexes
    categories, municipalities = reference_names(by="code")
    pages = (results.total + per_page - 1) // per_page if results else 0
    labels = IDEA.names() if kind == "idea" else PROPOSAL.names()
    return render_template("search/index.html", q=q, kind=kind, results=results, filters=filters, page=page,
                           pages=pages, categories=categories, municipalities=municipalities, status_labels=labels,
                           search_link=query_link("search.index"))


@bp.route("/ideas/similar")
@limiter.limit("60 per minute")
def similar():
    """Ideas like the one being typed (title, summary and the chosen city), as JSON for the idea form.

    Each item carries its labels ("지지 16", "공개") so the script shows words, not bare numbers.
    """
    from app.search.query import similar_ideas

    title, summary = request.args.get("title", "")[:200], request.args.get("summary", "")[:800]
    municipality = request.args.get("municipality", "")[:40] or None
    text = f"{title} {summary}"
    items = similar_ideas(text, limit=5, title=title, municipality=municipality) if text.strip() else []
    for item in items:
        status = IdeaStatus(item["status"])
        item["status_label"] = str(LABELS[status])
        item["support_label"] = ngettext("%(num)d support", "%(num)d supports", item["support_count"])
    return jsonify({"items": items})
