"""Rules the commons may change: each feature declares its parameters here, with defaults in one place.

A parameter's default is the one given to `declare()` (the environment may override it, for
deployments); the stewards' setting, if any, overrides both. `governance` owns changing them;
every change is a public audit entry.
"""
import os
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, has_app_context

from app.core.timeutil import utcnow
from app.extensions import db


class Parameter(db.Model):
    """A rule's current value, set by the stewards; absent means the declared default."""

    __tablename__ = "parameters"

    key: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Spec:
    """What a parameter means, its default and which values it may take."""

    key: str
    default: int
    label: object
    help: object
    minimum: int
    maximum: int
    #: the feature that declared it (for grouping on the rules page)
    group: str = ""

    def accepts(self, value) -> bool:
        """Whether `value` is a whole number in range (booleans are not numbers)."""
        return isinstance(value, int) and not isinstance(value, bool) and self.minimum <= value <= self.maximum


SPECS: dict[str, Spec] = {}


def declare(key: str, default: int, label, help, minimum: int, maximum: int, group: str = "") -> Spec:
    """Declare a parameter once (at import of the feature that owns it); the environment may set the default."""
    env = os.environ.get(key)
    spec = Spec(key, int(env) if env else default, label, help, minimum, maximum, group)
    SPECS[key] = spec
    return spec


def get_parameter(key: str) -> int:
    """The value in force: the stewards' setting, else the declared default (cached per app context)."""
    spec = SPECS[key]
    cache = g.setdefault("_parameters", {}) if has_app_context() else {}
    if key not in cache:
        row = db.session.get(Parameter, key)
        cache[key] = row.value if row is not None else spec.default
    return cache[key]


def store_parameter(key: str, value: int) -> None:
    """Write a new value (the caller checked the rules and records the change)."""
    row = db.session.get(Parameter, key)
    if row is None:
        db.session.add(Parameter(key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    db.session.flush()
    forget_cached()


def forget_cached() -> None:
    """Drop this context's cached values (after a change)."""
    if has_app_context():
        g.pop("_parameters", None)
