"""Idempotent writes: a client's retry with the same Idempotency-Key replays the first response."""
import hashlib
from datetime import datetime
from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, make_response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.errors import Conflict, InvalidInput
from app.core.timeutil import utcnow
from app.extensions import client_address, db

#: longer keys are refused; the column holds this many characters
MAX_KEY_LENGTH = 200


class IdempotencyRecord(db.Model):
    """The first response to a write sent with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: "user:<id>" or "addr:<address>" for anonymous writes
    scope: so.Mapped[str] = so.mapped_column(sa.String(80))
    key: so.Mapped[str] = so.mapped_column(sa.String(MAX_KEY_LENGTH))
    #: SHA-256 of the method, path and body: the same key with another request is a conflict
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: None while the first request is still running
    status_code: so.Mapped[int | None] = so.mapped_column()
    response_body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)


def _in_progress() -> Conflict:
    return Conflict(_l("A request with this Idempotency-Key is still in progress."), code="idempotency_in_progress")


def idempotent(view):
    """Honour an Idempotency-Key header: same key and body replay the first response; another body is a 409.

    The key is claimed (committed) before the view runs, so a concurrent retry cannot act too; if
    the view fails, the claim is dropped and the client may retry with the same key.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(_l("The Idempotency-Key is too long."), code="invalid_idempotency_key")
        scope = f"user:{current_user.id}" if current_user.is_authenticated else f"addr:{client_address()}"
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
        ).hexdigest()
        record = db.session.scalar(
            sa.select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        )
        if record is not None:
            if record.fingerprint != fingerprint:
                raise Conflict(_l("This Idempotency-Key was used with a different request."),
                               code="idempotency_key_reused")
            if record.status_code is None:
                raise _in_progress()
            return Response(record.response_body, status=record.status_code, mimetype="application/json")
        record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
        db.session.add(record)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            raise _in_progress() from None
        record_id = record.id
        try:
            response = view(*args, **kwargs)
        except Exception:
            db.session.rollback()
            db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
            db.session.commit()
            raise
        response = make_response(response)
        db.session.execute(
            sa.update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
            .values(status_code=response.status_code, response_body=response.get_data(as_text=True))
        )
        db.session.commit()
        return response

    return wrapper
