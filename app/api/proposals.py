"""API: expert applications, organizations, adoption, proposals with teams, milestones, terms and updates."""
from datetime import date

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import json_body, require_user
from app.api.serializers import iso, page_json, ref_json, user_public_json
from app.auth.models import User
from app.core.errors import InvalidInput, NotFound
from app.core.forms import api_form
from app.core.lookup import get_by_id
from app.core.pagination import page_args
from app.extensions import db
from app.ideas.models import Idea
from app.proposals import experts, operations as ops, queries, terms as share
from app.proposals.forms import ExpertApplicationForm, OrganizationForm
from app.proposals.models import (
    Contribution, ExpertApplication, Membership, Milestone, Organization, Proposal, ProposalUpdate,
    ReplicationRequest, ShareTerms, TeamMember,
)
from app.proposals.states import Stage


def _get(model, ident, code="not_found"):
    row = get_by_id(model, ident)
    if row is None:
        raise NotFound(code=code)
    return row


def _in_proposal(model, ident, proposal):
    row = _get(model, ident)
    if row.proposal_id != proposal.id:
        raise NotFound()
    return row


def org_json(o: Organization) -> dict:
    """An organization."""
    return {"id": o.id, "name": o.name, "kind": o.kind,
            "municipality": ref_json(o.municipality) if o.municipality else None}


def terms_json(t: ShareTerms | None) -> dict | None:
    """Share terms in basis points."""
    if t is None:
        return None
    return {k: getattr(t, k) for k in (*share.TERM_FIELDS, "backers_cap_multiple_bp")} | {
        "frozen": t.is_frozen, "frozen_at": iso(t.frozen_at)}


def proposal_json(p: Proposal) -> dict:
    """A proposal with its team, milestones, terms and the cities running it."""
    team = db.session.scalars(sa.select(TeamMember).where(TeamMember.proposal_id == p.id).order_by(TeamMember.id))
    milestones = db.session.scalars(sa.select(Milestone).where(Milestone.proposal_id == p.id)
                                    .order_by(Milestone.due_on, Milestone.id))
    return {
        "id": p.id, "idea_id": p.idea_id, "title": p.title, "problem": p.problem, "solution": p.solution,
        "site": p.site, "municipality": ref_json(p.municipality), "budget_amount": p.budget_amount, "currency": "KRW",
        "expected_impact": p.expected_impact, "risks": p.risks, "stage": p.stage,
        "lead_expert": user_public_json(p.lead_expert), "proposer": user_public_json(p.proposer),
        "team": [{"id": m.id, "role": m.role, "accepted": m.status == "accepted", "status": m.status,
                  "organization": org_json(m.organization) if m.organization else None,
                  "user": user_public_json(m.user) if m.user else None} for m in team],
        "milestones": [{"id": m.id, "title": m.title, "due_on": m.due_on.isoformat(), "status": m.status,
                        "evidence": m.evidence} for m in milestones],
        "share_terms": terms_json(db.session.get(ShareTerms, p.id)),
        "cities": [ref_json(c) for c in queries.running_cities(p)],
        "stale": p.is_stale(), "created_at": iso(p.created_at), "last_update_at": iso(p.last_update_at),
    }


@bp.post("/experts/applications")
def post_expert_application():
    """Apply to be a verified expert."""
    user = require_user()
    form = api_form(ExpertApplicationForm, json_body())
    row = experts.apply_as_expert(user, fields=form.fields.data, affiliation=form.affiliation.data,
                                  evidence=form.evidence.data)
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status}), 201


@bp.post("/experts/applications/<int:application_id>/decision")
def decide_expert_application(application_id):
    """A steward approves or declines `{approve, reason}`."""
    user = require_user()
    body = json_body()
    if not isinstance(body.get("approve"), bool) or not isinstance(body.get("reason"), str):
        raise InvalidInput(code="validation_failed", fields={"approve": ["true or false"], "reason": ["text"]})
    row = _get(ExpertApplication, application_id)
    experts.decide_application(row, user, body["approve"], body["reason"])
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status, "reason": row.reason})


@bp.get("/organizations")
def list_organizations():
    """Every organization."""
    rows = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name))
    return jsonify({"items": [org_json(o) for o in rows]})


@bp.post("/organizations")
def post_organization():
    """Register an organization `{name, kind, municipality?}`; the caller asks to represent it."""
    user = require_user()
    form = api_form(OrganizationForm, json_body())
    org = experts.create_organization(user, name=form.name.data, kind=form.kind.data,
                                      municipality=form.municipality.data or None)
    db.session.commit()
    return jsonify(org_json(org)), 201


@bp.post("/organizations/<int:org_id>/memberships")
def post_membership(org_id):
    """Ask to represent an organization."""
    membership = experts.request_membership(require_user(), _get(Organization, org_id))
    db.session.commit()
    return jsonify({"id": membership.id, "confirmed": False}), 201


@bp.post("/memberships/<int:membership_id>/confirm")
def confirm_membership(membership_id):
    """A steward confirms a representative."""
    membership = _get(Membership, membership_id)
    experts.confirm_membership(membership, require_user())
    db.session.commit()
    return jsonify({"id": membership.id, "confirmed": True})


@bp.post("/ideas/<int:idea_id>/adopt")
def adopt(idea_id):
    """An expert adopts a shortlisted idea → 201 proposal."""
    user = require_user()
    proposal = ops.adopt_idea(_get(Idea, idea_id, "idea_not_found"), user)
    db.session.commit()
    return jsonify(proposal_json(proposal)), 201


@bp.get("/proposals")
def list_proposals():
    """Proposals, newest first; `?stage=` filters."""
    page, per_page = page_args()
    stmt = sa.select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    stage = request.args.get("stage")
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput(code="invalid_stage")
        stmt = stmt.where(Proposal.stage == stage)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = [{"id": p.id, "title": p.title, "stage": p.stage, "municipality": ref_json(p.municipality),
              "budget_amount": p.budget_amount, "currency": "KRW"} for p in pagination.items]
    return jsonify(page_json(items, page, per_page, pagination.total))


@bp.get("/proposals/<int:proposal_id>")
def get_proposal(proposal_id):
    """One proposal."""
    return jsonify(proposal_json(_get(Proposal, proposal_id)))


@bp.patch("/proposals/<int:proposal_id>")
def patch_proposal(proposal_id):
    """The lead expert edits: title, problem, solution, site, municipality, budget_amount, expected_impact, risks."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body()
    unknown = set(body) - {*ops.EDITABLE, "municipality"}
    if unknown:
        raise InvalidInput(code="unknown_fields", fields={k: [str(_l("Unknown field."))] for k in sorted(unknown)})
    wrong = {k: [str(_l("This field has the wrong type."))] for k, v in body.items()
             if (k == "budget_amount" and (not isinstance(v, int) or isinstance(v, bool)))
             or (k != "budget_amount" and not isinstance(v, str))}
    if wrong:
        raise InvalidInput(code="invalid_type", fields=wrong)
    if "title" in body and not 4 <= len(body["title"].strip()) <= 120:
        raise InvalidInput(code="validation_failed", fields={"title": [str(_l("Use between %(min)d and %(max)d characters.", min=4, max=120))]})
    ops.edit_proposal(proposal, user, **body)
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.put("/proposals/<int:proposal_id>/share-terms")
def put_share_terms(proposal_id):
    """Set the revenue-share terms in basis points; refused once frozen."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    share.set_share_terms(proposal, user, json_body())
    db.session.commit()
    return jsonify(terms_json(db.session.get(ShareTerms, proposal.id)))


@bp.post("/proposals/<int:proposal_id>/share-terms/freeze")
def freeze_share_terms(proposal_id):
    """Publish and freeze the terms."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    terms = share.freeze_share_terms(proposal, user)
    db.session.commit()
    return jsonify(terms_json(terms))


@bp.post("/proposals/<int:proposal_id>/contributions")
def post_contribution(proposal_id):
    """The lead expert records `{user_id, kind, points, description?}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body()
    contributor = get_by_id(User, body.get("user_id"))
    if contributor is None:
        raise InvalidInput(code="validation_failed", fields={"user_id": [str(_l("There is no such organization or person."))]})
    row = share.record_contribution(proposal, user, contributor, kind=body.get("kind"), points=body.get("points"),
                                    description=body.get("description") if isinstance(body.get("description"), str) else "")
    db.session.commit()
    return jsonify({"id": row.id, "user_id": row.user_id, "kind": row.kind, "points": row.points,
                    "confirmed": False}), 201


@bp.post("/contributions/<int:contribution_id>/confirm")
def confirm_contribution(contribution_id):
    """The contributor confirms."""
    row = _get(Contribution, contribution_id)
    share.confirm_contribution(row, require_user())
    db.session.commit()
    return jsonify({"id": row.id, "confirmed": True})


@bp.post("/proposals/<int:proposal_id>/transition")
def post_transition(proposal_id):
    """Move to another stage `{"to": stage}` per the transition table."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    to = json_body().get("to")
    if not isinstance(to, str):
        raise InvalidInput(code="invalid_stage", fields={"to": [str(_l("Unknown stage."))]})
    ops.transition_proposal(proposal, user, to)
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.post("/proposals/<int:proposal_id>/team")
def post_team_member(proposal_id):
    """The lead expert invites `{role, organization_id | user_id}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body()
    org = get_by_id(Organization, body.get("organization_id")) if body.get("organization_id") is not None else None
    person = get_by_id(User, body.get("user_id")) if body.get("user_id") is not None else None
    if (body.get("organization_id") is not None and org is None) or (body.get("user_id") is not None and person is None):
        raise NotFound(_l("There is no such organization or person."), code="invitee_not_found")
    member = ops.invite_member(proposal, user, role=body.get("role"), organization=org, user=person)
    db.session.commit()
    return jsonify({"id": member.id, "role": member.role, "accepted": False}), 201


@bp.post("/proposals/<int:proposal_id>/team/<int:member_id>/answer")
def answer_team_invitation(proposal_id, member_id):
    """The invitee answers `{"accept": true|false}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    member = _in_proposal(TeamMember, member_id, proposal)
    accept = json_body().get("accept")
    if not isinstance(accept, bool):
        raise InvalidInput(code="validation_failed", fields={"accept": ["true or false"]})
    ops.answer_invitation(member, user, accept)
    db.session.commit()
    return jsonify({"id": member_id, "accepted": accept})


@bp.post("/proposals/<int:proposal_id>/milestones")
def post_milestone(proposal_id):
    """Add `{title, due_on: YYYY-MM-DD}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body()
    try:
        due = date.fromisoformat(body.get("due_on"))
    except (TypeError, ValueError):
        raise InvalidInput(code="validation_failed", fields={"due_on": [str(_l("Give a date as YYYY-MM-DD."))]}) from None
    title = body.get("title")
    if not isinstance(title, str) or not 2 <= len(title.strip()) <= 200:
        raise InvalidInput(code="validation_failed", fields={"title": [str(_l("Name the milestone."))]})
    row = ops.add_milestone(proposal, user, title=title, due_on=due)
    db.session.commit()
    return jsonify({"id": row.id, "title": row.title, "due_on": row.due_on.isoformat(), "status": row.status}), 201


@bp.patch("/proposals/<int:proposal_id>/milestones/<int:milestone_id>")
def patch_milestone(proposal_id, milestone_id):
    """Record progress `{status, evidence}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    row = _in_proposal(Milestone, milestone_id, proposal)
    body = json_body()
    if not isinstance(body.get("status"), str) or not isinstance(body.get("evidence", ""), str):
        raise InvalidInput(code="invalid_type")
    ops.update_milestone(row, proposal, user, status=body["status"], evidence=body.get("evidence", ""))
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status, "evidence": row.evidence})


@bp.get("/proposals/<int:proposal_id>/updates")
def list_updates(proposal_id):
    """The team's updates, newest first."""
    proposal = _get(Proposal, proposal_id)
    rows = db.session.scalars(sa.select(ProposalUpdate).where(ProposalUpdate.proposal_id == proposal.id)
                              .order_by(ProposalUpdate.created_at.desc()))
    return jsonify({"items": [{"id": u.id, "author": user_public_json(u.author), "body": u.body,
                               "created_at": iso(u.created_at)} for u in rows]})


@bp.post("/proposals/<int:proposal_id>/updates")
def post_proposal_update(proposal_id):
    """A team member posts `{body}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body().get("body")
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(code="validation_failed", fields={"body": [str(_l("Write something first."))]})
    row = ops.post_update(proposal, user, body[:20000])
    db.session.commit()
    return jsonify({"id": row.id, "created_at": iso(row.created_at)}), 201


@bp.post("/proposals/<int:proposal_id>/replications")
def post_replication(proposal_id):
    """A city's representative asks to run it `{organization_id, note?}`."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    body = json_body()
    org = _get(Organization, body.get("organization_id"))
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    row = ops.request_replication(proposal, user, org, note)
    db.session.commit()
    return jsonify({"id": row.id, "municipality": ref_json(row.municipality), "accepted": False}), 201


@bp.post("/proposals/<int:proposal_id>/replications/<int:request_id>/accept")
def accept_replication(proposal_id, request_id):
    """The lead expert accepts a city."""
    user = require_user()
    proposal = _get(Proposal, proposal_id)
    ops.accept_replication(_in_proposal(ReplicationRequest, request_id, proposal), proposal, user)
    db.session.commit()
    return jsonify(proposal_json(proposal))
