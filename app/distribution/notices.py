"""How distribution appears elsewhere: notification kinds and the audit log's subjects (revenue reports, payouts)."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.audit import register_subject
from app.core.notices import register_notice
from app.extensions import db


def _report_link(report_id: int, data: dict) -> str:
    if data.get("proposal_id"):
        return url_for("distribution.proposal_revenue", proposal_id=data["proposal_id"], _anchor=f"report-{report_id}")
    return url_for("distribution.report", report_id=report_id)


def _statements_link(_report_id: int, _data: dict) -> str:
    return url_for("distribution.statements")


def _wallet_link(_payout_id: int, _data: dict) -> str:
    return url_for("distribution.wallet", _anchor="payouts")


# followers and backers of a proposal
register_notice("revenue_reported", "revenue_report",
                _l("“%(title)s” reported revenue of %(amount)s won for %(period)s."), _report_link)
# everyone with a line in a distribution
register_notice("revenue_received", "revenue_report", _l("You received %(amount)s won from “%(title)s”."),
                _statements_link)
# the lead expert
register_notice("revenue_report_rejected", "revenue_report",
                _l("A steward rejected the revenue report of “%(title)s”: %(reason)s"), _report_link)
# the person paid
register_notice("payout_paid", "payout", _l("Your payout of %(amount)s won is paid (transfer %(reference)s)."),
                _wallet_link)
register_notice("payout_rejected", "payout",
                _l("Your payout of %(amount)s won was rejected: %(reason)s. The money is back in your wallet."),
                _wallet_link)


def _register_subjects() -> None:
    from app.distribution.models import RevenueReport
    from app.proposals.models import Proposal

    register_subject("revenue_report", label=_l("Revenue report"), titles=lambda ids: {
        ident: f"{title} ({start.isoformat()} – {end.isoformat()})"
        for ident, title, start, end in db.session.execute(
            sa.select(RevenueReport.id, Proposal.title, RevenueReport.period_start, RevenueReport.period_end)
            .join(Proposal, Proposal.id == RevenueReport.proposal_id).where(RevenueReport.id.in_(ids)))},
        link=lambda ident: url_for("distribution.report", report_id=ident))
    # who asked for a payout stays out of the public log; the decision and its amount are public
    register_subject("payout", label=_l("Payout"), titles=lambda ids: {ident: f"#{ident}" for ident in ids})


_register_subjects()
