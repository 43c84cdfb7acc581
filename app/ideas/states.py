"""The idea state machine: one table of allowed transitions with a guard each."""
import enum

from flask_babel import lazy_gettext as _l

from app.core.errors import PermissionDenied
from app.core.parties import refuse_party, register_parties
from app.core.states import InvalidTransition, Machine, anyone
from app.ideas import signals


class IdeaStatus(str, enum.Enum):
    """Where an idea stands in the pipeline."""

    DRAFT = "draft"
    OPEN = "open"
    SHORTLISTED = "shortlisted"
    ADOPTED = "adopted"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    HIDDEN = "hidden"


S = IdeaStatus

LABELS = {
    S.DRAFT: _l("Draft"),
    S.OPEN: _l("Open"),
    S.SHORTLISTED: _l("Shortlisted"),
    S.ADOPTED: _l("Adopted"),
    S.ARCHIVED: _l("Archived"),
    S.WITHDRAWN: _l("Withdrawn"),
    S.MERGED: _l("Merged"),
    S.HIDDEN: _l("Hidden"),
}


def _author(idea, user) -> None:
    if not idea.can_withdraw(user):
        raise PermissionDenied(_l("Only the author can withdraw a draft or open idea."))


def _steward(idea, user) -> None:
    if not (user and user.is_authenticated and user.has_role("steward")):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    refuse_party(idea, user)


def _expert(idea, user) -> None:
    if not (user and user.is_authenticated and user.has_role("expert")):
        raise PermissionDenied(_l("Only verified experts adopt ideas."), code="not_expert")
    refuse_party(idea, user)


#: states the board shows when no status is chosen (archived ideas only behind the filter, as in CONSUL);
#: the `active` column follows them (IDEA.derived)
ACTIVE = (S.OPEN.value, S.SHORTLISTED.value, S.ADOPTED.value)

#: the parties to an idea: its author
register_parties("idea", lambda idea, user: idea.author_id == user.id)


IDEA = Machine("idea", IdeaStatus, {
    (S.DRAFT, S.OPEN): _author,
    (S.DRAFT, S.WITHDRAWN): _author,
    (S.OPEN, S.SHORTLISTED): anyone,      # the threshold rule
    (S.OPEN, S.ARCHIVED): anyone,         # the deadline rule
    (S.OPEN, S.WITHDRAWN): _author,
    (S.OPEN, S.MERGED): _steward,
    (S.OPEN, S.HIDDEN): _steward,
    (S.SHORTLISTED, S.ADOPTED): _expert,
    (S.SHORTLISTED, S.MERGED): _steward,
    (S.SHORTLISTED, S.HIDDEN): _steward,
    (S.ADOPTED, S.HIDDEN): _steward,
    (S.ARCHIVED, S.HIDDEN): _steward,
    (S.HIDDEN, S.OPEN): _steward,
    (S.HIDDEN, S.SHORTLISTED): _steward,
    (S.HIDDEN, S.ADOPTED): _steward,
    (S.HIDDEN, S.ARCHIVED): _steward,
}, LABELS, events={
    S.SHORTLISTED: signals.idea_shortlisted, S.ARCHIVED: signals.idea_archived,
    S.WITHDRAWN: signals.idea_withdrawn, S.MERGED: signals.idea_merged, S.ADOPTED: signals.idea_adopted,
    S.OPEN: signals.idea_published,
}, initial=(S.DRAFT, S.OPEN), derived=lambda to: {"active": to.value in ACTIVE})

#: states in which the discussion is open
COMMENTABLE = frozenset({S.OPEN, S.SHORTLISTED, S.ADOPTED})
#: states listed on the public board (each is a filter)
PUBLIC = (S.OPEN.value, S.SHORTLISTED.value, S.ADOPTED.value, S.ARCHIVED.value)

__all__ = ["IDEA", "IdeaStatus", "LABELS", "COMMENTABLE", "PUBLIC", "ACTIVE", "InvalidTransition"]
