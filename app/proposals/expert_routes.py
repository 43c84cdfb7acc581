"""Pages for experts and organizations: applying, stewards' review, the adoption dashboard, memberships."""
import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.web import flash_form_errors, perform
from app.extensions import db
from app.ideas.models import Idea
from app.proposals import bp
from app.proposals.experts import (
    apply_as_expert, confirm_membership, create_organization, decide_application, request_membership,
)
from app.proposals.forms import DecisionForm, ExpertApplicationForm, OrganizationForm
from app.proposals.models import ExpertApplication, Membership, Organization, Proposal, TeamMember
from app.proposals.states import ORG_KINDS, TEAM_ROLES


def _steward_only():
    if not current_user.has_role("steward"):
        abort(403)


@bp.route("/experts/apply", methods=["GET", "POST"])
@login_required
def apply():
    """Apply to be verified as an expert."""
    form = ExpertApplicationForm()
    mine = db.session.scalars(sa.select(ExpertApplication).where(ExpertApplication.user_id == current_user.id)
                              .order_by(ExpertApplication.created_at.desc())).all()
    if form.validate_on_submit() and perform(
            lambda: apply_as_expert(current_user, fields=form.fields.data, affiliation=form.affiliation.data,
                                    evidence=form.evidence.data),
            _("Your application is sent; a steward will decide and tell you why.")):
        return redirect(url_for("proposals.apply"))
    return render_template("proposals/apply.html", form=form, mine=mine), 400 if form.errors else 200


@bp.route("/experts/applications", methods=["GET", "POST"])
@login_required
def applications():
    """Stewards review expert applications and decide with a reason."""
    _steward_only()
    form = DecisionForm()
    if request.method == "POST":
        raw = request.form.get("application_id", "")
        application = get_by_id(ExpertApplication, int(raw)) if raw.isdigit() else None
        if application is None:
            abort(404)
        if not form.validate_on_submit():
            flash_form_errors(form)
        elif perform(lambda: decide_application(application, current_user, request.form.get("decision") == "approve",
                                                form.reason.data), _("The decision is recorded.")):
            return redirect(url_for("proposals.applications"))
    pending = db.session.scalars(sa.select(ExpertApplication).where(ExpertApplication.status == "pending")
                                 .order_by(ExpertApplication.created_at)).all()
    decided = db.session.scalars(sa.select(ExpertApplication).where(ExpertApplication.status != "pending")
                                 .order_by(ExpertApplication.decided_at.desc()).limit(30)).all()
    memberships = db.session.scalars(sa.select(Membership).where(Membership.confirmed_at.is_(None))
                                     .order_by(Membership.created_at)).all()
    return render_template("proposals/applications.html", pending=pending, decided=decided, form=form,
                           memberships=memberships, action_form=ActionForm())


@bp.route("/experts/dashboard")
@login_required
def dashboard():
    """An expert's desk: shortlisted ideas to adopt, and their own proposals."""
    shortlisted = db.session.scalars(sa.select(Idea).where(Idea.status == "shortlisted")
                                     .order_by(Idea.support_count.desc(), Idea.id).limit(100)).all()
    mine = db.session.scalars(sa.select(Proposal).where(Proposal.lead_expert_id == current_user.id)
                              .order_by(Proposal.created_at.desc())).all()
    return render_template("proposals/dashboard.html", shortlisted=shortlisted, mine=mine, form=ActionForm(),
                           is_expert=current_user.has_role("expert"))


@bp.route("/organizations", methods=["GET", "POST"])
def organizations():
    """Organizations; register one, ask to represent one, answer team invitations."""
    form = OrganizationForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(401)
        if form.validate_on_submit() and perform(
                lambda: create_organization(current_user, name=form.name.data, kind=form.kind.data,
                                            municipality=form.municipality.data or None),
                _("The organization is registered; a steward will confirm that you represent it.")):
            return redirect(url_for("proposals.organizations"))
    rows = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name)).all()
    mine, invitations = {}, []
    if current_user.is_authenticated:
        mine = {m.organization_id: m for m in db.session.scalars(
            sa.select(Membership).where(Membership.user_id == current_user.id))}
        my_orgs = [oid for oid, m in mine.items() if m.confirmed_at is not None]
        invitations = db.session.scalars(sa.select(TeamMember).where(
            TeamMember.accepted_at.is_(None),
            sa.or_(TeamMember.user_id == current_user.id, TeamMember.organization_id.in_(my_orgs)))).all()
        proposals = {p.id: p for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.id.in_([m.proposal_id for m in invitations])))}
        invitations = [(m, proposals[m.proposal_id]) for m in invitations]
    return render_template("proposals/organizations.html", rows=rows, form=form, mine=mine, kinds=ORG_KINDS,
                           roles=TEAM_ROLES, invitations=invitations, action_form=ActionForm()), 400 if form.errors else 200


@bp.route("/organizations/<int:org_id>/represent", methods=["POST"])
@login_required
def represent(org_id):
    """Ask to represent an organization."""
    org = get_by_id(Organization, org_id)
    if org is None or not ActionForm().validate_on_submit():
        abort(404)
    perform(lambda: request_membership(current_user, org), _("Your request is sent; a steward will confirm it."))
    return redirect(url_for("proposals.organizations"))


@bp.route("/organizations/memberships/<int:membership_id>/confirm", methods=["POST"])
@login_required
def confirm(membership_id):
    """A steward confirms a representative."""
    membership = get_by_id(Membership, membership_id)
    if membership is None or not ActionForm().validate_on_submit():
        abort(404)
    perform(lambda: confirm_membership(membership, current_user), _("The representative is confirmed."))
    return redirect(url_for("proposals.applications"))
