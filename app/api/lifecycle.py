"""API: search, similar ideas, official answers, merging, the rules, notifications."""
import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import idea_json, iso, page_json
from app.core.errors import InvalidInput, NotFound
from app.core.lookup import MAX_ID, get_by_id
from app.core.pagination import page_args
from app.extensions import db
from app.core.parameters import SPECS, get_parameter
from app.governance.operations import parameter_history, set_parameter
from app.ideas.lifecycle import answer_idea, merge_ideas
from app.ideas.models import Answer, Idea
from app.ideas.queries import answers_due_query, get_visible_idea
from app.notifications.operations import mark_read, notifications_query, set_mode, unread_count


def answer_json(answer) -> dict:
    """An official answer."""
    return {"id": answer.id, "idea_id": answer.idea_id, "body": answer.body,
            "author": {"id": answer.author.id, "display_name": answer.author.display_name},
            "created_at": iso(answer.created_at)}


@bp.get("/search")
def search():
    """Full-text search with facets and highlighted snippets."""
    from app.search.query import search as run_search

    kind = request.args.get("type", "idea")
    if kind not in ("idea", "proposal"):
        msg = str(_l("Unknown type."))
        raise InvalidInput(msg, code="invalid_type", fields={"type": [msg]})
    page, per_page = page_args()
    filters = {k: request.args.get(k) or None for k in ("category", "municipality", "status")}
    results = run_search(request.args.get("q", ""), type=kind, filters=filters, page=page, per_page=per_page)
    items = [{"type": h.type, "id": h.id, "title": h.title, "summary": h.summary, "status": h.status,
              "category": h.category, "municipality": h.municipality, "support_count": h.support_count,
              "score": round(h.score, 4), "highlight": str(h.highlight)} for h in results.items]
    return jsonify({**page_json(items, page, per_page, results.total), "facets": results.facets})


@bp.get("/ideas/<int:idea_id>/similar")
def similar(idea_id):
    """Ideas like this one, for spotting duplicates."""
    from app.search.query import similar_ideas

    idea = get_visible_idea(idea_id, current_user)
    return jsonify({"items": similar_ideas(f"{idea.title} {idea.summary}", exclude_id=idea.id)})


@bp.post("/ideas/<int:idea_id>/answer")
def answer(idea_id):
    """A steward's official answer `{body}`."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    body = json_body().get("body")
    if not isinstance(body, str):
        msg = str(_l("Write the answer first."))
        raise InvalidInput(msg, code="validation_failed", fields={"body": [msg]})
    created = answer_idea(idea, user, body)
    db.session.commit()
    return jsonify(answer_json(created)), 201


@bp.get("/ideas/<int:idea_id>/answer")
def get_answer(idea_id):
    """The official answer, if there is one."""
    idea = get_visible_idea(idea_id, current_user)
    row = db.session.scalar(sa.select(Answer).where(Answer.idea_id == idea.id))
    if row is None:
        raise NotFound(_l("This idea has no official answer yet."), code="no_answer")
    return jsonify(answer_json(row))


@bp.post("/ideas/<int:idea_id>/merge")
def merge(idea_id):
    """A steward merges this idea into `{target_id}`."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    target = get_by_id(Idea, json_body().get("target_id"))
    if target is None:
        raise NotFound(_l("There is no such idea."), code="target_not_found")
    merge_ideas(idea, target, user)
    db.session.commit()
    return jsonify(idea_json(target, viewer=user))


@bp.get("/answers/due")
def answers_due():
    """Shortlisted ideas still waiting for their official answer, soonest due first."""
    page, per_page = page_args()
    pagination = db.paginate(answers_due_query(), page=page, per_page=per_page, error_out=False)
    items = [{**idea_json(i, full=False), "answer_due_at": iso(i.answer_due_at)} for i in pagination.items]
    return jsonify(page_json(items, page, per_page, pagination.total))


@bp.get("/parameters")
def parameters():
    """The lifecycle rules in force, and their public history."""
    return jsonify({
        "items": [{"key": k, "value": get_parameter(k), "minimum": s.minimum, "maximum": s.maximum} for k, s in SPECS.items()],
        "history": [{"key": c.data["key"], "old_value": c.data["old"], "new_value": c.data["new"], "reason": c.reason,
                     "changed_by": c.actor.display_name if c.actor else None, "changed_at": iso(c.created_at)}
                    for c in parameter_history()],
    })


@bp.put("/parameters/<key>")
def put_parameter(key):
    """A steward changes a rule `{value, reason}`."""
    user = require_user()
    body = json_body()
    value, reason = body.get("value"), body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        msg = str(_l("Say why the rule changes."))
        raise InvalidInput(msg, code="validation_failed", fields={"reason": [msg]})
    set_parameter(key, value, user, reason[:500])
    db.session.commit()
    return jsonify({"key": key, "value": get_parameter(key)})


@bp.get("/me/notifications")
def my_notifications():
    """The acting user's notifications, newest first, with the unread count."""
    user = require_user()
    page, per_page = page_args()
    pagination = db.paginate(notifications_query(user), page=page, per_page=per_page, error_out=False)
    items = [{"id": n.id, "kind": n.kind, "message": n.message, "subject_type": n.subject_type,
              "subject_id": n.subject_id, "link": n.link, "created_at": iso(n.created_at),
              "read": n.read_at is not None} for n in pagination.items]
    return jsonify({**page_json(items, page, per_page, pagination.total), "unread": unread_count(user)})


@bp.post("/me/notifications/read")
def read_notifications():
    """Mark `{id}` (or, without it, every notification) as read."""
    user = require_user()
    ident = json_body().get("id")
    if ident is not None and (not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID):
        raise InvalidInput(code="invalid_id", fields={"id": [str(_l("This field has the wrong type."))]})
    changed = mark_read(user, ident)
    db.session.commit()
    return jsonify({"marked": changed, "unread": unread_count(user)})


@bp.put("/me/notification-settings")
def notification_settings():
    """Choose how notifications come by mail `{mode: immediate|daily|off}`."""
    user = require_user()
    set_mode(user, json_body().get("mode"))
    db.session.commit()
    return jsonify({"mode": user.notification_mode})
