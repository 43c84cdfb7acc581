"""Following an idea without supporting it: its news arrive, once, and stop when unfollowed."""
import sqlalchemy as sa

from app.ideas.lifecycle import answer_idea
from app.ideas.operations import follow_idea, support_idea, unfollow_idea
from app.ideas.states import IDEA, IdeaStatus
from app.notifications.models import Notification


def kinds(db, user) -> list[str]:
    return db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_a_follower_hears_news_without_supporting(db, create_user, create_idea):
    idea, follower = create_idea(), create_user()
    assert follow_idea(idea, follower) is True
    assert follow_idea(idea, follower) is False  # once
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    db.session.commit()
    assert kinds(db, follower) == ["idea_shortlisted"] and idea.support_count == 0


def test_a_supporter_who_also_follows_is_told_once(db, create_user, create_idea):
    idea, fan = create_idea(), create_user()
    support_idea(idea, fan)
    follow_idea(idea, fan)
    answer_idea(idea, create_user(roles=["steward"]), "검토하겠습니다")
    db.session.commit()
    assert kinds(db, fan) == ["idea_answered"]


def test_unfollowing_stops_the_news(db, create_user, create_idea):
    idea, follower = create_idea(), create_user()
    follow_idea(idea, follower)
    assert unfollow_idea(idea, follower) is True
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    db.session.commit()
    assert kinds(db, follower) == []


def test_an_erased_account_loses_its_notifications(db, create_user, create_idea):
    from app.auth.erasure import erase_account
    from tests.fixtures.core import PASSWORD

    idea, follower = create_idea(), create_user()
    follow_idea(idea, follower)
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    db.session.commit()
    assert kinds(db, follower) == ["idea_shortlisted"]
    erase_account(follower, PASSWORD)
    db.session.commit()
    assert kinds(db, follower) == []
