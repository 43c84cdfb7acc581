"""Notifications: the bell, reading, settings, replies, and mail at once or as a digest grouped by idea."""
import email
import email.policy
from pathlib import Path

import sqlalchemy as sa

from app.auth.models import User
from app.ideas.operations import add_comment, support_idea, withdraw_idea
from app.notifications.models import Notification
from app.notifications.operations import send_pending


def mails(app) -> list[tuple[str, str]]:
    out = []
    for path in sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        out.append((msg["To"], msg.get_content()))
    return out


def test_reply_notifies_the_parent_author_not_oneself(db, create_user, create_idea):
    idea = create_idea()
    first, second = create_user(), create_user()
    parent = add_comment(idea, first, "첫 댓글")
    add_comment(idea, first, "스스로 단 답글", parent.id)
    add_comment(idea, second, "다른 사람의 답글", parent.id)
    db.session.commit()
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == first.id)).all()
    assert kinds == ["comment_reply"]


def test_bell_list_and_mark_as_read(client, db, create_user, create_idea, login_as):
    backer = create_user()
    idea = create_idea(title="알림 시험 아이디어")
    support_idea(idea, backer)
    db.session.commit()
    withdraw_idea(idea, idea.author)
    db.session.commit()
    login_as(backer)
    page = client.get("/ideas").get_data(as_text=True)
    assert 'class="bell-count">1<' in page
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "알림 시험 아이디어" in listing and "철회" in listing
    client.post_form("/notifications/read")
    assert 'class="bell-count"' not in client.get("/ideas").get_data(as_text=True)


def test_api_notifications_and_settings(client, db, create_user, create_idea, api_headers):
    backer = create_user()
    idea = create_idea()
    support_idea(idea, backer)
    db.session.commit()
    withdraw_idea(idea, idea.author)
    db.session.commit()
    headers = api_headers(backer)
    body = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert body["unread"] == 1 and body["items"][0]["kind"] == "idea_withdrawn"
    marked = client.post("/api/v1/me/notifications/read", json={"id": body["items"][0]["id"]}, headers=headers)
    assert marked.get_json() == {"marked": 1, "unread": 0}
    assert client.put("/api/v1/me/notification-settings", json={"mode": "weekly"}, headers=headers).status_code == 400
    assert client.put("/api/v1/me/notification-settings", json={"mode": "daily"}, headers=headers).get_json() == {"mode": "daily"}


def test_settings_page(client, db, create_user, login_as):
    user = create_user()
    login_as(user)
    client.post_form("/notifications/settings", {"mode": "off"})
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_mode == "off"


def test_daily_digest_groups_by_idea_and_goes_once(app, db, create_user, create_idea):
    reader, other, quiet = create_user(), create_user(), create_user()
    reader.notification_mode = "daily"
    quiet.notification_mode = "off"
    first, second = create_idea(title="첫째 아이디어"), create_idea(title="둘째 아이디어")
    for user in (reader, other, quiet):
        support_idea(first, user)
    support_idea(second, reader)
    mine = add_comment(second, reader, "제 의견입니다")
    add_comment(second, other, "답글입니다", mine.id)
    db.session.commit()
    withdraw_idea(first, first.author)
    db.session.commit()

    with app.test_request_context():
        assert send_pending("daily") == 1
        assert send_pending("daily") == 0  # nothing twice
    sent = mails(app)
    assert [to for to, _ in sent] == [reader.email]
    body = sent[0][1]
    assert "■ 첫째 아이디어" in body and "■ 둘째 아이디어" in body
    assert body.count("■") == 2  # one group per idea
    # Users whose mail is off got nothing, but their notifications are handled.
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == quiet.id, Notification.emailed_at.is_(None))) == 0


def test_immediate_mail_and_cli(app, db, create_user, create_idea):
    backer = create_user()
    idea = create_idea()
    support_idea(idea, backer)
    db.session.commit()
    withdraw_idea(idea, idea.author)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send-immediate"])
    assert result.exit_code == 0 and "Sent 1 mails." in result.output
    assert [to for to, _ in mails(app)] == [backer.email]
    assert "Sent 0 mails." in app.test_cli_runner().invoke(args=["notifications", "send-digests"]).output
