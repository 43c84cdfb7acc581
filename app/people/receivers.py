"""When an account is deleted, what other features keep about the person that is not a public contribution goes."""
import sqlalchemy as sa

from app.auth.signals import account_erased
from app.extensions import db
from app.ideas.models import Follow


@account_erased.connect
def _forget_follows(user, **_kw):
    """Follows are private choices, not public contributions: they go with the account (supports stay)."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
