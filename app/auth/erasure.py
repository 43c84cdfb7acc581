"""Deleting an account: personal data erased, public contributions kept under an anonymous name.

The row stays, so ideas, comments, supports and audit entries keep pointing at it; what identified the person
goes: the email (a unique placeholder), the name ("탈퇴한 시민 12"), the password (unusable), the pending
address, API tokens, roles beyond citizen, and whatever other features keep (they connect to `account_erased`).
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User, UserRole
from app.auth.operations import end_sessions, revoke_tokens
from app.auth.signals import account_erased
from app.core import audit
from app.core.errors import InvalidInput
from app.core.security import Role
from app.core.timeutil import utcnow
from app.extensions import db

#: a password hash no password matches (werkzeug reads it as malformed and answers False)
UNUSABLE_PASSWORD = "!"


def anonymous_name(user: User) -> str:
    """The name a deleted account's contributions are shown under: unique, and the same in every language."""
    return f"탈퇴한 시민 {user.id}"


def erase_account(user: User, password: str) -> None:
    """Delete the account, knowing its password: personal data erased, contributions kept, every session ended."""
    if not user.check_password(password or ""):
        msg = _l("The password is not correct.")
        error = InvalidInput(msg, code="wrong_password", fields={"password": [str(msg)]})
        error.status = 422
        raise error
    audit.record(user, "user.erased", ("user", user.id))  # while the user still counts as acting
    account_erased.send(user)
    user.email = f"erased-{user.id}@erased.invalid"
    user.pending_email = None
    user.display_name = anonymous_name(user)
    user.password_hash = UNUSABLE_PASSWORD
    user.notification_mode = "off"
    user.investor_category = "general"
    user.erased_at = utcnow()
    db.session.execute(sa.delete(UserRole).where(UserRole.user_id == user.id, UserRole.role != Role.CITIZEN.value))
    db.session.expire(user, ["role_rows"])
    revoke_tokens(user)
    end_sessions(user)
    db.session.flush()
