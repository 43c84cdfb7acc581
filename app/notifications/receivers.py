"""Who hears about what: the features' signals turned into notifications.

The features announce events (app/<feature>/signals.py and their machines' `moved` signals);
this module decides the recipients and writes one row each, in bulk where a crowd follows.
"""
import sqlalchemy as sa

from flask_babel import force_locale

from app.auth.signals import account_erased
from app.extensions import db
from app.core.timeutil import utcnow
from app.distribution.models import DistributionLine
from app.distribution.signals import revenue_distributed, revenue_reported
from app.distribution.states import PAYOUT, REPORT, PayoutStatus, ReportStatus
from app.funding.forms import CATEGORY_LABELS
from app.funding.models import Pledge
from app.funding.queries import backers_select, round_backers_select
from app.funding.signals import (
    pledge_failed, pledge_paid, pledge_refunded, pledges_refunded, question_answered, question_asked, round_cancelled,
    round_failed, round_opened, round_succeeded,
)
from app.funding.states import INVESTOR_VERIFICATION, MATCHING_POOL, ROUND, PoolStatus, RoundStatus, VerificationStatus
from app.ideas.models import Idea
from app.ideas.queries import followers_select
from app.ideas.signals import (
    comment_posted, idea_adopted, idea_answered, idea_archived, idea_merged, idea_shortlisted, idea_withdrawn,
)
from app.notifications.models import Notification
from app.notifications.operations import notify_selected, notify_user
from app.proposals.models import Membership, Organization, Proposal
from app.proposals.signals import contribution_recorded, proposal_update_posted, team_invited
from app.proposals.states import EXPERT_APPLICATION, MEMBERSHIP, PROPOSAL, ApplicationStatus, MembershipStatus


def _name(user) -> str:
    return user.display_name if user is not None and getattr(user, "is_authenticated", False) else ""


def notify_followers(idea: Idea, kind: str, *, subject: tuple[str, int] | None = None, data: dict | None = None,
                     include_author: bool = True, exclude=()) -> None:
    """Tell every supporter and follower of the idea (and its author) in one INSERT ... SELECT, however many."""
    subject = subject or ("idea", idea.id)
    data = {"title": idea.title, **(data or {})}
    followers = followers_select(idea.id).subquery()
    recipients = sa.select(followers.c.user_id).where(followers.c.user_id != idea.author_id)
    if exclude:
        recipients = recipients.where(followers.c.user_id.not_in(list(exclude)))
    notify_selected(recipients, kind, subject, data)
    if include_author and idea.author_id not in exclude:
        notify_user(idea.author_id, kind, subject, data)


def _follower_news(kind: str, include_author: bool = True):
    """A receiver telling an idea's followers (and author) of an event, as `kind`."""
    def receive(idea, **_kw):
        notify_followers(idea, kind, include_author=include_author)
    return receive


#: events every follower of an idea hears about (the author withdrew it: no need to tell them)
for _signal, _kind, _author in ((idea_shortlisted, "idea_shortlisted", True), (idea_archived, "idea_archived", True),
                                (idea_withdrawn, "idea_withdrawn", False), (idea_answered, "idea_answered", True),
                                (idea_adopted, "idea_adopted", True)):
    _signal.connect(_follower_news(_kind, _author), weak=False)


@idea_merged.connect
def _merged(idea, **_kw):
    """The duplicate's followers learn where it went (its supports still point at it); the target's author too."""
    notify_followers(idea, "idea_merged", data={"link_id": idea.merged_into_id})
    target = db.session.get(Idea, idea.merged_into_id)
    notify_user(target.author_id, "idea_merged_into", ("idea", target.id), {"title": target.title})


@comment_posted.connect
def _commented(comment, idea, parent, actor, **_kw):
    """A reply tells the comment's author who replied; a new comment tells the idea's author."""
    data = {"title": idea.title, "actor": _name(actor), "comment_id": comment.id}
    if parent is not None and parent.author_id != actor.id:
        notify_user(parent.author_id, "comment_reply", ("idea", idea.id), data)
    told_author = parent is not None and parent.author_id == idea.author_id
    if idea.author_id != actor.id and not told_author:
        notify_user(idea.author_id, "idea_commented", ("idea", idea.id), data)


@PROPOSAL.moved.connect
def _stage_changed(proposal, **_kw):
    notify_followers(proposal.idea, "proposal_stage", subject=("proposal", proposal.id),
                     data={"anchor": "timeline"})


def notify_followers_and_backers(proposal: Proposal, kind: str, subject: tuple[str, int], data: dict) -> None:
    """Tell the idea's followers, its author and everyone with money in the proposal, each once, in one
    INSERT ... SELECT however many there are."""
    idea = proposal.idea
    followers = followers_select(idea.id).subquery()
    everyone = sa.union(sa.select(followers.c.user_id), backers_select(proposal.id)).subquery()
    recipients = sa.select(everyone.c[0]).where(everyone.c[0] != idea.author_id)
    notify_selected(recipients, kind, subject, data)
    notify_user(idea.author_id, kind, subject, data)


@proposal_update_posted.connect
def _update_posted(update, proposal, **_kw):
    """Followers and backers hear of the team's update once each."""
    notify_followers_and_backers(proposal, "proposal_update", ("proposal", proposal.id),
                                 {"title": proposal.idea.title, "anchor": "updates"})


@team_invited.connect
def _invited(member, proposal, actor, **_kw):
    """The invited person, or every confirmed representative of the invited organization."""
    data = {"title": proposal.title, "actor": _name(actor), "anchor": "team"}
    if member.user_id is not None:
        notify_user(member.user_id, "team_invited", ("proposal", proposal.id), data)
        return
    representatives = sa.select(Membership.user_id).where(
        Membership.organization_id == member.organization_id, Membership.status == MembershipStatus.CONFIRMED.value)
    notify_selected(representatives, "team_invited", ("proposal", proposal.id), data)


@contribution_recorded.connect
def _contribution(contribution, proposal, actor, **_kw):
    notify_user(contribution.user_id, "contribution_to_confirm", ("proposal", proposal.id),
                {"title": proposal.title, "actor": _name(actor), "points": contribution.points,
                 "anchor": "contributions"})


@EXPERT_APPLICATION.moved.connect
def _application_decided(application, to, **_kw):
    kind = "expert_application_approved" if to == ApplicationStatus.APPROVED else "expert_application_declined"
    notify_user(application.user_id, kind, ("expert_application", application.id), {"reason": application.reason})


@MEMBERSHIP.moved.connect
def _membership_decided(membership, to, reason=None, **_kw):
    name = db.session.scalar(sa.select(Organization.name).where(Organization.id == membership.organization_id))
    kind = "membership_confirmed" if to == MembershipStatus.CONFIRMED else "membership_declined"
    notify_user(membership.user_id, kind, ("membership", membership.id), {"title": name, "reason": reason or ""})


@account_erased.connect
def _forget_notifications(user, **_kw):
    """An erased account's notifications go with it (their titles and names are personal to the reader)."""
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))


# funding
def _pledge_data(pledge, round_) -> dict:
    return {"title": round_.proposal.title, "amount": f"{pledge.amount:,}", "anchor": "my-pledges"}


@pledge_paid.connect
def _pledge_paid(pledge, round, **_kw):  # noqa: A002 - the signal's keyword
    notify_user(pledge.backer_id, "pledge_paid", ("round", round.id), _pledge_data(pledge, round))


@pledge_failed.connect
def _pledge_failed(pledge, round, **_kw):  # noqa: A002
    notify_user(pledge.backer_id, "pledge_failed", ("round", round.id),
                {**_pledge_data(pledge, round), "error": pledge.last_error or ""})


@pledge_refunded.connect
def _pledge_refunded(pledge, round, **_kw):  # noqa: A002
    notify_user(pledge.backer_id, "pledge_refunded", ("round", round.id), _pledge_data(pledge, round))


@pledges_refunded.connect
def _pledges_refunded(_sender, pledge_ids=(), **_kw):
    """Refunds recorded together (a round that did not succeed): each backer hears of their own, in a few INSERTs."""
    ids, now = list(pledge_ids), utcnow()
    for start in range(0, len(ids), 500):
        rows = db.session.execute(sa.select(Pledge.backer_id, Pledge.round_id, Pledge.amount, Proposal.title)
                                  .join(Proposal, Proposal.id == Pledge.proposal_id)
                                  .where(Pledge.id.in_(ids[start:start + 500]))).all()
        if rows:
            db.session.execute(sa.insert(Notification), [
                {"user_id": backer_id, "kind": "pledge_refunded", "subject_type": "round", "subject_id": round_id,
                 "data": {"title": title, "amount": f"{amount:,}", "anchor": "my-pledges"}, "created_at": now}
                for backer_id, round_id, amount, title in rows])


@round_opened.connect
def _round_opened(round_, **_kw):
    """The idea's followers and the backers of the proposal's earlier rounds."""
    notify_followers_and_backers(round_.proposal, "round_opened", ("round", round_.id),
                                 {"title": round_.proposal.title})


def _round_closed(kind: str):
    def receive(round_, reason=None, **_kw):
        """Everyone with money in the round hears how it ended."""
        notify_selected(round_backers_select(round_.id), kind, ("round", round_.id),
                        {"title": round_.proposal.title, "reason": reason or ""})
    return receive


for _signal, _kind in ((round_succeeded, "round_succeeded"), (round_failed, "round_failed"),
                       (round_cancelled, "round_cancelled")):
    _signal.connect(_round_closed(_kind), weak=False)


@ROUND.moved.connect
def _round_decided(round_, frm, to, actor=None, reason=None, **_kw):
    """The lead expert hears a steward's decision on the draft: approved, or returned with the reason."""
    lead_id = round_.proposal.lead_expert_id
    if actor is None or actor.id == lead_id:
        return
    data = {"title": round_.proposal.title, "reason": reason or ""}
    if to == RoundStatus.APPROVED:
        notify_user(lead_id, "round_approved", ("round", round_.id), data)
    elif to == RoundStatus.DRAFT:
        notify_user(lead_id, "round_returned", ("round", round_.id), data)


@question_asked.connect
def _question_asked(question, round, actor, **_kw):  # noqa: A002
    lead_id = round.proposal.lead_expert_id
    if actor.id != lead_id:
        notify_user(lead_id, "round_question", ("round", round.id),
                    {"title": round.proposal.title, "actor": _name(actor), "anchor": f"question-{question.id}"})


@question_answered.connect
def _question_answered(question, round, actor, **_kw):  # noqa: A002
    if actor.id != question.author_id:
        notify_user(question.author_id, "round_answer", ("round", round.id),
                    {"title": round.proposal.title, "anchor": f"question-{question.id}"})


@INVESTOR_VERIFICATION.moved.connect
def _category_decided(profile, to, reason=None, **_kw):
    """The backer hears the steward's decision, the category named in their own language."""
    with force_locale(profile.user.locale or "ko"):
        category = str(CATEGORY_LABELS.get(profile.requested_category, profile.requested_category))
    kind = "investor_category_verified" if to == VerificationStatus.VERIFIED else "investor_category_declined"
    notify_user(profile.user_id, kind, ("investor_profile", profile.id), {"category": category, "reason": reason or ""})


@MATCHING_POOL.moved.connect
def _pool_active(pool, to, **_kw):
    """Whoever offered the matching hears that its deposit is recorded."""
    if to == PoolStatus.ACTIVE:
        notify_user(pool.created_by_id, "matching_pool_active", ("round", pool.round_id),
                    {"title": pool.round.proposal.title, "org": pool.organization.name, "anchor": "matching"})


# distribution
def _won(amount: int) -> str:
    return f"{amount:,}"


@revenue_reported.connect
def _revenue_reported(report, actor=None, **_kw):
    """The idea's followers, its author and the proposal's backers hear that revenue was reported, once each."""
    notify_followers_and_backers(report.proposal, "revenue_reported", ("revenue_report", report.id), {
        "title": report.proposal.title, "proposal_id": report.proposal_id, "amount": _won(report.revenue_amount),
        "period": f"{report.period_start.isoformat()} – {report.period_end.isoformat()}"})


def _grouped_won(column):
    """SQL: an amount written with thousands separators, as the other notices store it ("75,000")."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, "FM999,999,999,999,999,990")
    return sa.func.printf("%,d", column)


def _typed(value, type_=sa.String):
    """A parameter cast to its type: PostgreSQL's json_build_object takes "any", so an untyped one would not do."""
    return sa.cast(sa.literal(value), type_)


@revenue_distributed.connect
def _revenue_distributed(report, **_kw):
    """Each person with a line hears what they received, in one INSERT ... SELECT over the report's lines."""
    build = sa.func.json_build_object if db.session.get_bind().dialect.name == "postgresql" else sa.func.json_object
    data = build(_typed("title"), _typed(report.proposal.title), _typed("proposal_id"),
                 _typed(report.proposal_id, sa.Integer), _typed("amount"), _grouped_won(DistributionLine.net_amount))
    rows = (sa.select(DistributionLine.user_id, sa.literal("revenue_received", sa.String),
                      sa.literal("revenue_report", sa.String), sa.literal(report.id, sa.BigInteger),
                      sa.type_coerce(data, sa.JSON), sa.literal(utcnow(), sa.DateTime(timezone=True)))
            .where(DistributionLine.report_id == report.id, DistributionLine.user_id.is_not(None)))
    db.session.execute(sa.insert(Notification).from_select(
        ["user_id", "kind", "subject_type", "subject_id", "data", "created_at"], rows))


# payout_requested: nobody is told (a request is the person's own business until a steward decides it)


@REPORT.moved.connect
def _report_decided(report, to, reason=None, **_kw):
    """The lead expert hears that a steward rejected the report (with the reason)."""
    if to == ReportStatus.REJECTED:
        notify_user(report.proposal.lead_expert_id, "revenue_report_rejected", ("revenue_report", report.id),
                    {"title": report.proposal.title, "proposal_id": report.proposal_id, "reason": reason or ""})


@PAYOUT.moved.connect
def _payout_decided(payout, to, reason=None, **_kw):
    """Its owner hears the steward's decision (not their own cancellation)."""
    data = {"amount": _won(payout.amount), "reference": payout.reference or "", "reason": reason or ""}
    if to == PayoutStatus.PAID:
        notify_user(payout.user_id, "payout_paid", ("payout", payout.id), data)
    elif to == PayoutStatus.REJECTED:
        notify_user(payout.user_id, "payout_rejected", ("payout", payout.id), data)
