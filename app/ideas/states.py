"""The idea state machine: one table of allowed transitions, one function that moves."""
import enum

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict


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
TRANSITIONS: dict[IdeaStatus, frozenset[IdeaStatus]] = {
    S.DRAFT: frozenset({S.OPEN, S.WITHDRAWN}),
    S.OPEN: frozenset({S.SHORTLISTED, S.ARCHIVED, S.WITHDRAWN, S.MERGED, S.HIDDEN}),
    S.SHORTLISTED: frozenset({S.ADOPTED, S.MERGED, S.HIDDEN}),
    S.ADOPTED: frozenset({S.HIDDEN}),
    S.ARCHIVED: frozenset({S.HIDDEN}),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
    S.HIDDEN: frozenset({S.OPEN, S.SHORTLISTED, S.ADOPTED, S.ARCHIVED}),
}

#: states in which the discussion is open
COMMENTABLE = frozenset({S.OPEN, S.SHORTLISTED, S.ADOPTED})
#: states listed on the public board
PUBLIC = frozenset({S.OPEN, S.SHORTLISTED, S.ADOPTED, S.ARCHIVED})

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


class InvalidTransition(Conflict):
    """The idea cannot move from its state to the one asked for."""

    code = "invalid_transition"


def allowed(current: IdeaStatus, new_status: IdeaStatus) -> bool:
    """Whether the table lets an idea move from `current` to `new_status`."""
    return IdeaStatus(new_status) in TRANSITIONS[IdeaStatus(current)]


def transition(idea, new_status: IdeaStatus) -> None:
    """Move the idea to `new_status` if the table allows it, else raise InvalidTransition."""
    current = IdeaStatus(idea.status)
    new_status = IdeaStatus(new_status)
    if new_status not in TRANSITIONS[current]:
        raise InvalidTransition(
            _l("An idea that is %(old)s cannot become %(new)s.", old=LABELS[current], new=LABELS[new_status])
        )
    idea.status = new_status.value
