"""Rounds before they open: drafts never leak through the public list, and cancelling one says why in the public log."""
import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.funding import queries
from app.funding.operations import cancel_round


def _ids(stmt) -> list[int]:
    from app.extensions import db

    return [r.id for r in db.session.scalars(stmt)]


def test_the_public_rounds_query_never_returns_drafts_whatever_is_asked(db, create_round):
    draft, approved = create_round(status="draft"), create_round(status="approved")
    assert _ids(queries.rounds_query("draft")) == []
    assert _ids(queries.rounds_query()) == [approved.id]
    assert _ids(queries.draft_rounds_query()) == [draft.id]  # for a caller that checked its viewer


def test_the_rounds_page_and_api_list_no_drafts(client, db, create_round):
    draft = create_round(status="draft")
    assert client.get("/rounds?status=draft").status_code == 400
    assert draft.id not in [r["id"] for r in client.get("/api/v1/rounds").get_json()["items"]]
    refused = client.get("/api/v1/rounds?status=draft")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_steward"


def _cancel_reason(round_) -> str | None:
    from app.extensions import db

    return db.session.scalar(sa.select(AuditEvent.reason).where(
        AuditEvent.subject_type == "round", AuditEvent.subject_id == round_.id,
        AuditEvent.action == "round.cancelled"))


def test_an_announced_round_is_cancelled_only_with_a_reason(client, db, create_round, api_headers):
    round_ = create_round(status="approved")
    lead = api_headers(round_.proposal.lead_expert)
    url = f"/api/v1/rounds/{round_.id}/cancel"
    refused = client.post(url, headers=lead)
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["fields"]
    done = client.post(url, json={"reason": "시범 부지 협의가 늦어집니다."}, headers=lead)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert _cancel_reason(round_) == "시범 부지 협의가 늦어집니다."


def test_a_steward_cancelling_a_draft_says_why_and_the_lead_may_withdraw_their_own(db, create_round, steward):
    draft = create_round(status="draft")
    with pytest.raises(InvalidInput) as refused:
        cancel_round(draft, steward, "  ")
    assert "reason" in refused.value.fields
    cancel_round(draft, steward, "중복된 초안입니다.")
    db.session.commit()
    assert draft.status == "cancelled" and draft.closed_at is not None
    withdrawn = create_round(status="draft")
    cancel_round(withdrawn, withdrawn.proposal.lead_expert, None)
    db.session.commit()
    assert withdrawn.status == "cancelled" and _cancel_reason(withdrawn) is None


def test_only_the_lead_or_a_steward_cancels_and_never_an_open_round(db, create_round, create_user):
    approved = create_round(status="approved")
    with pytest.raises(PermissionDenied):
        cancel_round(approved, create_user(), "그만둡니다.")
    opened = create_round()
    with pytest.raises(Conflict) as refused:
        cancel_round(opened, opened.proposal.lead_expert, "그만둡니다.")
    assert refused.value.code == "round_open"
    db.session.rollback()
    assert (approved.status, opened.status) == ("approved", "open")
