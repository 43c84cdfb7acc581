"""Distribution reads shared by pages and the API: wallets, statements, dashboards, the commons fund,
a proposal's revenue history and payment health. None of them writes."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.timeutil import as_utc, utcnow
from app.distribution.models import DistributionLine, Payout, RevenueReport
from app.distribution.operations import add_months, next_due
from app.distribution.parameters import report_grace_days, report_interval_months
from app.distribution.states import ReportStatus
from app.extensions import db
from app.ledger.models import LedgerEntry, LedgerTransaction
from app.ledger.queries import balance, find_account
from app.proposals.models import Proposal

ROLES = ("proposer", "contributor", "backer", "commons")


def wallet(user) -> dict:
    """The user's wallet: balance, money held for payouts asked for, and the latest entries."""
    acct = find_account("wallet", "user", user.id)
    entries = []
    if acct is not None:
        entries = db.session.execute(
            sa.select(LedgerEntry.amount, LedgerTransaction.kind, LedgerTransaction.reference,
                      LedgerTransaction.created_at, LedgerTransaction.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.account_id == acct.id).order_by(LedgerEntry.id.desc()).limit(200)).all()
    held = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payout.amount), 0)).where(
        Payout.user_id == user.id, Payout.status == "requested"))
    return {"balance_amount": balance(acct), "held_amount": int(held), "entries": entries,
            "payouts": db.session.scalars(sa.select(Payout).where(Payout.user_id == user.id)
                                          .order_by(Payout.id.desc()).limit(50)).all()}


def statement_lines(user_id: int, year: int | None = None) -> list[DistributionLine]:
    """The person's distribution lines, newest report first (one year's, or all)."""
    stmt = (sa.select(DistributionLine).join(RevenueReport, RevenueReport.id == DistributionLine.report_id)
            .where(DistributionLine.user_id == user_id))
    if year is not None:
        stmt = stmt.where(sa.extract("year", RevenueReport.distributed_at) == year)
    return db.session.scalars(stmt.order_by(RevenueReport.distributed_at.desc(), DistributionLine.id.desc())).all()


@dataclass
class StatementRow:
    """One line of a statement, with the cumulative sums a backer reads against the cap."""

    line: DistributionLine
    received_total_amount: int


def statement(user_id: int, year: int | None = None) -> list[StatementRow]:
    """Statement rows: each line with what the person has received from that proposal up to and including it."""
    lines = statement_lines(user_id, year)
    running: dict[int, int] = {}
    rows = []
    for line in reversed(lines):  # oldest first for the running totals
        running[line.proposal_id] = line.received_before_amount + line.gross_amount if line.role == "backer" else \
            running.get(line.proposal_id, 0) + line.gross_amount
        rows.append(StatementRow(line, running[line.proposal_id]))
    return list(reversed(rows))


def annual_summary(user_id: int) -> list[dict]:
    """Per year: gross, withheld and net received, and how many lines."""
    rows = db.session.execute(
        sa.select(sa.extract("year", RevenueReport.distributed_at).label("year"),
                  sa.func.sum(DistributionLine.gross_amount), sa.func.sum(DistributionLine.withheld_amount),
                  sa.func.sum(DistributionLine.net_amount), sa.func.count(DistributionLine.id))
        .join(RevenueReport, RevenueReport.id == DistributionLine.report_id)
        .where(DistributionLine.user_id == user_id).group_by("year").order_by(sa.desc("year"))).all()
    return [{"year": int(y), "gross_amount": int(g), "withheld_amount": int(w), "net_amount": int(n), "lines": int(c)}
            for y, g, w, n, c in rows]


def earnings_by_proposal(user_id: int) -> list[dict]:
    """Per proposal the person earns from: roles, total received, and the series over time (for the chart)."""
    series: dict[int, dict] = {}
    for line in reversed(statement_lines(user_id)):
        entry = series.setdefault(line.proposal_id, {"proposal_id": line.proposal_id, "title": "", "roles": set(),
                                                     "total_amount": 0, "points": []})
        entry["roles"].add(line.role)
        entry["total_amount"] += line.net_amount
        entry["points"].append({"period_end": line.report.period_end.isoformat(), "amount": line.net_amount})
    if series:
        titles = dict(db.session.execute(sa.select(Proposal.id, Proposal.title)
                                         .where(Proposal.id.in_(list(series)))).all())
        for pid, entry in series.items():
            entry["title"] = titles.get(pid, "")
            entry["roles"] = sorted(entry["roles"])
            due = next_due(pid)
            entry["next_due_on"] = due[1].isoformat() if due else None
    return list(series.values())


def reports_of(proposal_id: int) -> list[RevenueReport]:
    """A proposal's revenue reports, newest period first."""
    return db.session.scalars(sa.select(RevenueReport).where(RevenueReport.proposal_id == proposal_id)
                              .order_by(RevenueReport.period_start.desc(), RevenueReport.id.desc())).all()


def totals_by_role(report_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each report, won per role and withheld (public: amounts per role, never per person)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {**{r: 0 for r in ROLES}, "withheld": 0, "people": 0})
    if not report_ids:
        return {}
    for rid, role, gross, withheld, count in db.session.execute(
            sa.select(DistributionLine.report_id, DistributionLine.role, sa.func.sum(DistributionLine.gross_amount),
                      sa.func.sum(DistributionLine.withheld_amount), sa.func.count(DistributionLine.id))
            .where(DistributionLine.report_id.in_(report_ids))
            .group_by(DistributionLine.report_id, DistributionLine.role)):
        out[rid][role] = int(gross)
        out[rid]["withheld"] += int(withheld)
        if role != "commons":
            out[rid]["people"] += int(count)
    return dict(out)


def health(proposal_id: int, today: date | None = None) -> dict:
    """Payment health: reports on time and late, periods missed so far, and the next report's due date."""
    today = today or utcnow().date()
    reports = [r for r in reports_of(proposal_id) if r.status != ReportStatus.REJECTED.value]
    on_time = sum(1 for r in reports if not r.late)
    late = sum(1 for r in reports if r.late)
    missed, due_on = 0, None
    due = next_due(proposal_id)
    if due is not None:
        _period_end, due_on = due
        while due_on < today:  # each period whose report is overdue counts as missed until it comes
            missed += 1
            due_on = add_months(due_on, report_interval_months())
    state = "none" if not reports else ("missed" if missed else ("late" if reports and reports[0].late else "on_time"))
    return {"on_time": on_time, "late": late, "missed": missed, "next_due_on": due_on, "state": state,
            "reports": len(reports)}


def commons_fund() -> dict:
    """The commons fund: balance and every movement in and out, newest first, with the other side's kind."""
    acct = find_account("commons_fund")
    if acct is None:
        return {"balance_amount": 0, "movements": [], "inflow_amount": 0, "outflow_amount": 0}
    rows = db.session.execute(
        sa.select(LedgerEntry.amount, LedgerTransaction.kind, LedgerTransaction.reference,
                  LedgerTransaction.created_at, LedgerTransaction.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account_id == acct.id).order_by(LedgerEntry.id.desc())).all()
    return {"balance_amount": balance(acct), "movements": rows,
            "inflow_amount": sum(r.amount for r in rows if r.amount > 0),
            "outflow_amount": -sum(r.amount for r in rows if r.amount < 0)}


def monthly(movements) -> list[dict]:
    """Movements summed per month, oldest first (for the commons chart)."""
    months: dict[str, dict] = {}
    for m in movements:
        key = as_utc(m.created_at).strftime("%Y-%m")
        month = months.setdefault(key, {"month": key, "in_amount": 0, "out_amount": 0})
        if m.amount > 0:
            month["in_amount"] += m.amount
        else:
            month["out_amount"] -= m.amount
    return [months[k] for k in sorted(months)]


def reports_awaiting_pool() -> list[RevenueReport]:
    """Reports whose pool a steward may record as paid in, oldest first."""
    return db.session.scalars(sa.select(RevenueReport).where(RevenueReport.status == ReportStatus.REPORTED.value)
                              .order_by(RevenueReport.created_at)).all()


def organization_wallet_balance(organization_id: int) -> int:
    """What the platform owes an organization (its matched units' income)."""
    return balance(find_account("organization_wallet", "organization", organization_id))


def received_from(user_id: int, proposal_id: int) -> int:
    """Gross won a person received as a backer of a proposal."""
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DistributionLine.gross_amount), 0)).where(
        DistributionLine.user_id == user_id, DistributionLine.proposal_id == proposal_id,
        DistributionLine.role == "backer")))


# reads the pages add (a fixed number of statements however many rows they show)
def reports_by_id(ids) -> dict[int, RevenueReport]:
    """Reports by id, with their proposals (one query)."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(sa.select(RevenueReport).where(RevenueReport.id.in_(ids)))}


def referenced_ids(references, prefix: str) -> list[int]:
    """The ids of ledger references "<prefix>:<id>" (a revenue report's, a payout's)."""
    out = []
    for reference in references:
        kind, _sep, ident = (reference or "").partition(":")
        if kind == prefix and ident.isdigit():
            out.append(int(ident))
    return out


def wallet_subjects(entries) -> tuple[dict[int, RevenueReport], dict[int, Payout]]:
    """What the wallet's entries are about: the reports their revenue shares came from and the payouts they held or
    returned (two queries)."""
    references = [e.reference for e in entries]
    payout_ids = sorted(set(referenced_ids(references, "payout")))
    payouts = {p.id: p for p in db.session.scalars(sa.select(Payout).where(Payout.id.in_(payout_ids)))} \
        if payout_ids else {}
    return reports_by_id(referenced_ids(references, "revenue_report")), payouts


def commons_summary() -> dict:
    """The commons fund's balance and its inflow and outflow totals (summed in SQL)."""
    acct = find_account("commons_fund")
    if acct is None:
        return {"balance_amount": 0, "inflow_amount": 0, "outflow_amount": 0, "account": None}
    inflow, outflow = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((LedgerEntry.amount < 0, -LedgerEntry.amount), else_=0)), 0))
        .where(LedgerEntry.account_id == acct.id)).one()
    return {"balance_amount": balance(acct), "inflow_amount": int(inflow), "outflow_amount": int(outflow),
            "account": acct}


def commons_movements_query(acct) -> sa.Select:
    """The commons fund's entries with their transactions, newest first (for a paginated list)."""
    return (sa.select(LedgerEntry.amount, LedgerTransaction.kind, LedgerTransaction.reference,
                      LedgerTransaction.created_at, LedgerTransaction.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.account_id == (acct.id if acct is not None else -1))
            .order_by(LedgerEntry.id.desc()))


def commons_monthly(acct) -> list[dict]:
    """The commons fund's movements summed per month, oldest first (reads two columns of each entry)."""
    if acct is None:
        return []
    return monthly(db.session.execute(
        sa.select(LedgerEntry.amount, LedgerTransaction.created_at)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account_id == acct.id)).all())


def received_by_proposal(user_id: int, proposal_ids) -> dict[int, int]:
    """Gross won a person received as a backer, per proposal (one query; `received_from` for many proposals)."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    return {pid: int(total) for pid, total in db.session.execute(
        sa.select(DistributionLine.proposal_id, sa.func.sum(DistributionLine.gross_amount))
        .where(DistributionLine.user_id == user_id, DistributionLine.proposal_id.in_(ids),
               DistributionLine.role == "backer").group_by(DistributionLine.proposal_id))}


def healths(proposal_ids, today: date | None = None) -> dict[int, dict]:
    """`health` for many proposals, from one query over their reports (the same rules, read once)."""
    today = today or utcnow().date()
    ids = sorted(set(proposal_ids))
    standing: dict[int, list] = {pid: [] for pid in ids}
    if ids:
        for row in db.session.execute(
                sa.select(RevenueReport.proposal_id, RevenueReport.period_start, RevenueReport.period_end,
                          RevenueReport.late, RevenueReport.id)
                .where(RevenueReport.proposal_id.in_(ids), RevenueReport.status != ReportStatus.REJECTED.value)
                .order_by(RevenueReport.period_start.desc(), RevenueReport.id.desc())):
            standing[row.proposal_id].append(row)
    interval, grace = report_interval_months(), report_grace_days()
    out = {}
    for pid, reports in standing.items():
        missed, due_on = 0, None
        if reports:
            last_end = max(r.period_end for r in reports)
            due_on = add_months(last_end, interval) + timedelta(days=grace)
            while due_on < today:
                missed += 1
                due_on = add_months(due_on, interval)
        late = sum(1 for r in reports if r.late)
        state = "none" if not reports else ("missed" if missed else ("late" if reports[0].late else "on_time"))
        out[pid] = {"on_time": len(reports) - late, "late": late, "missed": missed, "next_due_on": due_on,
                    "state": state, "reports": len(reports)}
    return out


# reads the API adds (lists it pages through)
def reports_query(proposal_id: int) -> sa.Select:
    """A proposal's revenue reports, newest period first, as a SELECT to page through (`reports_of`'s order)."""
    return (sa.select(RevenueReport).where(RevenueReport.proposal_id == proposal_id)
            .order_by(RevenueReport.period_start.desc(), RevenueReport.id.desc()))


def payouts_query(status: str) -> sa.Select:
    """Payouts in one state: those waiting for a steward oldest first (the queue), the decided newest first."""
    stmt = sa.select(Payout).where(Payout.status == status)
    if status == "requested":
        return stmt.order_by(Payout.created_at, Payout.id)
    return stmt.order_by(Payout.id.desc())


def wallet_entries_query(user_id: int) -> sa.Select:
    """Every entry of the person's wallet with its transaction, newest first (what `wallet` shows the latest of)."""
    acct = find_account("wallet", "user", user_id)
    return (sa.select(LedgerEntry.amount, LedgerTransaction.kind, LedgerTransaction.reference,
                      LedgerTransaction.created_at, LedgerTransaction.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.account_id == (acct.id if acct is not None else -1))
            .order_by(LedgerEntry.id.desc()))
