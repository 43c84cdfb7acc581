"""API: full-text search over ideas and proposals."""
from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.serializers import page_json
from app.core.errors import InvalidInput
from app.core.pagination import page_args
from app.search.query import live_support_counts, search as run_search

TYPES = ("idea", "proposal")


@bp.get("/search")
def search():
    """Full-text search with facets and highlighted snippets; support counts are the database's, not the index's."""
    kind = request.args.get("type", "idea")
    if kind not in TYPES:
        msg = str(_l("Unknown type."))
        raise InvalidInput(msg, code="invalid_type", fields={"type": [msg]})
    page, per_page = page_args()
    filters = {k: request.args.get(k) or None for k in ("category", "municipality", "status")}
    results = run_search(request.args.get("q", ""), type=kind, filters=filters, page=page, per_page=per_page)
    live_support_counts(results.items)
    items = [{"type": h.type, "id": h.id, "title": h.title, "summary": h.summary, "status": h.status,
              "category": h.category, "municipality": h.municipality, "support_count": h.support_count,
              "score": round(h.score, 4), "highlight": str(h.highlight)} for h in results.items]
    return jsonify({**page_json(items, page, per_page, results.total), "facets": results.facets})
