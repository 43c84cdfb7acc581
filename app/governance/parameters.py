"""Read and change the stewards' parameters; defaults come from config.py."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.extensions import db
from app.governance.models import Parameter, ParameterChange


@dataclass(frozen=True)
class Spec:
    """What a parameter means and which values it may take."""

    label: object
    help: object
    minimum: int
    maximum: int


SPECS = {
    "SHORTLIST_SUPPORTS": Spec(_l("Supports to be shortlisted"),
                               _l("An open idea with this many supports becomes shortlisted."), 1, 1_000_000),
    "SUPPORT_WINDOW_DAYS": Spec(_l("Days to collect supports"),
                                _l("An idea posted from now on must reach the threshold within this many days."), 1, 365),
    "ANSWER_DUE_DAYS": Spec(_l("Days to answer"),
                            _l("Stewards answer a shortlisted idea within this many days."), 1, 365),
}


def get_parameter(key: str) -> int:
    """The current value: the stewards' setting if any, else config.py's default (cached per request)."""
    cache = g.setdefault("_parameters", {})
    if key not in cache:
        row = db.session.get(Parameter, key)
        cache[key] = row.value if row is not None else int(current_app.config[key])
    return cache[key]


def set_parameter(key: str, value: int, user, reason: str) -> ParameterChange | None:
    """A steward changes a parameter; the change is recorded with its reason. None if nothing changed."""
    if not (user and user.is_authenticated and user.has_role("steward")):
        raise PermissionDenied()
    spec = SPECS.get(key)
    if spec is None:
        raise InvalidInput(code="unknown_parameter")
    if not isinstance(value, int) or not spec.minimum <= value <= spec.maximum:
        msg = str(_l("Choose a number from %(min)d to %(max)d.", min=spec.minimum, max=spec.maximum))
        raise InvalidInput(msg, code="out_of_range", fields={key: [msg]})
    old = get_parameter(key)
    if old == value:
        return None
    row = db.session.get(Parameter, key)
    if row is None:
        db.session.add(Parameter(key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    change = ParameterChange(key=key, old_value=old, new_value=value, reason=reason.strip(), changed_by_id=user.id)
    db.session.add(change)
    db.session.flush()
    g.pop("_parameters", None)
    return change


def parameter_history(limit: int = 50) -> list[ParameterChange]:
    """The latest changes, newest first."""
    return db.session.scalars(sa.select(ParameterChange).order_by(ParameterChange.changed_at.desc(),
                                                                  ParameterChange.id.desc()).limit(limit)).all()
