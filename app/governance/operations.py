"""The commons' rules: stewards change parameters, and every change is a public audit entry."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.audit import AuditEvent
from app.core.errors import InvalidInput, PermissionDenied
from app.core.parameters import SPECS, get_parameter, store_parameter
from app.extensions import db

CHANGED = "parameter.changed"


def set_parameter(key: str, value: int, user, reason: str) -> AuditEvent | None:
    """A steward changes a parameter; the change is recorded with its reason. None if nothing changed."""
    if not (user and user.is_authenticated and user.has_role("steward")):
        raise PermissionDenied()
    spec = SPECS.get(key)
    if spec is None:
        raise InvalidInput(code="unknown_parameter")
    if not spec.accepts(value):
        msg = str(_l("Choose a number from %(min)d to %(max)d.", min=spec.minimum, max=spec.maximum))
        raise InvalidInput(msg, code="out_of_range", fields={key: [msg]})
    if not (reason or "").strip():
        msg = str(_l("Say why the rule changes."))
        raise InvalidInput(msg, code="validation_failed", fields={"reason": [msg]})
    old = get_parameter(key)
    if old == value:
        return None
    store_parameter(key, value)
    return audit.record(user, CHANGED, ("parameter", None), reason=reason.strip()[:500],
                        data={"key": key, "old": old, "new": value})


def parameter_history(limit: int = 50) -> list[AuditEvent]:
    """The latest changes, newest first."""
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == CHANGED)
                              .order_by(AuditEvent.id.desc()).limit(limit)).all()
