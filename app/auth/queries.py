"""Reads shared by the account pages and the API."""
import sqlalchemy as sa

from app.auth.models import ApiToken, User
from app.core.timeutil import utcnow
from app.extensions import db


def tokens_of(user: User) -> list[ApiToken]:
    """The user's unexpired API tokens, newest first."""
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at > utcnow())
                              .order_by(ApiToken.id.desc())).all()
