"""Distribution's rules, which the stewards may change on the rules page."""
from flask_babel import lazy_gettext as _l

from app.core.parameters import declare, get_parameter

declare("REPORT_INTERVAL_MONTHS", 3, _l("Months between revenue reports"),
        _l("After its first report, a proposal reports revenue for each period of this many months."), 1, 12,
        group="distribution")
declare("REPORT_GRACE_DAYS", 30, _l("Days to file a revenue report"),
        _l("A report is due this many days after its period ends; later, it shows as late."), 0, 120,
        group="distribution")
declare("WITHHOLDING_BP", 0, _l("Tax withheld from backers' income"),
        _l("In basis points of what a person receives as a backer, booked as tax payable and shown on statements."),
        0, 5_000, group="distribution")
declare("PAYOUT_MIN_AMOUNT", 10_000, _l("Smallest payout (won)"),
        _l("Wallet money is paid out in amounts of at least this many won."), 1, 10_000_000, group="distribution")


def report_interval_months() -> int:
    """Months per reporting period."""
    return get_parameter("REPORT_INTERVAL_MONTHS")


def report_grace_days() -> int:
    """Days after a period's end to file its report."""
    return get_parameter("REPORT_GRACE_DAYS")


def withholding_bp() -> int:
    """The share of a person's backer income withheld for tax, in basis points."""
    return get_parameter("WITHHOLDING_BP")


def payout_min_amount() -> int:
    """The smallest payout, in won."""
    return get_parameter("PAYOUT_MIN_AMOUNT")
