"""Revenue reports, their distribution lines (the statements) and payouts. Amounts are integer won."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.timeutil import utcnow
from app.distribution import kinds as _kinds  # noqa: F401 - the accounts distribution books to
from app.distribution.states import PAYOUT, REPORT, PayoutStatus, ReportStatus
from app.extensions import db
from app.proposals.models import Organization, Proposal


def _in(enum_) -> str:
    return ", ".join(f"'{s.value}'" for s in enum_)


#: banks a payout may go to: (code, Korean name, English name); the codes are the Korea Financial
#: Telecommunications & Clearings Institute's (금융결제원 표준 은행코드)
BANKS = (("002", "KDB산업은행", "KDB"), ("003", "IBK기업은행", "IBK"), ("004", "KB국민은행", "KB Kookmin"),
         ("007", "수협은행", "Suhyup"), ("011", "NH농협은행", "NH NongHyup"), ("020", "우리은행", "Woori"),
         ("023", "SC제일은행", "SC First"), ("027", "한국씨티은행", "Citibank Korea"), ("031", "iM뱅크", "iM Bank"),
         ("032", "부산은행", "Busan"), ("034", "광주은행", "Gwangju"), ("035", "제주은행", "Jeju"),
         ("037", "전북은행", "Jeonbuk"), ("039", "경남은행", "Kyongnam"), ("045", "새마을금고", "MG Saemaul"),
         ("048", "신협", "Shinhyup"), ("071", "우체국", "Korea Post"), ("081", "하나은행", "Hana"),
         ("088", "신한은행", "Shinhan"), ("089", "케이뱅크", "K bank"), ("090", "카카오뱅크", "KakaoBank"),
         ("092", "토스뱅크", "Toss Bank"))
BANK_CODES = tuple(code for code, _ko, _en in BANKS)


class RevenueReport(db.Model):
    """Revenue a proposal earned in a period, with the terms it is split by (copied, frozen) and its pool."""

    __tablename__ = "revenue_reports"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(ReportStatus)})", name="status_known"),
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.CheckConstraint("revenue_amount >= 0", name="revenue_nonnegative"),
        sa.CheckConstraint("pool_amount >= 0 AND pool_amount <= revenue_amount", name="pool_within_revenue"),
        sa.CheckConstraint("pool_amount = revenue_amount * community_share_bp / 10000", name="pool_rounded_down"),
        sa.CheckConstraint("proposer_bp + contributors_bp + backers_bp + commons_bp = 10000", name="pool_whole"),
        sa.Index("ix_revenue_reports_proposal_period", "proposal_id", "period_start"),
        sa.Index("ix_revenue_reports_status_created", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="RESTRICT"))
    reported_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    period_start: so.Mapped[date] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date] = so.mapped_column(sa.Date)
    revenue_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    evidence_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: an uploaded file (under the instance folder), its name as sent
    evidence_path: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    evidence_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default=ReportStatus.REPORTED.value)
    #: revenue x community_share_bp / 10000, rounded down
    pool_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    # the frozen share terms, copied when the report is filed
    community_share_bp: so.Mapped[int] = so.mapped_column()
    proposer_bp: so.Mapped[int] = so.mapped_column()
    contributors_bp: so.Mapped[int] = so.mapped_column()
    backers_bp: so.Mapped[int] = so.mapped_column()
    commons_bp: so.Mapped[int] = so.mapped_column()
    backers_cap_multiple_bp: so.Mapped[int | None] = so.mapped_column()
    #: the withholding rate applied when it was distributed
    withholding_bp: so.Mapped[int | None] = so.mapped_column()
    #: when it was due (None for a proposal's first report), and whether it came after that
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    late: so.Mapped[bool] = so.mapped_column(default=False)
    #: how the pool came in: "bank" (a steward recorded the transfer) or "card"
    paid_via: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    payment_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    paid_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    paid_recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    distributed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    proposal: so.Mapped[Proposal] = so.relationship(lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return REPORT.label(self.status)

    @property
    def terms(self):
        """The copied terms, as the split reads them."""
        from app.proposals.revenue_split import Terms

        return Terms.of(self)


class DistributionLine(db.Model):
    """One part of a distributed pool: who (a person, an organization, or the commons fund), why, how much."""

    __tablename__ = "distribution_lines"
    __table_args__ = (
        sa.CheckConstraint("role IN ('proposer', 'contributor', 'backer', 'commons')", name="role_known"),
        sa.CheckConstraint("(role = 'commons') = (user_id IS NULL AND organization_id IS NULL)", name="holder_known"),
        sa.CheckConstraint("user_id IS NULL OR organization_id IS NULL", name="one_holder"),
        sa.CheckConstraint("gross_amount > 0", name="gross_positive"),
        sa.CheckConstraint("withheld_amount >= 0 AND withheld_amount <= gross_amount", name="withheld_within_gross"),
        sa.CheckConstraint("net_amount = gross_amount - withheld_amount", name="net_is_gross_less_withheld"),
        sa.UniqueConstraint("report_id", "role", "user_id", "organization_id"),
        sa.Index("ix_distribution_lines_user", "user_id", "report_id"),
        sa.Index("ix_distribution_lines_report", "report_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("revenue_reports.id", ondelete="RESTRICT"))
    #: the proposal, copied from the report, so a holder's history per proposal reads one index
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="RESTRICT"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(12))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    organization_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    #: influence points (contributors), units (backers), 1 (proposer, commons)
    weight: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: the total weight of the role in this report (points or units of everyone), for the statement
    weight_total: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    gross_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    withheld_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    net_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: backers under a cap: the most they may receive from this proposal, and what they had received before
    cap_amount: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    received_before_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    report: so.Mapped[RevenueReport] = so.relationship(lazy="joined", innerjoin=True)
    organization: so.Mapped[Organization | None] = so.relationship(lazy="select")


class Payout(db.Model):
    """A person asks for wallet money; a steward who is not a party pays it (or rejects it, with a reason).

    The account number is kept whole only while the payout waits (the steward needs it to transfer);
    once decided, only the masked form stays.
    """

    __tablename__ = "payouts"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(PayoutStatus)})", name="status_known"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("method IN ('bank', 'connect')", name="method_known"),
        sa.CheckConstraint("status = 'requested' OR account_number IS NULL", name="number_erased_when_decided"),
        sa.Index("ix_payouts_status_created", "status", "created_at"),
        sa.Index("ix_payouts_user", "user_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=PayoutStatus.REQUESTED.value)
    method: so.Mapped[str] = so.mapped_column(sa.String(10), default="bank")
    bank_code: so.Mapped[str | None] = so.mapped_column(sa.String(3))
    account_masked: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    account_number: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    holder_name: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    #: Stripe Connect: the person's connected account (acct_...)
    connected_account: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    #: the bank transfer's or the Connect transfer's reference, once paid
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return PAYOUT.label(self.status)

    @property
    def bank_name(self) -> str:
        """The bank's name in the current language."""
        from flask_babel import get_locale

        for code, ko, en in BANKS:
            if code == self.bank_code:
                return ko if str(get_locale()) == "ko" else en
        return ""
