"""What distribution's pages say about its numbers: the rule in words, roles, wallet entries, chart data."""
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.formatting import format_day

ROLE_LABELS = {"proposer": _l("Proposer"), "contributor": _l("Contributor"), "backer": _l("Backer"),
               "commons": _l("Commons fund")}
HEALTH_LABELS = {"none": _l("No report yet"), "on_time": _l("Reports on time"), "late": _l("Last report late"),
                 "missed": _l("Report missed")}


def percent(bp: int | None) -> str:
    """Basis points as a percentage without trailing zeros: 1000 -> "10%", 1250 -> "12.5%"."""
    bp = bp or 0
    whole, part = divmod(bp, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def multiple(bp: int) -> str:
    """A multiple in basis points: 20000 -> "2", 15000 -> "1.5"."""
    whole, part = divmod(bp, 10_000)
    return f"{whole}" if not part else f"{whole}.{part:04d}".rstrip("0")


def rule_in_words(terms) -> str:
    """The split rule of a report's copied terms (or a proposal's frozen terms), as printed on every statement."""
    values = {"share": percent(terms.community_share_bp), "proposer": percent(terms.proposer_bp),
              "contributors": percent(terms.contributors_bp), "backers": percent(terms.backers_bp),
              "commons": percent(terms.commons_bp)}
    if terms.backers_cap_multiple_bp:
        return _("Community share: %(share)s of revenue, rounded down to the won; of that pool, proposer %(proposer)s, "
                 "contributors %(contributors)s (by confirmed influence points), backers %(backers)s (by units, until "
                 "each has received %(cap)s× what they invested), commons fund %(commons)s. Each part is split by "
                 "largest remainder, ties to the lowest id; what nobody can receive goes to the commons fund.",
                 cap=multiple(terms.backers_cap_multiple_bp), **values)
    return _("Community share: %(share)s of revenue, rounded down to the won; of that pool, proposer %(proposer)s, "
             "contributors %(contributors)s (by confirmed influence points), backers %(backers)s (by units), commons "
             "fund %(commons)s. Each part is split by largest remainder, ties to the lowest id; what nobody can "
             "receive goes to the commons fund.", **values)


def period(report) -> str:
    """A report's period, in the page's language."""
    return f"{format_day(report.period_start)} – {format_day(report.period_end)}"


def weight_text(line) -> str:
    """A line's weight of its role's total: points for contributors, units for backers."""
    if line.role == "contributor":
        return _("%(weight)s of %(total)s points", weight=f"{line.weight:,}", total=f"{line.weight_total:,}")
    if line.role == "backer":
        return _("%(weight)s of %(total)s units", weight=f"{line.weight:,}", total=f"{line.weight_total:,}")
    return _("whole part")


def connect_available() -> bool:
    """Whether payouts may go to a connected Stripe account: Connect's address is configured, or a real Stripe key
    is (one that talks to Stripe itself, not to a local stand-in)."""
    config = current_app.config
    if config.get("STRIPE_CONNECT_BASE"):
        return True
    key = config.get("STRIPE_SECRET_KEY") or ""
    return key.startswith(("sk_live_", "sk_test_")) and not config.get("STRIPE_API_BASE")


def describe_entry(entry, reports: dict, payouts: dict) -> dict:
    """A wallet entry in words: which revenue share (proposal and period) or which payout it was."""
    kind = entry.kind
    ident = int(entry.reference.partition(":")[2]) if entry.reference.partition(":")[2].isdigit() else None
    if kind.startswith("revenue.") and ident in reports:
        report = reports[ident]
        return {"text": _("Revenue share as %(role)s: %(title)s, %(period)s",
                          role=str(ROLE_LABELS.get(kind.split(".", 1)[1], kind)), title=report.proposal.title,
                          period=period(report)), "report": report}
    payout = payouts.get(ident) if kind.startswith("payout.") else None
    if payout is not None and kind == "payout.requested":
        return {"text": _("Held for payout #%(id)s (%(status)s)", id=payout.id, status=payout.status_label),
                "payout": payout}
    if payout is not None and kind == "payout.returned":
        return {"text": _("Payout #%(id)s returned to the wallet (%(status)s)", id=payout.id,
                          status=payout.status_label), "payout": payout}
    return {"text": kind}


def earnings_chart(earnings: list[dict]) -> dict:
    """A stacked bar chart: per period's end, what each proposal paid the person (won, net)."""
    ends = sorted({p["period_end"] for e in earnings for p in e["points"]})
    datasets = []
    for entry in earnings:
        per_end: dict[str, int] = {}
        for point in entry["points"]:
            per_end[point["period_end"]] = per_end.get(point["period_end"], 0) + point["amount"]
        datasets.append({"label": entry["title"], "data": [per_end.get(end, 0) for end in ends]})
    return {"type": "bar", "stacked": True, "labels": [format_day(date.fromisoformat(end)) for end in ends],
            "datasets": datasets}


def commons_chart(months: list[dict]) -> dict:
    """Inflow and outflow of the commons fund per month."""
    return {"type": "bar", "labels": [m["month"] for m in months], "datasets": [
        {"label": _("In"), "data": [m["in_amount"] for m in months], "color": "#0b6e4f"},
        {"label": _("Out"), "data": [m["out_amount"] for m in months], "color": "#b42318"}]}
