"""API: adoption, proposals with their team, milestones, share terms, contributions, updates and replication."""
import sqlalchemy.orm as so
from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import get_or_404, json_body, require_user
from app.api.serializers import capped_page_json, iso, org_json, page_json, ref_json, user_public_json
from app.auth.models import User
from app.core.errors import InvalidInput, NotFound
from app.core.forms import api_form
from app.core.lookup import get_by_id
from app.core.pagination import page_args, paginate
from app.extensions import db
from app.ideas.queries import get_visible_idea
from app.proposals import operations as ops
from app.proposals import queries
from app.proposals import terms as share
from app.proposals.forms import (
    ContributionByIdForm, InvitationAnswerForm, InviteByIdForm, MilestoneProgressForm, MilestoneTextForm,
    ProposalForm, ReplicationForm, ShareTermsBpForm, TransitionForm, UpdateForm,
)
from app.proposals.models import Contribution, Milestone, Organization, Proposal, ReplicationRequest, TeamMember
from app.proposals.states import Stage, lead_only

#: the proposal's text fields, as ProposalForm names them
TEXT_FIELDS = ("title", "problem", "solution", "site", "expected_impact", "risks")


def terms_json(t) -> dict | None:
    """Share terms in basis points."""
    if t is None:
        return None
    return {k: getattr(t, k) for k in (*share.TERM_FIELDS, "backers_cap_multiple_bp")} | {
        "frozen": t.is_frozen, "frozen_at": iso(t.frozen_at)}


def proposal_json(p: Proposal) -> dict:
    """A proposal with its team, milestones, terms and the cities running it."""
    return {
        "id": p.id, "idea_id": p.idea_id, "title": p.title, "problem": p.problem, "solution": p.solution,
        "site": p.site, "municipality": ref_json(p.municipality), "budget_amount": p.budget_amount, "currency": "KRW",
        "expected_impact": p.expected_impact, "risks": p.risks, "stage": p.stage,
        "lead_expert": user_public_json(p.lead_expert), "proposer": user_public_json(p.proposer),
        "team": [{"id": m.id, "role": m.role, "accepted": m.status == "accepted", "status": m.status,
                  "organization": org_json(m.organization) if m.organization else None,
                  "user": user_public_json(m.user) if m.user else None} for m in queries.team_of(p)],
        "milestones": [{"id": m.id, "title": m.title, "due_on": m.due_on.isoformat(), "status": m.status,
                        "evidence": m.evidence} for m in queries.milestones_of(p)],
        "share_terms": terms_json(queries.share_terms_of(p)),
        "cities": [ref_json(c) for c in queries.running_cities(p)],
        "stale": p.is_stale(), "created_at": iso(p.created_at), "last_update_at": iso(p.last_update_at),
    }


def _proposal(proposal_id) -> Proposal:
    return get_or_404(Proposal, proposal_id)


@bp.post("/ideas/<int:idea_id>/adopt")
def adopt(idea_id):
    """An expert adopts a shortlisted idea → 201 proposal."""
    user = require_user()
    proposal = ops.adopt_idea(get_visible_idea(idea_id, user), user)
    db.session.commit()
    response = jsonify(proposal_json(proposal))
    response.headers["Location"] = url_for("api.get_proposal", proposal_id=proposal.id)
    return response, 201


@bp.get("/proposals")
def list_proposals():
    """Proposals, newest first; `?stage=` filters."""
    page, per_page = page_args()
    stage = request.args.get("stage") or None
    if stage and stage not in {s.value for s in Stage}:
        msg = str(_l("Unknown stage."))
        raise InvalidInput(msg, code="invalid_stage", fields={"stage": [msg]})
    # only the city is needed: the idea and the lead expert (joined by default) stay out of the query
    stmt = queries.proposals_query(stage).options(so.lazyload(Proposal.idea), so.lazyload(Proposal.lead_expert))
    pagination = paginate(stmt, page, per_page)
    items = [{"id": p.id, "title": p.title, "stage": p.stage, "municipality": ref_json(p.municipality),
              "budget_amount": p.budget_amount, "currency": "KRW"} for p in pagination.items]
    return jsonify(capped_page_json(items, pagination))


@bp.get("/proposals/<int:proposal_id>")
def get_proposal(proposal_id):
    """One proposal."""
    return jsonify(proposal_json(_proposal(proposal_id)))


@bp.patch("/proposals/<int:proposal_id>")
def patch_proposal(proposal_id):
    """The lead expert edits any of: title, problem, solution, site, municipality, budget_amount, expected_impact,
    risks (the others keep their values, and the whole is validated as the workspace form validates it)."""
    user = require_user()
    proposal = _proposal(proposal_id)
    payload = json_body()
    unknown = set(payload) - {*TEXT_FIELDS, "municipality", "budget_amount"}
    if unknown:
        msg = str(_l("Unknown field."))
        raise InvalidInput(msg, code="unknown_fields", fields={k: [msg] for k in sorted(unknown)})
    lead_only(proposal, user)  # before validating, so a stranger learns nothing from field errors
    current = {**{k: getattr(proposal, k) for k in TEXT_FIELDS}, "municipality": proposal.municipality.code,
               "budget_amount": proposal.budget_amount}
    form = api_form(ProposalForm, {**current, **payload})
    ops.edit_proposal(proposal, user, municipality=form.municipality.data, budget_amount=form.budget_amount.data or 0,
                      **{k: getattr(form, k).data for k in TEXT_FIELDS})
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.post("/proposals/<int:proposal_id>/transition")
def post_transition(proposal_id):
    """Move to another stage `{"to": stage}` per the transition table."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(TransitionForm, json_body())
    ops.transition_proposal(proposal, user, form.to.data)
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.put("/proposals/<int:proposal_id>/share-terms")
def put_share_terms(proposal_id):
    """Set the revenue-share terms in basis points; refused once frozen."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(ShareTermsBpForm, json_body())
    terms = share.set_share_terms(proposal, user, {name: field.data for name, field in form._fields.items()})
    db.session.commit()
    return jsonify(terms_json(terms))


@bp.post("/proposals/<int:proposal_id>/share-terms/freeze")
def freeze_share_terms(proposal_id):
    """Publish and freeze the terms."""
    user = require_user()
    terms = share.freeze_share_terms(_proposal(proposal_id), user)
    db.session.commit()
    return jsonify(terms_json(terms))


@bp.post("/proposals/<int:proposal_id>/contributions")
def post_contribution(proposal_id):
    """The lead expert records `{user_id, kind, points, description?}`; the contributor confirms."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(ContributionByIdForm, json_body())
    contributor = get_by_id(User, form.user_id.data)
    if contributor is None:
        msg = str(_l("There is no such organization or person."))
        raise InvalidInput(msg, code="validation_failed", fields={"user_id": [msg]})
    row = share.record_contribution(proposal, user, contributor, kind=form.kind.data, points=form.points.data,
                                    description=form.description.data or "")
    db.session.commit()
    return jsonify({"id": row.id, "user_id": row.user_id, "kind": row.kind, "points": row.points,
                    "confirmed": False}), 201


@bp.post("/contributions/<int:contribution_id>/confirm")
def confirm_contribution(contribution_id):
    """The contributor (or, for the lead expert's own points, another team member or a steward) confirms."""
    user = require_user()
    row = get_or_404(Contribution, contribution_id)
    share.confirm_contribution(row, user)
    db.session.commit()
    return jsonify({"id": row.id, "confirmed": True})


@bp.post("/proposals/<int:proposal_id>/team")
def post_team_member(proposal_id):
    """The lead expert invites `{role, organization_id | user_id}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(InviteByIdForm, json_body())
    org_id, person_id = form.organization_id.data, form.user_id.data
    org = get_by_id(Organization, org_id) if org_id is not None else None
    person = get_by_id(User, person_id) if person_id is not None else None
    if (org_id is not None and org is None) or (person_id is not None and person is None):
        raise NotFound(_l("There is no such organization or person."), code="invitee_not_found")
    member = ops.invite_member(proposal, user, role=form.role.data, organization=org, user=person)
    db.session.commit()
    return jsonify({"id": member.id, "role": member.role, "accepted": False}), 201


@bp.post("/proposals/<int:proposal_id>/team/<int:member_id>/answer")
def answer_team_invitation(proposal_id, member_id):
    """The invitee answers `{"accept": true|false}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    member = get_or_404(TeamMember, member_id, proposal_id=proposal.id)
    form = api_form(InvitationAnswerForm, json_body())
    ops.answer_invitation(member, user, form.accept.data)
    db.session.commit()
    return jsonify({"id": member.id, "accepted": form.accept.data})


@bp.post("/proposals/<int:proposal_id>/milestones")
def post_milestone(proposal_id):
    """Add `{title, due_on: YYYY-MM-DD}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(MilestoneTextForm, json_body())
    row = ops.add_milestone(proposal, user, title=form.title.data, due_on=form.due_on.data)
    db.session.commit()
    return jsonify({"id": row.id, "title": row.title, "due_on": row.due_on.isoformat(), "status": row.status}), 201


@bp.patch("/proposals/<int:proposal_id>/milestones/<int:milestone_id>")
def patch_milestone(proposal_id, milestone_id):
    """Record progress `{status, evidence}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    row = get_or_404(Milestone, milestone_id, proposal_id=proposal.id)
    form = api_form(MilestoneProgressForm, json_body())
    ops.update_milestone(row, proposal, user, status=form.status.data, evidence=form.evidence.data or "")
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status, "evidence": row.evidence})


@bp.get("/proposals/<int:proposal_id>/updates")
def list_updates(proposal_id):
    """The team's updates, newest first."""
    rows = queries.updates_of(_proposal(proposal_id))
    return jsonify({"items": [{"id": u.id, "author": user_public_json(u.author), "body": u.body,
                               "created_at": iso(u.created_at)} for u in rows]})


@bp.post("/proposals/<int:proposal_id>/updates")
def post_proposal_update(proposal_id):
    """A team member posts `{body}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(UpdateForm, json_body())
    row = ops.post_update(proposal, user, form.body.data)
    db.session.commit()
    return jsonify({"id": row.id, "created_at": iso(row.created_at)}), 201


@bp.post("/proposals/<int:proposal_id>/replications")
def post_replication(proposal_id):
    """A city's representative asks to run it `{organization_id, note?}`."""
    user = require_user()
    proposal = _proposal(proposal_id)
    form = api_form(ReplicationForm, json_body())
    org = get_by_id(Organization, form.organization_id.data)
    if org is None:
        raise NotFound(_l("There is no such organization or person."))
    row = ops.request_replication(proposal, user, org, form.note.data or "")
    db.session.commit()
    return jsonify({"id": row.id, "municipality": ref_json(row.municipality), "accepted": False}), 201


@bp.post("/proposals/<int:proposal_id>/replications/<int:request_id>/accept")
def accept_replication(proposal_id, request_id):
    """The lead expert accepts a city."""
    user = require_user()
    proposal = _proposal(proposal_id)
    ops.accept_replication(get_or_404(ReplicationRequest, request_id, proposal_id=proposal.id), proposal, user)
    db.session.commit()
    return jsonify(proposal_json(proposal))
