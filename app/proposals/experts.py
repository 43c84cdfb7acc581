"""Expert applications, organizations and memberships."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.operations import grant_role
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import Municipality
from app.ideas.queries import municipality_by_code
from app.ideas.signals import reference_loaded
from app.proposals.models import ExpertApplication, Membership, Organization
from app.proposals.states import (
    EXPERT_APPLICATION, MEMBERSHIP, ApplicationStatus, MembershipStatus,
)
from app.core.security import Role


def apply_as_expert(user, *, fields: str, affiliation: str, evidence: str) -> ExpertApplication:
    """Ask to be verified as an expert; one open application at a time."""
    if not user.can_participate():
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    if user.has_role("expert"):
        raise Conflict(_l("You are already a verified expert."), code="already_expert")
    pending = db.session.scalar(sa.select(ExpertApplication.id).where(
        ExpertApplication.user_id == user.id, ExpertApplication.status == ApplicationStatus.PENDING.value))
    if pending is not None:
        raise Conflict(_l("Your application is already waiting for a steward."), code="already_applied")
    application = ExpertApplication(user_id=user.id, fields=fields.strip(), affiliation=affiliation.strip(),
                                    evidence=evidence.strip())
    db.session.add(application)
    db.session.flush()
    return application


def decide_application(application: ExpertApplication, steward, approve: bool, reason: str) -> None:
    """A steward approves (the user becomes an expert) or declines, with a reason."""
    if application.status != ApplicationStatus.PENDING.value:
        raise Conflict(_l("This application was already decided."), code="already_decided")
    if not reason.strip():
        msg = _l("Give a reason.")
        raise InvalidInput(msg, code="validation_failed", fields={"reason": [str(msg)]})
    target = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    EXPERT_APPLICATION.move(application, target, steward, reason=reason.strip()[:500], values={
        "reason": reason.strip()[:500], "decided_by_id": steward.id, "decided_at": utcnow()})
    if approve:
        grant_role(application.user, Role.EXPERT, granted_by=steward)


@reference_loaded.connect
def _on_reference_loaded(_sender) -> int:
    return ensure_municipal_organizations()


def ensure_municipal_organizations() -> int:
    """One organization per city and county (idempotent); returns how many were added."""
    have = set(db.session.scalars(sa.select(Organization.municipality_id).where(Organization.kind == "municipality")))
    added = 0
    for m in db.session.scalars(sa.select(Municipality)):
        if m.id not in have:
            db.session.add(Organization(name=m.name_ko, kind="municipality", municipality_id=m.id))
            added += 1
    db.session.flush()
    return added


def create_organization(user, *, name: str, kind: str, municipality: str | None, title: str,
                        evidence: str) -> Organization:
    """Register an organization (not a municipality: those are seeded); the creator asks to represent it,
    saying their title and what proves it."""
    if not user.can_participate():
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    if kind == "municipality":
        raise InvalidInput(_l("The 31 cities and counties are already registered."), code="municipality_seeded",
                           fields={"kind": [str(_l("The 31 cities and counties are already registered."))]})
    if db.session.scalar(sa.select(Organization.id).where(Organization.name == name.strip())) is not None:
        msg = _l("An organization with this name exists.")
        raise Conflict(msg, code="name_taken", fields={"name": [str(msg)]})
    place = municipality_by_code(municipality) if municipality else None
    org = Organization(name=name.strip(), kind=kind, municipality=place)
    db.session.add(org)
    db.session.flush()
    request_membership(user, org, title=title, evidence=evidence)
    return org


def request_membership(user, org: Organization, *, title: str, evidence: str) -> Membership:
    """A verified user asks to represent an organization, with their title and proof; a steward confirms.

    A city speaks through its representatives (it can become a proposal's partner), so nobody may ask
    without a verified address, and the steward sees who they say they are and why to believe it.
    """
    if not user.can_participate():
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    fields = {}
    if not 2 <= len((title or "").strip()) <= 120:
        fields["title"] = [str(_l("Say your title or role there (2 to 120 characters)."))]
    if not 20 <= len((evidence or "").strip()) <= 2000:
        fields["evidence"] = [str(_l("Say what proves it (20 to 2,000 characters): a work address, a letter, a "
                                     "page that lists you."))]
    if fields:
        raise InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields=fields)
    if db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id,
                                                        Membership.organization_id == org.id)) is not None:
        raise Conflict(_l("You already asked to represent this organization."), code="already_member")
    membership = Membership(user_id=user.id, organization_id=org.id, title=title.strip(),
                            evidence=evidence.strip())
    db.session.add(membership)
    db.session.flush()
    return membership


def confirm_membership(membership: Membership, steward) -> None:
    """A steward confirms that the user speaks for the organization."""
    if membership.status == MembershipStatus.CONFIRMED.value:
        raise Conflict(_l("This membership is already confirmed."), code="already_confirmed")
    MEMBERSHIP.move(membership, MembershipStatus.CONFIRMED, steward,
                    values={"confirmed_at": utcnow(), "confirmed_by_id": steward.id})


def decline_membership(membership: Membership, steward, reason: str) -> None:
    """A steward declines a request to represent an organization, saying why."""
    if not (reason or "").strip():
        msg = _l("Give a reason.")
        raise InvalidInput(msg, code="validation_failed", fields={"reason": [str(msg)]})
    MEMBERSHIP.move(membership, MembershipStatus.DECLINED, steward, reason=reason.strip()[:500])


def represents(user, organization_id: int) -> bool:
    """Whether the user is a confirmed representative of the organization."""
    return Organization.represented_by(organization_id, user)
