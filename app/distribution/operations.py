"""Revenue verbs: report, reject, record the pool paid in, distribute. They flush; callers commit.

Distribution is one transaction: the report moves pool_paid -> distributed by compare-and-set (so
running it twice, or twice at once, distributes once), the split is computed by
`revenue_split.split_pool` from the frozen terms copied on the report, the confirmed influence
points and the cap table, and each line is its own ledger transaction (revenue pool -> wallet or
commons fund, withholding -> tax payable), posted together with `ledger.post_many`.
"""
import base64
import binascii
import calendar
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.distribution.models import DistributionLine, RevenueReport
from app.distribution.parameters import report_grace_days, report_interval_months, withholding_bp
from app.distribution.signals import revenue_distributed, revenue_reported
from app.distribution.states import REPORT, ReportStatus
from app.extensions import db
from app.funding.models import Holding
from app.ledger.operations import account, accounts, post, post_many
from app.proposals.models import Contribution, Proposal
from app.proposals.queries import share_terms_of
from app.proposals.revenue_split import Backer, Split, pool_of, split_pool
from app.proposals.states import Stage

MAX_REVENUE = 10**13
#: stages in which a proposal earns: on the market, or in a testbed that already sells
EARNING = (Stage.MARKET.value, Stage.TESTBED.value)
EVIDENCE_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".csv", ".xlsx", ".txt"}
MAX_EVIDENCE_BYTES = 1_500_000


def _invalid(fields: dict):
    raise InvalidInput(_l("Some fields are not valid."), code="validation_failed",
                       fields={k: [str(v)] for k, v in fields.items()})


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_report(proposal_id: int) -> RevenueReport | None:
    """The proposal's latest report that stands (not rejected), by period."""
    return db.session.scalar(sa.select(RevenueReport).where(
        RevenueReport.proposal_id == proposal_id, RevenueReport.status != ReportStatus.REJECTED.value)
        .order_by(RevenueReport.period_end.desc()).limit(1))


def next_due(proposal_id: int) -> tuple[date, date] | None:
    """(the next period's end, the day its report is due), or None before the first report."""
    last = last_report(proposal_id)
    if last is None:
        return None
    end = add_months(last.period_end, report_interval_months())
    return end, end + timedelta(days=report_grace_days())


def _lock_proposal(proposal_id: int) -> None:
    """Serialize reports of one proposal (PostgreSQL: a row lock; SQLite: a write takes the database's lock)."""
    stmt = sa.update(Proposal).where(Proposal.id == proposal_id).values(updated_at=Proposal.updated_at)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Proposal.id).where(Proposal.id == proposal_id).with_for_update())
    else:
        db.session.execute(stmt)


def report_revenue(proposal: Proposal, lead, *, period_start, period_end, revenue_amount, evidence_note: str = "",
                   evidence: tuple[str, bytes] | None = None, now: datetime | None = None) -> RevenueReport:
    """The lead expert reports a period's revenue; the pool is computed by the frozen terms and copied with them."""
    now = now or utcnow()
    if not proposal.can_edit(lead):
        raise PermissionDenied(_l("Only the lead expert reports revenue."), code="not_lead")
    if proposal.stage not in EARNING:
        raise Conflict(_l("Revenue is reported once the proposal is in a testbed or on the market."),
                       code="not_earning")
    terms = share_terms_of(proposal)
    if terms is None or not terms.is_frozen:
        raise Conflict(_l("The share terms must be frozen before revenue is shared."), code="terms_not_frozen")
    fields = {}
    if not isinstance(period_start, date) or isinstance(period_start, datetime):
        fields["period_start"] = _l("Give a date.")
    if not isinstance(period_end, date) or isinstance(period_end, datetime):
        fields["period_end"] = _l("Give a date.")
    if not fields:
        if period_end < period_start:
            fields["period_end"] = _l("The period ends after it starts.")
        elif period_end >= now.date():
            fields["period_end"] = _l("Report a period that has ended.")
        elif (period_end - period_start).days > 366:
            fields["period_end"] = _l("A period is at most a year.")
    if not isinstance(revenue_amount, int) or isinstance(revenue_amount, bool) or not 0 <= revenue_amount <= MAX_REVENUE:
        fields["revenue_amount"] = _l("Revenue is a whole number of won, zero or more.")
    note = (evidence_note or "").strip()
    if len(note) > 5000:
        fields["evidence_note"] = _l("Use at most %(max)d characters.", max=5000)
    if evidence is not None:
        fields.update(_check_evidence(*evidence))
    if fields:
        _invalid(fields)
    _lock_proposal(proposal.id)
    overlap = db.session.scalar(sa.select(RevenueReport.id).where(
        RevenueReport.proposal_id == proposal.id, RevenueReport.status != ReportStatus.REJECTED.value,
        RevenueReport.period_start <= period_end, RevenueReport.period_end >= period_start).limit(1))
    if overlap is not None:
        raise Conflict(_l("This period overlaps a period already reported."), code="overlapping_period",
                       fields={"period_start": [str(_l("This period overlaps a period already reported."))]})
    due = next_due(proposal.id)
    report = RevenueReport(
        proposal_id=proposal.id, reported_by_id=lead.id, period_start=period_start, period_end=period_end,
        revenue_amount=revenue_amount, evidence_note=note, pool_amount=pool_of(revenue_amount, terms.community_share_bp),
        community_share_bp=terms.community_share_bp, proposer_bp=terms.proposer_bp,
        contributors_bp=terms.contributors_bp, backers_bp=terms.backers_bp, commons_bp=terms.commons_bp,
        backers_cap_multiple_bp=terms.backers_cap_multiple_bp, due_on=due[1] if due else None,
        late=bool(due and now.date() > due[1]), status=ReportStatus.REPORTED.value, created_at=now)
    db.session.add(report)
    db.session.flush()
    if evidence is not None:
        _store_evidence(report, *evidence)
    audit.record(lead, "revenue_report.filed", report, data={
        "proposal_id": proposal.id, "period_start": period_start.isoformat(), "period_end": period_end.isoformat(),
        "revenue_amount": revenue_amount, "pool_amount": report.pool_amount, "late": report.late}, at=now)
    revenue_reported.send(report, actor=lead)
    return report


def _check_evidence(name: str, content: bytes) -> dict:
    suffix = Path(name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        return {"evidence": _l("Attach a PDF, image, CSV, spreadsheet or text file.")}
    if not content or len(content) > MAX_EVIDENCE_BYTES:
        return {"evidence": _l("The file must be smaller than 1.5 MB.")}
    return {}


def decode_evidence(value) -> tuple[str, bytes] | None:
    """The API's optional `evidence_file` ({"filename", "content_base64"}) as (name, bytes); InvalidInput if malformed."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("filename"), str) \
            or not isinstance(value.get("content_base64"), str):
        _invalid({"evidence_file": _l("Send {\"filename\", \"content_base64\"}.")})
    try:
        content = base64.b64decode(value["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        _invalid({"evidence_file": _l("The file is not valid base64.")})
    return value["filename"], content


def _store_evidence(report: RevenueReport, name: str, content: bytes) -> None:
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name)[-80:] or "evidence"
    folder = Path(current_app.config["INSTANCE_DIR"]) / "evidence" / str(report.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / safe).write_bytes(content)
    report.evidence_path, report.evidence_name = str(folder / safe), name[:200]
    db.session.flush()


def reject_report(report: RevenueReport, steward, reason: str) -> None:
    """A steward who is not a party rejects a report whose pool is not paid in (wrong figures); the team refiles."""
    if not (reason or "").strip():
        _invalid({"reason": _l("Please say why.")})
    REPORT.move(report, ReportStatus.REJECTED, steward, reason=reason.strip(), values={"reason": reason.strip()[:500]})


def record_pool_paid(report: RevenueReport, steward, reference: str, now: datetime | None = None) -> None:
    """The team's transfer of the pool arrived: a steward who is not a party records it (bank -> revenue pool)."""
    now = now or utcnow()
    if report.status == ReportStatus.REPORTED.value:
        REPORT.check(report, ReportStatus.POOL_PAID, steward)  # a steward who is not a party
    reference = (reference or "").strip()
    if not 2 <= len(reference) <= 120:
        _invalid({"reference": _l("Give the transfer's reference.")})
    _pay_in(report, "bank", account("bank"), reference, steward, now)


def _pay_in(report: RevenueReport, via: str, source, reference: str, actor, now: datetime) -> None:
    if report.status == ReportStatus.REJECTED.value:
        raise Conflict(_l("This report was rejected; the team files a corrected one."), code="report_rejected")
    if report.status != ReportStatus.REPORTED.value:
        raise Conflict(_l("This report's pool is already paid in."), code="already_paid")
    if not REPORT.move_if(report, ReportStatus.POOL_PAID, actor, data={"via": via, "reference": reference},
                          values={"paid_via": via, "payment_reference": reference[:120], "paid_at": now,
                                  "paid_recorded_by_id": getattr(actor, "id", None)}):
        raise Conflict(_l("This report's pool is already paid in."), code="already_paid")
    if report.pool_amount:
        post("revenue.pool_paid", f"revenue_report:{report.id}", f"revenue_report:{report.id}:pool_paid",
             [(source, -report.pool_amount), (pool_account(report.id), report.pool_amount)], at=now,
             data={"via": via})


def pool_account(report_id: int):
    """The report's pool account: paid in, then emptied by its distribution."""
    return account("revenue_pool", "revenue_report", report_id)


def contributors_of(proposal_id: int) -> list[tuple[tuple, int]]:
    """(("user", id), confirmed points) per contributor, in id order (the split's tie-break)."""
    rows = db.session.execute(sa.select(Contribution.user_id, sa.func.sum(Contribution.points)).where(
        Contribution.proposal_id == proposal_id, Contribution.confirmed_at.is_not(None))
        .group_by(Contribution.user_id).order_by(Contribution.user_id)).all()
    return [(("user", uid), int(points)) for uid, points in rows]


def received_by_holder(proposal_id: int) -> dict[tuple, int]:
    """What each backer has received (gross) from the proposal's earlier distributions."""
    rows = db.session.execute(sa.select(DistributionLine.user_id, DistributionLine.organization_id,
                                        sa.func.sum(DistributionLine.gross_amount))
                              .where(DistributionLine.proposal_id == proposal_id, DistributionLine.role == "backer")
                              .group_by(DistributionLine.user_id, DistributionLine.organization_id)).all()
    return {(("user", uid) if uid is not None else ("organization", oid)): int(total) for uid, oid, total in rows}


def backers_of(proposal_id: int) -> list[Backer]:
    """The cap table as the split reads it: people first, then organizations, each in id order."""
    received = received_by_holder(proposal_id)
    holdings = db.session.execute(sa.select(Holding.user_id, Holding.organization_id, Holding.units,
                                            Holding.invested_amount)
                                  .where(Holding.proposal_id == proposal_id, Holding.units > 0)
                                  .order_by(Holding.organization_id.is_not(None), Holding.user_id,
                                            Holding.organization_id)).all()
    backers = []
    for uid, oid, units, invested in holdings:
        key = ("user", uid) if uid is not None else ("organization", oid)
        backers.append(Backer(key, int(units), int(invested), received.get(key, 0)))
    return backers


def split_for(report: RevenueReport, withholding: int | None = None) -> Split:
    """The split of this report's pool, now (what `distribute` will book, and what pages preview)."""
    return split_pool(report.revenue_amount, report.terms, proposer=("user", report.proposal.idea.author_id),
                      contributors=contributors_of(report.proposal_id), backers=backers_of(report.proposal_id),
                      withholding_bp=withholding_bp() if withholding is None else withholding)


def distribute(report: RevenueReport, now: datetime | None = None) -> Split | None:
    """Split a paid-in pool exactly and book every part (one transaction); None if it was distributed already."""
    now = now or utcnow()
    if report.status == ReportStatus.REPORTED.value:
        raise Conflict(_l("Only a paid-in pool is distributed."), code="pool_not_paid")
    if report.status != ReportStatus.POOL_PAID.value:
        return None
    rate = withholding_bp()
    if not REPORT.move_if(report, ReportStatus.DISTRIBUTED, values={"distributed_at": now, "withholding_bp": rate}):
        return None
    split = split_for(report, rate)
    totals = {role: sum(line.weight for line in split.lines if line.role == role)
              for role in ("proposer", "contributor", "backer", "commons")}
    if split.lines:  # a pool of 0 won (no revenue, or under a won once rounded down) has no lines
        db.session.execute(sa.insert(DistributionLine), [{
            "report_id": report.id, "proposal_id": report.proposal_id, "role": line.role,
            "user_id": line.key[1] if line.key and line.key[0] == "user" else None,
            "organization_id": line.key[1] if line.key and line.key[0] == "organization" else None,
            "weight": line.weight, "weight_total": totals[line.role], "gross_amount": line.gross_amount,
            "withheld_amount": line.withheld_amount, "net_amount": line.net_amount, "cap_amount": line.cap_amount,
            "received_before_amount": line.received_before_amount, "created_at": now} for line in split.lines])
    source = pool_account(report.id)
    tax = account("tax_payable") if split.withheld_amount else None
    wallets = {("user", i): a for i, a in accounts("wallet", "user", [
        line.key[1] for line in split.lines if line.key and line.key[0] == "user"]).items()}
    wallets |= {("organization", i): a for i, a in accounts("organization_wallet", "organization", [
        line.key[1] for line in split.lines if line.key and line.key[0] == "organization"]).items()}
    movements = []
    for line in split.lines:
        target = account("commons_fund") if line.role == "commons" else wallets[line.key]
        legs = [(source, -line.gross_amount), (target, line.net_amount)]
        if line.withheld_amount:
            legs.append((tax, line.withheld_amount))
        holder = "commons" if line.key is None else f"{line.key[0]}:{line.key[1]}"
        movements.append((f"revenue.{line.role}", f"revenue_report:{report.id}",
                          f"revenue_report:{report.id}:{line.role}:{holder}", legs))
    post_many(movements, at=now)
    audit.record(None, "revenue_report.distributed", report, data={
        "pool_amount": report.pool_amount, "withholding_bp": rate,
        **{f"{role}_amount": split.total(role) for role in ("proposer", "contributor", "backer", "commons")}}, at=now)
    revenue_distributed.send(report, split=split)
    return split


def pay_in_and_distribute(report: RevenueReport, steward, reference: str) -> Split | None:
    """POST /revenue-reports/{id}/pool-paid: the transfer arrived; record it and distribute at once."""
    record_pool_paid(report, steward, reference)
    return distribute(report)


