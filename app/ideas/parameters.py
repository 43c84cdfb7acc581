"""The idea lifecycle's rules, which the stewards may change on the rules page."""
from flask_babel import lazy_gettext as _l

from app.core.parameters import declare, get_parameter

declare("SHORTLIST_SUPPORTS", 50, _l("Supports to be shortlisted"),
        _l("An open idea with this many supports becomes shortlisted."), 1, 1_000_000, group="ideas")
declare("SUPPORT_WINDOW_DAYS", 30, _l("Days to collect supports"),
        _l("An idea posted from now on must reach the threshold within this many days."), 1, 365, group="ideas")
declare("ANSWER_DUE_DAYS", 30, _l("Days to answer"),
        _l("Stewards answer a shortlisted idea within this many days."), 1, 365, group="ideas")


def shortlist_supports() -> int:
    """Supports an open idea needs to be shortlisted."""
    return get_parameter("SHORTLIST_SUPPORTS")


def support_window_days() -> int:
    """Days an idea has to reach the threshold."""
    return get_parameter("SUPPORT_WINDOW_DAYS")


def answer_due_days() -> int:
    """Days the stewards have to answer a shortlisted idea."""
    return get_parameter("ANSWER_DUE_DAYS")
