"""JSON shapes of the API's resources."""
from flask import url_for

from app.core.markdown import render_markdown
from app.core.timeutil import as_utc
from app.distribution.payouts import wallet_balance


def iso(value) -> str | None:
    """ISO 8601 with offset."""
    return as_utc(value).isoformat() if value is not None else None


def ref_json(row) -> dict:
    """A municipality or category."""
    return {"code": row.code, "name_ko": row.name_ko, "name_en": row.name_en}


def user_public_json(user) -> dict:
    """What anyone may see of a user."""
    return {"id": user.id, "display_name": user.display_name}


def proposal_ref_json(proposal) -> dict:
    """A proposal named from elsewhere (a round, a pledge): id, title, stage and its page."""
    return {"id": proposal.id, "title": proposal.title, "stage": proposal.stage,
            "url": url_for("proposals.show", proposal_id=proposal.id, _external=True)}


def me_json(user) -> dict:
    """The logged-in user's own record."""
    return {
        **user_public_json(user),
        "email": user.email,
        "locale": user.locale,
        "roles": sorted(user.roles),
        "verified": user.is_verified,
        "investor_category": user.investor_category,
        "created_at": iso(user.created_at),
        "wallet_balance_amount": wallet_balance(user),
        "currency": "KRW",
    }


def idea_json(idea, *, viewer=None, supported: bool | None = None, full: bool = True, url=None, now=None) -> dict:
    """An idea; `full` adds the body and what the viewer may do.

    A list passes `url`, a maker of the ideas' links (`app.core.web.url_pattern`), and the `now` it judges by.
    """
    data = {
        "id": idea.id,
        "title": idea.title,
        "summary": idea.summary,
        "status": idea.status,
        "support_count": idea.support_count,
        "comment_count": idea.comment_count,
        "author": user_public_json(idea.author),
        "category": ref_json(idea.category),
        "municipality": ref_json(idea.municipality),
        "created_at": iso(idea.created_at),
        "updated_at": iso(idea.updated_at),
        "support_deadline_at": iso(idea.support_deadline_at),
        "collects_supports": idea.collects_supports(now),
        "shortlisted_at": iso(idea.shortlisted_at),
        "answer_due_at": iso(idea.answer_due_at),
        "answered_at": iso(idea.answered_at),
        "merged_into": idea.merged_into_id,
        "url": url(idea.id) if url else url_for("ideas.show", idea_id=idea.id, _external=True),
    }
    if supported is not None:
        data["supported"] = supported
    if full:
        data["body"] = idea.body
        data["body_html"] = str(render_markdown(idea.body))
        if viewer is not None and viewer.is_authenticated:
            data["permissions"] = {
                "edit": idea.can_edit(viewer),
                "withdraw": idea.can_withdraw(viewer),
                "support": idea.can_support(viewer),
                "comment": idea.can_comment(viewer),
            }
    return data


def comment_json(comment) -> dict:
    """A comment; `parent_id` is set on replies."""
    return {
        "id": comment.id,
        "idea_id": comment.idea_id,
        "parent_id": comment.parent_id,
        "author": user_public_json(comment.author),
        "body": comment.body,
        "body_html": str(render_markdown(comment.body)),
        "created_at": iso(comment.created_at),
    }


def org_json(org) -> dict:
    """An organization."""
    return {"id": org.id, "name": org.name, "kind": org.kind,
            "municipality": ref_json(org.municipality) if org.municipality else None}


def page_json(items, page: int, per_page: int, total: int | None) -> dict:
    """The list envelope."""
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def capped_page_json(items, pagination) -> dict:
    """The list envelope of a list counted up to a cap (core.pagination.CappedPagination)."""
    return {**page_json(items, pagination.page, pagination.per_page, pagination.total),
            "at_least": pagination.at_least, "has_next": pagination.has_next}
