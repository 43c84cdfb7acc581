"""API: ideas, supports, comments, similar ideas, official answers, merging."""
from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import capped_page_json, comment_json, idea_json, iso, page_json, user_public_json
from app.core.errors import InvalidInput, NotFound
from app.core.forms import api_form
from app.core.idempotency import commit, idempotent
from app.core.lookup import get_by_id
from app.core.pagination import page_args
from app.core.security import user_key
from app.core.timeutil import utcnow
from app.core.web import url_pattern
from app.extensions import db, limiter
from app.ideas.forms import AnswerForm, CommentForm, IdeaForm, MergeForm
from app.ideas.lifecycle import answer_idea, merge_ideas
from app.ideas.models import Idea
from app.ideas.operations import (
    add_comment, create_idea, edit_idea, ensure_can_edit, support_idea, withdraw_idea, withdraw_support,
)
from app.ideas.queries import (
    SUPPORT_LOADING, answer_of, answers_due_page, comments_query, get_visible_idea, ideas_page, supported_idea_ids,
)
from app.ideas.states import IdeaStatus
from app.search.query import similar_ideas

IDEA_FIELDS = ("title", "summary", "body", "category", "municipality")


@bp.get("/ideas")
def list_ideas():
    """Ideas, sorted and filtered like the board: active ones (open, shortlisted, adopted) unless a status is given."""
    page, per_page = page_args()
    pagination = ideas_page(
        page, per_page,
        sort=request.args.get("sort", "hot"),
        status=request.args.get("status") or None,
        category=request.args.get("category") or None,
        municipality=request.args.get("municipality") or None,
        q=request.args.get("q") or None,
    )
    supported = supported_idea_ids(current_user, [i.id for i in pagination.items])
    auth = current_user.is_authenticated
    url, now = url_pattern("ideas.show", "idea_id", _external=True), utcnow()
    items = [idea_json(i, full=False, supported=(i.id in supported) if auth else None, url=url, now=now)
             for i in pagination.items]
    return jsonify(capped_page_json(items, pagination))


@bp.post("/ideas")
@limiter.limit(lambda: current_app.config["POSTS_PER_USER"], key_func=user_key)
@idempotent
def post_idea():
    """Post an idea (verified users)."""
    user = require_user()
    form = api_form(IdeaForm, json_body())
    idea = create_idea(user, **{k: getattr(form, k).data for k in IDEA_FIELDS})
    commit()
    response = jsonify(idea_json(idea, viewer=user, supported=False))
    response.headers["Location"] = url_for("api.get_idea", idea_id=idea.id)
    return response, 201


@bp.get("/ideas/<int:idea_id>")
def get_idea(idea_id):
    """One idea with its sanitized HTML body (time rules applied first)."""
    idea = get_visible_idea(idea_id, current_user)
    supported = bool(supported_idea_ids(current_user, [idea.id])) if current_user.is_authenticated else None
    return jsonify(idea_json(idea, viewer=current_user, supported=supported))


@bp.patch("/ideas/<int:idea_id>")
def patch_idea(idea_id):
    """The author edits the idea (until the first support) or withdraws it with {"status": "withdrawn"}."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    payload = json_body()
    status = payload.pop("status", None)
    if status is not None:
        if status != IdeaStatus.WITHDRAWN.value or payload:
            msg = str(_l('Only "withdrawn" can be set, and on its own.'))
            raise InvalidInput(msg, code="invalid_status", fields={"status": [msg]})
        withdraw_idea(idea, user)
    else:
        unknown = set(payload) - set(IDEA_FIELDS)
        if unknown:
            msg = str(_l("Unknown field."))
            raise InvalidInput(msg, code="unknown_fields", fields={k: [msg] for k in sorted(unknown)})
        ensure_can_edit(idea, user)  # before validating, so a stranger learns nothing from field errors
        current = {"title": idea.title, "summary": idea.summary, "body": idea.body,
                   "category": idea.category.code, "municipality": idea.municipality.code}
        form = api_form(IdeaForm, {**current, **payload})
        edit_idea(idea, user, **{k: getattr(form, k).data for k in IDEA_FIELDS})
    db.session.commit()
    return jsonify(idea_json(idea, viewer=user))


def _support_reply(idea, supported: bool):
    """The reply, made before the commit (which would expire what it reads): the count as the UPDATE returned it."""
    return jsonify({"supported": supported, "support_count": idea.support_count})


@bp.put("/ideas/<int:idea_id>/support")
@limiter.limit(lambda: current_app.config["SUPPORTS_PER_USER"], key_func=user_key)
def put_support(idea_id):
    """Support the idea; supporting again changes nothing."""
    user = require_user()
    idea = get_visible_idea(idea_id, user, SUPPORT_LOADING)
    support_idea(idea, user)
    reply = _support_reply(idea, True)
    db.session.commit()
    return reply


@bp.delete("/ideas/<int:idea_id>/support")
@limiter.limit(lambda: current_app.config["SUPPORTS_PER_USER"], key_func=user_key)
def delete_support(idea_id):
    """Withdraw one's support; withdrawing again changes nothing."""
    user = require_user()
    idea = get_visible_idea(idea_id, user, SUPPORT_LOADING)
    withdraw_support(idea, user)
    reply = _support_reply(idea, False)
    db.session.commit()
    return reply


@bp.get("/ideas/<int:idea_id>/comments")
def list_comments(idea_id):
    """The idea's comments in time order; replies carry `parent_id`."""
    idea = get_visible_idea(idea_id, current_user)
    page, per_page = page_args(50)
    pagination = db.paginate(comments_query(idea), page=page, per_page=per_page, error_out=False)
    return jsonify(page_json([comment_json(c) for c in pagination.items], page, per_page, pagination.total))


@bp.post("/ideas/<int:idea_id>/comments")
@limiter.limit(lambda: current_app.config["COMMENTS_PER_USER"], key_func=user_key)
@idempotent
def post_comment(idea_id):
    """Comment, or reply with `parent_id`."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    form = api_form(CommentForm, json_body())
    comment = add_comment(idea, user, form.body.data, form.parent_id.data)
    commit()
    return jsonify(comment_json(comment)), 201


@bp.get("/ideas/<int:idea_id>/similar")
def similar(idea_id):
    """Ideas like this one, for spotting duplicates (the same list the idea's page shows)."""
    idea = get_visible_idea(idea_id, current_user)
    return jsonify({"items": similar_ideas(f"{idea.title} {idea.summary}", exclude_id=idea.id, limit=5,
                                           title=idea.title, municipality=idea.municipality.code)})


def answer_json(answer) -> dict:
    """An official answer."""
    return {"id": answer.id, "idea_id": answer.idea_id, "body": answer.body,
            "author": user_public_json(answer.author), "created_at": iso(answer.created_at)}


@bp.post("/ideas/<int:idea_id>/answer")
def post_answer(idea_id):
    """A steward's official answer `{body}`."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    form = api_form(AnswerForm, json_body())
    created = answer_idea(idea, user, form.body.data)
    db.session.commit()
    return jsonify(answer_json(created)), 201


@bp.get("/ideas/<int:idea_id>/answer")
def get_answer(idea_id):
    """The official answer, if there is one."""
    row = answer_of(get_visible_idea(idea_id, current_user))
    if row is None:
        raise NotFound(_l("This idea has no official answer yet."), code="no_answer")
    return jsonify(answer_json(row))


@bp.post("/ideas/<int:idea_id>/merge")
def merge(idea_id):
    """A steward merges this idea into `{target_id}`."""
    user = require_user()
    idea = get_visible_idea(idea_id, user)
    form = api_form(MergeForm, json_body())
    target = get_by_id(Idea, form.target_id.data)
    if target is None:
        raise NotFound(_l("There is no such idea."), code="target_not_found")
    merge_ideas(idea, target, user)
    db.session.commit()
    return jsonify(idea_json(target, viewer=user))


@bp.get("/answers/due")
def answers_due():
    """Shortlisted ideas still waiting for their official answer, soonest due first."""
    page, per_page = page_args()
    pagination = answers_due_page(page, per_page)
    url, now = url_pattern("ideas.show", "idea_id", _external=True), utcnow()
    return jsonify(capped_page_json([idea_json(i, full=False, url=url, now=now) for i in pagination.items],
                                    pagination))
