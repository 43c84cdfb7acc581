"""Proposal pages: the list, a proposal, adoption, and the lead expert's workspace."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.web import flash_form_errors, flash_refusal
from app.core.pagination import page_args
from app.extensions import db
from app.ideas.models import Idea
from app.proposals import bp
from app.proposals.forms import ContributionForm, InviteForm, MilestoneForm, ProposalForm, ShareTermsForm, UpdateForm
from app.proposals.models import (
    Contribution, Milestone, Organization, Proposal, ProposalEvent, ProposalUpdate, ReplicationRequest, ShareTerms,
    TeamMember,
)
from app.proposals.operations import (
    accept_replication, add_milestone, adopt_idea, edit_proposal, has_municipal_partner, invite_member, post_update,
    request_replication, running_cities, transition_proposal, update_milestone,
)
from app.proposals.states import CONTRIBUTION_KINDS, LABELS, MILESTONE_STATUSES, ORG_KINDS, TEAM_ROLES, TRANSITIONS, Stage
from app.proposals.terms import (
    SUGGESTED, confirm_contribution, confirmed_points, freeze_share_terms, record_contribution, set_share_terms,
    worked_example,
)

EXAMPLE_REVENUE = 100_000_000


def _proposal_or_404(proposal_id) -> Proposal:
    proposal = get_by_id(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _done(message: str, proposal: Proposal, anchor: str | None = None):
    db.session.commit()
    flash(message)
    return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor=anchor))


def _failed(exc: DomainError, proposal: Proposal, anchor: str | None = None):
    db.session.rollback()
    flash_refusal(exc)
    return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor=anchor))


def _form_failed(form, proposal: Proposal, anchor: str | None = None):
    flash_form_errors(form)
    return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor=anchor))


@bp.route("/proposals")
def index():
    """Proposals by stage, newest first."""
    stage = request.args.get("stage") or None
    if stage and stage not in {s.value for s in Stage}:
        abort(400)
    page, per_page = page_args(20)
    stmt = sa.select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    if stage:
        stmt = stmt.where(Proposal.stage == stage)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return render_template("proposals/index.html", pagination=pagination, stage=stage,
                           stages={s.value: LABELS[s] for s in Stage})


@bp.route("/ideas/<int:idea_id>/adopt", methods=["POST"])
@login_required
def adopt(idea_id):
    """An expert adopts a shortlisted idea."""
    idea = get_by_id(Idea, idea_id)
    if idea is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        proposal = adopt_idea(idea, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return _done(_("You adopted the idea. Build the team and the plan here."), proposal)


@bp.route("/proposals/<int:proposal_id>")
def show(proposal_id):
    """A proposal: substance, team, cities, milestones, terms, contributions, updates, timeline."""
    proposal = _proposal_or_404(proposal_id)
    pid = proposal.id
    team = db.session.scalars(sa.select(TeamMember).where(TeamMember.proposal_id == pid).order_by(TeamMember.id)).all()
    terms = db.session.get(ShareTerms, pid)
    contributors = confirmed_points(proposal)
    lead = proposal.can_edit(current_user)
    context = {
        "proposal": proposal, "team": team, "terms": terms, "contributors": contributors,
        "cities": running_cities(proposal),
        "milestones": db.session.scalars(sa.select(Milestone).where(Milestone.proposal_id == pid)
                                         .order_by(Milestone.due_on, Milestone.id)).all(),
        "updates": db.session.scalars(sa.select(ProposalUpdate).where(ProposalUpdate.proposal_id == pid)
                                      .order_by(ProposalUpdate.created_at.desc())).all(),
        "events": db.session.scalars(sa.select(ProposalEvent).where(ProposalEvent.proposal_id == pid)
                                     .order_by(ProposalEvent.created_at, ProposalEvent.id)).all(),
        "contributions": db.session.scalars(sa.select(Contribution).where(Contribution.proposal_id == pid)
                                            .order_by(Contribution.id)).all(),
        "replications": db.session.scalars(sa.select(ReplicationRequest).where(
            ReplicationRequest.proposal_id == pid, ReplicationRequest.accepted_at.is_(None))).all(),
        "example": worked_example(terms or ShareTerms(**SUGGESTED), EXAMPLE_REVENUE, contributors),
        "shown_terms": terms or ShareTerms(**SUGGESTED),
        "example_revenue": EXAMPLE_REVENUE,
        "lead": lead, "team_member": proposal.can_post_update(current_user),
        "next_stages": [to for (frm, to), who in TRANSITIONS.items() if frm.value == proposal.stage
                        and ((who == "lead" and lead) or (who == "steward" and proposal.can_approve_review(current_user)))],
        "has_partner": has_municipal_partner(proposal),
        "my_municipal_orgs": _my_municipal_orgs(),
        "labels": {"stages": {s.value: label for s, label in LABELS.items()}, "roles": TEAM_ROLES, "kinds": CONTRIBUTION_KINDS, "org_kinds": ORG_KINDS,
                   "milestones": MILESTONE_STATUSES},
        "form": ActionForm(), "proposal_form": ProposalForm(obj=proposal, municipality=proposal.municipality.code),
        "invite_form": InviteForm(), "milestone_form": MilestoneForm(), "update_form": UpdateForm(),
        "contribution_form": ContributionForm(), "terms_form": ShareTermsForm(obj=terms or ShareTerms(**SUGGESTED)),
    }
    return render_template("proposals/show.html", **context)


def _my_municipal_orgs() -> list[Organization]:
    from app.proposals.models import Membership

    if not current_user.is_authenticated:
        return []
    return db.session.scalars(sa.select(Organization).join(Membership, Membership.organization_id == Organization.id)
                              .where(Membership.user_id == current_user.id, Membership.confirmed_at.is_not(None),
                                     Organization.kind == "municipality")).all()


@bp.route("/proposals/<int:proposal_id>/edit", methods=["POST"])
@login_required
def edit(proposal_id):
    """The lead expert saves the proposal's substance."""
    proposal = _proposal_or_404(proposal_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        return _form_failed(form, proposal, "workspace")
    try:
        edit_proposal(proposal, current_user, municipality=form.municipality.data,
                      **{k: getattr(form, k).data for k in ("title", "problem", "solution", "site", "expected_impact", "risks")},
                      budget_amount=form.budget_amount.data or 0)
    except DomainError as exc:
        return _failed(exc, proposal, "workspace")
    return _done(_("Your changes are saved."), proposal)


@bp.route("/proposals/<int:proposal_id>/transition", methods=["POST"])
@login_required
def transition(proposal_id):
    """Move the proposal to the next stage."""
    proposal = _proposal_or_404(proposal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        transition_proposal(proposal, current_user, request.form.get("to", ""))
    except DomainError as exc:
        return _failed(exc, proposal)
    return _done(_("The proposal moved to its new stage."), proposal, "timeline")


@bp.route("/proposals/<int:proposal_id>/team", methods=["POST"])
@login_required
def invite(proposal_id):
    """The lead expert invites an organization (by number) or a person (by email)."""
    from app.auth.models import User

    proposal = _proposal_or_404(proposal_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _form_failed(form, proposal, "team")
    org = get_by_id(Organization, form.organization_id.data) if form.organization_id.data else None
    person = db.session.scalar(sa.select(User).where(User.email == form.email.data.lower())) if form.email.data else None
    if (form.organization_id.data and org is None) or (form.email.data and person is None):
        flash(_("There is no such organization or person."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor="team"))
    try:
        invite_member(proposal, current_user, role=form.role.data, organization=org, user=person)
    except DomainError as exc:
        return _failed(exc, proposal, "team")
    return _done(_("The invitation is sent; they join when they accept."), proposal, "team")


@bp.route("/proposals/<int:proposal_id>/team/<int:member_id>", methods=["POST"])
@login_required
def answer_invitation(proposal_id, member_id):
    """The invited person or organization accepts or declines."""
    from app.proposals.operations import answer_invitation as answer

    proposal = _proposal_or_404(proposal_id)
    member = get_by_id(TeamMember, member_id)
    if member is None or member.proposal_id != proposal.id or not ActionForm().validate_on_submit():
        abort(404)
    try:
        answer(member, current_user, request.form.get("answer") == "accept")
    except DomainError as exc:
        return _failed(exc, proposal, "team")
    return _done(_("Your answer is recorded."), proposal, "team")


@bp.route("/proposals/<int:proposal_id>/milestones", methods=["POST"])
@login_required
def milestone(proposal_id):
    """Add a milestone, or (with `milestone_id`) record its progress."""
    proposal = _proposal_or_404(proposal_id)
    try:
        if request.form.get("milestone_id"):
            if not ActionForm().validate_on_submit():
                abort(400)
            row = get_by_id(Milestone, int(request.form["milestone_id"])) if request.form["milestone_id"].isdigit() else None
            if row is None or row.proposal_id != proposal.id:
                abort(404)
            update_milestone(row, proposal, current_user, status=request.form.get("status", ""),
                             evidence=request.form.get("evidence", ""))
        else:
            form = MilestoneForm()
            if not form.validate_on_submit():
                return _form_failed(form, proposal, "milestones")
            add_milestone(proposal, current_user, title=form.title.data, due_on=form.due_on.data)
    except DomainError as exc:
        return _failed(exc, proposal, "milestones")
    return _done(_("The plan is updated."), proposal, "milestones")


@bp.route("/proposals/<int:proposal_id>/updates", methods=["POST"])
@login_required
def update(proposal_id):
    """The team posts a progress update."""
    proposal = _proposal_or_404(proposal_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _form_failed(form, proposal, "updates")
    try:
        post_update(proposal, current_user, form.body.data)
    except DomainError as exc:
        return _failed(exc, proposal, "updates")
    return _done(_("Your update is posted; supporters are told."), proposal, "updates")


@bp.route("/proposals/<int:proposal_id>/contributions", methods=["POST"])
@login_required
def contribution(proposal_id):
    """Record a contribution, or (with `contribution_id`) confirm one's own."""
    from app.auth.models import User

    proposal = _proposal_or_404(proposal_id)
    try:
        if request.form.get("contribution_id"):
            if not ActionForm().validate_on_submit():
                abort(400)
            raw = request.form["contribution_id"]
            row = get_by_id(Contribution, int(raw)) if raw.isdigit() else None
            if row is None or row.proposal_id != proposal.id:
                abort(404)
            confirm_contribution(row, current_user)
        else:
            form = ContributionForm()
            if not form.validate_on_submit():
                return _form_failed(form, proposal, "contributions")
            person = db.session.scalar(sa.select(User).where(User.email == form.email.data.lower()))
            if person is None:
                flash(_("There is no such organization or person."), "error")
                return redirect(url_for("proposals.show", proposal_id=proposal.id, _anchor="contributions"))
            record_contribution(proposal, current_user, person, kind=form.kind.data, points=form.points.data,
                                description=form.description.data)
    except DomainError as exc:
        return _failed(exc, proposal, "contributions")
    return _done(_("The contribution is recorded."), proposal, "contributions")


@bp.route("/proposals/<int:proposal_id>/share-terms", methods=["POST"])
@login_required
def share_terms(proposal_id):
    """Set the share terms, or (`freeze=1`) publish and freeze them."""
    proposal = _proposal_or_404(proposal_id)
    form = ShareTermsForm()
    if not form.validate_on_submit():
        return _form_failed(form, proposal, "terms")
    try:
        if request.form.get("freeze"):
            freeze_share_terms(proposal, current_user)
            message = _("The share terms are published and frozen.")
        else:
            set_share_terms(proposal, current_user, {name: field.data for name, field in form._fields.items()
                                                     if name != "csrf_token"})
            message = _("The share terms are saved.")
    except DomainError as exc:
        return _failed(exc, proposal, "terms")
    return _done(message, proposal, "terms")


@bp.route("/proposals/<int:proposal_id>/replicate", methods=["POST"])
@login_required
def replicate(proposal_id):
    """A city asks to run the proposal (`organization_id`), or the lead expert accepts (`request_id`)."""
    proposal = _proposal_or_404(proposal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        raw = request.form.get("request_id", "")
        if raw:
            row = get_by_id(ReplicationRequest, int(raw)) if raw.isdigit() else None
            if row is None or row.proposal_id != proposal.id:
                abort(404)
            accept_replication(row, proposal, current_user)
            message = _("The city is welcome: it now runs the proposal too.")
        else:
            raw = request.form.get("organization_id", "")
            org = get_by_id(Organization, int(raw)) if raw.isdigit() else None
            if org is None:
                abort(404)
            request_replication(proposal, current_user, org, request.form.get("note", ""))
            message = _("Your request is sent to the lead expert.")
    except DomainError as exc:
        return _failed(exc, proposal, "cities")
    return _done(message, proposal, "cities")
