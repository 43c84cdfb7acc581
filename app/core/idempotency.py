"""Idempotent writes: a client's retry with the same Idempotency-Key replays the first response."""
import hashlib
from datetime import datetime
from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, g, make_response, request
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
    """Another request with the key committed something other than its response (should not happen)."""
    return Conflict(_l("A request with this Idempotency-Key is still in progress."), code="idempotency_in_progress")


def commit() -> None:
    """Commit the request's work, or, under an Idempotency-Key, only flush it: the key's record and the
    effect are then committed together with the stored response, so a retry always finds one or neither."""
    if g.get("_idempotency_deferred"):
        db.session.flush()
    else:
        db.session.commit()
        _run_after_commit()


def after_commit(action) -> None:
    """Run `action()` once the request's work is committed (mail, for example), never before."""
    g.setdefault("_after_commit", []).append(action)
    if not g.get("_idempotency_deferred") and not db.session().in_transaction():
        _run_after_commit()


def _run_after_commit() -> None:
    for action in g.pop("_after_commit", []):
        action()


def idempotent(view):
    """Honour an Idempotency-Key header: same key and body replay the first response; another body is a 409.

    The view's work, the key and the response are committed in one transaction (views call
    `commit()`, which defers under a key). A worker killed halfway leaves nothing behind, so the
    client's retry simply runs again; of two concurrent requests with one key, the second to commit
    is rolled back and answered with the first one's response.
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
        replay = _replay(scope, key, fingerprint)
        if replay is not None:
            return replay
        g._idempotency_deferred = True
        try:
            response = make_response(view(*args, **kwargs))
            db.session.add(IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint,
                                             status_code=response.status_code,
                                             response_body=response.get_data(as_text=True)))
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            g.pop("_after_commit", None)
            replay = _replay(scope, key, fingerprint)
            if replay is None:
                raise _in_progress() from None
            return replay
        except Exception:
            db.session.rollback()
            g.pop("_after_commit", None)
            raise
        finally:
            g._idempotency_deferred = False
        _run_after_commit()
        return response

    return wrapper


def _replay(scope: str, key: str, fingerprint: str) -> Response | None:
    """The stored response for this key, a 409 if the key came with another request, or None if unused."""
    record = db.session.scalar(
        sa.select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise Conflict(_l("This Idempotency-Key was used with a different request."), code="idempotency_key_reused")
    return Response(record.response_body, status=record.status_code, mimetype="application/json")
