"""Funding's rules, which the stewards may change on the rules page (defaults from Korea's online
small-investment rules: 자본시장법 시행령 on 온라인소액투자중개, as DESIGN.md gives them)."""
from flask_babel import lazy_gettext as _l

from app.core.parameters import declare, get_parameter

BIG = 10**13  # ten trillion won

declare("LIMIT_GENERAL_PER_ISSUER", 5_000_000, _l("General investor: won per proposal"),
        _l("The most a general investor may pledge to one proposal, over all its rounds."), 0, BIG, group="funding")
declare("LIMIT_GENERAL_PER_YEAR", 10_000_000, _l("General investor: won per 12 months"),
        _l("The most a general investor may pledge in any 12 months, over all proposals."), 0, BIG, group="funding")
declare("LIMIT_QUALIFIED_PER_ISSUER", 10_000_000, _l("Qualified investor: won per proposal"),
        _l("The most a verified qualified investor may pledge to one proposal."), 0, BIG, group="funding")
declare("LIMIT_QUALIFIED_PER_YEAR", 20_000_000, _l("Qualified investor: won per 12 months"),
        _l("The most a verified qualified investor may pledge in any 12 months."), 0, BIG, group="funding")
declare("ROUND_SUCCESS_BP", 10_000, _l("Share of the target a round must raise"),
        _l("In basis points of the target (10000: all or nothing)."), 1, 10_000, group="funding")
declare("PLATFORM_FEE_BP", 500, _l("Platform fee on a funded round"),
        _l("In basis points of the money raised, taken when a round succeeds."), 0, 2_000, group="funding")
declare("CANCEL_CUTOFF_HOURS", 48, _l("Hours before closing when cancelling stops"),
        _l("Backers may cancel a pledge until this many hours before the round closes."), 0, 24 * 14, group="funding")
declare("ROUND_MIN_DAYS", 7, _l("Shortest round, in days"), _l("A round runs at least this many days."), 1, 60,
        group="funding")
declare("ROUND_MAX_DAYS", 60, _l("Longest round, in days"), _l("A round runs at most this many days."), 7, 365,
        group="funding")

#: (per proposal, per 12 months) parameters for each category; professional investors have no limit
LIMIT_KEYS = {"general": ("LIMIT_GENERAL_PER_ISSUER", "LIMIT_GENERAL_PER_YEAR"),
              "qualified": ("LIMIT_QUALIFIED_PER_ISSUER", "LIMIT_QUALIFIED_PER_YEAR")}


def limits_for(category: str) -> tuple[int, int] | None:
    """(won per proposal, won per 12 months) for a category, or None for no limit."""
    keys = LIMIT_KEYS.get(category)
    return None if keys is None else (get_parameter(keys[0]), get_parameter(keys[1]))


def success_bp() -> int:
    """The share of the target a round must raise, in basis points."""
    return get_parameter("ROUND_SUCCESS_BP")


def fee_bp() -> int:
    """The platform fee on a funded round, in basis points of the money raised."""
    return get_parameter("PLATFORM_FEE_BP")


def cancel_cutoff_hours() -> int:
    """Hours before closing when cancelling stops."""
    return get_parameter("CANCEL_CUTOFF_HOURS")


def round_days() -> tuple[int, int]:
    """The shortest and longest round, in days."""
    return get_parameter("ROUND_MIN_DAYS"), get_parameter("ROUND_MAX_DAYS")
