"""Separation of duties: nobody decides on a matter they are a party to.

Each feature registers who the parties to its subjects are (the applicant, the member, the
author, the lead expert and team of a proposal, ...); every decision guard calls
`refuse_party(subject, user)`. One rule, one place (Ostrom: monitors accountable to the
commons; DESIGN.md "Separation of duties").
"""
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from app.core.audit import subject_type
from app.core.errors import PermissionDenied

_PARTIES: dict[str, Callable[[object, object], bool]] = {}


class PartyToMatter(PermissionDenied):
    """The user is a party to what they try to decide."""

    code = "party_to_matter"
    default_message = _l("You are a party to this matter, so someone else must decide it.")


def register_parties(kind: str, is_party: Callable[[object, object], bool]) -> None:
    """Declare who the parties to a subject type are: `is_party(subject, user)`."""
    _PARTIES[kind] = is_party


def is_party(subject, user) -> bool:
    """Whether `user` is a party to `subject` (unknown subject types have no parties)."""
    check = _PARTIES.get(subject_type(subject))
    return bool(user and getattr(user, "is_authenticated", False) and check and check(subject, user))


def refuse_party(subject, user) -> None:
    """Raise PartyToMatter if `user` is a party to `subject`."""
    if is_party(subject, user):
        raise PartyToMatter()
