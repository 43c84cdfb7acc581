"""Round verbs: draft, edit, approve, return, cancel (before opening), open; investor-category requests; questions to
the team."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.funding.models import INVESTOR_CATEGORIES, InvestorProfile, Round, RoundQuestion
from app.funding.parameters import round_days
from app.funding.signals import question_answered, question_asked
from app.funding.states import INVESTOR_VERIFICATION, ROUND, RoundStatus, VerificationStatus
from app.proposals.models import Proposal
from app.proposals.queries import share_terms_of
from app.proposals.states import Stage

#: ten trillion won: more than any round, less than 64-bit integers
MAX_AMOUNT = 10**13
ROUND_FIELDS = ("target_amount", "cap_amount", "unit_price", "min_units", "opens_at", "closes_at",
                "offering_summary", "risk_statement")
#: a round still being prepared or taking money: a proposal has at most one
ACTIVE_ROUND = (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value, RoundStatus.OPEN.value)


def _invalid(fields: dict):
    raise InvalidInput(_l("Some fields are not valid."), code="validation_failed",
                       fields={k: [str(v)] for k, v in fields.items()})


def _whole(value, minimum: int, maximum: int = MAX_AMOUNT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def check_round_values(values: dict, now: datetime | None = None) -> dict:
    """The round's numbers and dates, checked together; raises InvalidInput naming each bad field."""
    now = now or utcnow()
    fields = {}
    for name in ("target_amount", "cap_amount", "unit_price"):
        if not _whole(values.get(name), 1):
            fields[name] = _l("Use a whole number of won, at least 1.")
    if not _whole(values.get("min_units", 1), 1, 10**9):
        fields["min_units"] = _l("Use a whole number of units, at least 1.")
    whole = {name: values.get(name) for name in ("target_amount", "cap_amount", "unit_price") if name not in fields}
    if {"target_amount", "cap_amount"} <= set(whole) and whole["cap_amount"] < whole["target_amount"]:
        fields["cap_amount"] = _l("The cap must be at least the target.")
    if {"target_amount", "unit_price"} <= set(whole) and whole["unit_price"] > whole["target_amount"]:
        fields["unit_price"] = _l("A unit cannot cost more than the target.")
    elif len(whole) == 3 and "min_units" not in fields and \
            values.get("min_units", 1) * whole["unit_price"] > whole["cap_amount"]:
        fields["min_units"] = _l("The smallest pledge must fit under the cap.")
    opens, closes = as_utc(values.get("opens_at")), as_utc(values.get("closes_at"))
    if not isinstance(opens, datetime):
        fields["opens_at"] = _l("Give a date and time.")
    if not isinstance(closes, datetime):
        fields["closes_at"] = _l("Give a date and time.")
    if isinstance(opens, datetime) and isinstance(closes, datetime):
        shortest, longest = round_days()
        if opens < now - timedelta(minutes=5):
            fields["opens_at"] = _l("A round cannot open in the past.")
        if not timedelta(days=shortest) <= closes - opens <= timedelta(days=longest):
            fields["closes_at"] = _l("A round runs from %(min)d to %(max)d days.", min=shortest, max=longest)
    for name, limit in (("offering_summary", 5000), ("risk_statement", 10000)):
        text = values.get(name)
        if not isinstance(text, str) or not text.strip():
            fields[name] = _l("Please write this.")
        elif len(text) > limit:
            fields[name] = _l("Use at most %(max)d characters.", max=limit)
    if fields:
        _invalid(fields)
    return {**values, "opens_at": opens, "closes_at": closes, "min_units": values.get("min_units", 1),
            "offering_summary": values["offering_summary"].strip(), "risk_statement": values["risk_statement"].strip()}


def draft_round(proposal: Proposal, lead, values: dict, now: datetime | None = None) -> Round:
    """The lead expert of a proposal in the funding stage drafts a round on its frozen share terms."""
    if not proposal.can_edit(lead):
        raise PermissionDenied(_l("Only the lead expert drafts a round."), code="not_lead")
    if proposal.stage != Stage.FUNDING.value:
        raise Conflict(_l("Rounds are for proposals in the funding stage."), code="not_funding")
    terms = share_terms_of(proposal)
    if terms is None or not terms.is_frozen:
        raise Conflict(_l("Publish and freeze the share terms before drafting a round."), code="terms_not_frozen")
    busy = db.session.scalar(sa.select(Round.id).where(Round.proposal_id == proposal.id,
                                                        Round.status.in_(ACTIVE_ROUND)))
    if busy is not None:
        raise Conflict(_l("This proposal already has a round in preparation or open."), code="round_exists")
    values = check_round_values({k: values.get(k) for k in ROUND_FIELDS if k in values}, now)
    round_ = Round(proposal_id=proposal.id, created_by_id=lead.id, status=RoundStatus.DRAFT.value,
                   created_at=now or utcnow(), **values)
    db.session.add(round_)
    db.session.flush()
    audit.record(lead, "round.drafted", round_, data={"proposal_id": proposal.id, "target_amount": round_.target_amount,
                                                      "cap_amount": round_.cap_amount, "unit_price": round_.unit_price})
    return round_


def edit_round(round_: Round, lead, values: dict, now: datetime | None = None) -> Round:
    """The lead expert changes a draft; a new risk statement is a new version backers acknowledge."""
    if not round_.can_edit(lead):
        raise PermissionDenied(_l("Only the lead expert edits a draft round."), code="not_editable")
    current = {k: getattr(round_, k) for k in ROUND_FIELDS}
    merged = check_round_values({**current, **{k: v for k, v in values.items() if k in ROUND_FIELDS and v is not None}},
                                now)
    if merged["risk_statement"] != round_.risk_statement:
        round_.risk_version += 1
    for name in ROUND_FIELDS:
        setattr(round_, name, merged[name])
    db.session.flush()
    return round_


def approve_round(round_: Round, steward, reason: str | None = None) -> None:
    """A steward who is not a party approves the draft; it opens at `opens_at`."""
    ROUND.move(round_, RoundStatus.APPROVED, steward, reason=reason,
               values={"approved_by_id": steward.id, "approved_at": utcnow()})


def return_round(round_: Round, user, reason: str) -> None:
    """Back to draft, to change it (the lead expert, or a steward asking for changes with a reason)."""
    if not (reason or "").strip():
        _invalid({"reason": _l("Please say why.")})
    ROUND.move(round_, RoundStatus.DRAFT, user, reason=reason, values={"approved_by_id": None, "approved_at": None})


def cancel_round(round_: Round, user, reason: str | None, now: datetime | None = None) -> None:
    """The lead expert or a steward cancels a round that is not open yet (a draft or an approved round), saying why
    in the public log; only the lead withdrawing their own draft, which nobody else has seen, may leave the reason
    out. An open round is cancelled by `closing.cancel_open_round`, which refunds its pledges."""
    if round_.status == RoundStatus.OPEN.value:
        raise Conflict(_l("This round is open: a steward cancels it, and every pledge is refunded."), code="round_open")
    ROUND.check(round_, RoundStatus.CANCELLED, user)  # the lead expert or a steward, from draft or approved
    reason = (reason or "").strip()
    if not reason and not (round_.status == RoundStatus.DRAFT.value and round_.proposal.can_edit(user)):
        _invalid({"reason": _l("Please say why.")})
    ROUND.move(round_, RoundStatus.CANCELLED, user, reason=reason or None, values={"closed_at": now or utcnow()})


def open_round(round_: Round, user=None, now: datetime | None = None) -> None:
    """Open an approved round: by the schedule at `opens_at`, or earlier by its lead expert or a steward
    (the round then runs from now, within the longest duration)."""
    now = now or utcnow()
    if round_.status == RoundStatus.OPEN.value:
        raise Conflict(_l("The round is already open."), code="already_open")
    ROUND.check(round_, RoundStatus.OPEN, user)
    if as_utc(round_.closes_at) <= now:
        raise Conflict(_l("The round's closing time has passed; cancel it or draft a new one."), code="too_late")
    values = {"opened_at": now}
    if as_utc(round_.opens_at) > now:
        if user is None:
            raise Conflict(_l("The round opens at its opening time."), code="not_yet")
        _shortest, longest = round_days()
        if as_utc(round_.closes_at) - now > timedelta(days=longest):
            raise Conflict(_l("Opened now, the round would run longer than %(max)d days.", max=longest),
                           code="too_long")
        values["opens_at"] = now
    ROUND.move(round_, RoundStatus.OPEN, user, values=values)


def open_due(now: datetime | None = None) -> list[Round]:
    """Open every approved round whose opening time has come (the schedule's part of `flask rounds close-due`)."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(Round).where(Round.status == RoundStatus.APPROVED.value,
                                                    Round.opens_at <= now, Round.closes_at > now)
                             .order_by(Round.opens_at, Round.id)).all()
    for round_ in due:
        ROUND.move(round_, RoundStatus.OPEN, None, values={"opened_at": now})
    return list(due)


# investors
def request_category(user, category: str, evidence: str) -> InvestorProfile:
    """A backer asks to count as a qualified or professional investor; a steward checks the evidence."""
    if not (user and user.is_authenticated and user.can_participate()):
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    if category not in INVESTOR_CATEGORIES[1:]:
        _invalid({"category": _l("Choose one of the listed options.")})
    evidence = (evidence or "").strip()
    if not 10 <= len(evidence) <= 5000:
        _invalid({"evidence": _l("Say what proves it (10 to 5000 characters).")})
    pending = db.session.scalar(sa.select(InvestorProfile).where(
        InvestorProfile.user_id == user.id, InvestorProfile.status == VerificationStatus.PENDING.value))
    if pending is not None:
        raise Conflict(_l("Your request is already waiting for a steward."), code="already_requested")
    if user.investor_category == category:
        raise Conflict(_l("You are already verified in this category."), code="already_verified")
    profile = InvestorProfile(user_id=user.id, requested_category=category, evidence=evidence)
    db.session.add(profile)
    db.session.flush()
    return profile


def decide_category(profile: InvestorProfile, steward, approve: bool, reason: str) -> None:
    """A steward who is not the backer verifies the category (it counts from now) or declines, with a reason."""
    if not (reason or "").strip():
        _invalid({"reason": _l("Please give a reason.")})
    to = VerificationStatus.VERIFIED if approve else VerificationStatus.DECLINED
    INVESTOR_VERIFICATION.move(profile, to, steward, reason=reason.strip(),
                               data={"category": profile.requested_category},
                               values={"reason": reason.strip()[:500], "decided_by_id": steward.id,
                                       "decided_at": utcnow()})
    if approve:
        profile.user.investor_category = profile.requested_category
        db.session.flush()


# questions
def ask_question(round_: Round, user, body: str) -> RoundQuestion:
    """Anyone verified asks the team a public question about the round."""
    if not (user and user.is_authenticated and user.can_participate()):
        raise PermissionDenied(_l("Verify your email address first."), code="not_verified")
    body = (body or "").strip()
    if not 5 <= len(body) <= 2000:
        _invalid({"body": _l("Use between %(min)d and %(max)d characters.", min=5, max=2000)})
    if round_.status not in (RoundStatus.APPROVED.value, RoundStatus.OPEN.value):
        raise Conflict(_l("Questions are taken while the round is announced or open."), code="round_not_open")
    question = RoundQuestion(round_id=round_.id, author_id=user.id, body=body)
    db.session.add(question)
    db.session.flush()
    question_asked.send(question, round=round_, actor=user)
    return question


def answer_question(question: RoundQuestion, user, answer: str) -> None:
    """Someone who may post the proposal's updates answers, once (the answer is public)."""
    round_ = db.session.get(Round, question.round_id)
    if not round_.proposal.can_post_update(user):
        raise PermissionDenied(_l("Only the team answers questions."), code="not_team")
    if question.answered_at is not None:
        raise Conflict(_l("This question is already answered."), code="already_answered")
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 5000:
        _invalid({"answer": _l("Use between %(min)d and %(max)d characters.", min=2, max=5000)})
    question.answer, question.answered_by_id, question.answered_at = answer, user.id, utcnow()
    db.session.flush()
    question_answered.send(question, round=round_, actor=user)
