"""Thresholds, deadlines, official answers, the stewards' rules, and merging duplicates."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.governance.operations import set_parameter
from app.ideas.lifecycle import advance_due
from app.ideas.models import Comment, Idea, Support
from app.ideas.operations import add_comment, support_idea
from app.ideas.states import IDEA
from app.notifications.models import Notification
from tests.fixtures.states import reach


def supports(db, idea_id) -> set[int]:
    return set(db.session.scalars(sa.select(Support.user_id).where(Support.idea_id == idea_id)))


def kinds_for(db, user_id) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user_id)
                                   .order_by(Notification.id)))


@pytest.fixture
def threshold(db, create_user):
    """Set the shortlist threshold the way a steward does."""
    steward = create_user(roles=["steward"])

    def set_to(n):
        set_parameter("SHORTLIST_SUPPORTS", n, steward, "test")
        db.session.commit()

    return set_to


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_idea_gets_a_deadline_from_the_support_window(db, create_idea):
    idea = create_idea()
    assert idea.support_deadline_at - idea.created_at == timedelta(days=30)


def test_reaching_the_threshold_shortlists_at_once_and_sets_the_answer_deadline(db, create_user, create_idea, threshold):
    threshold(3)
    author = create_user()
    idea = create_idea(author)
    backers = [create_user() for _ in range(3)]
    for backer in backers[:2]:
        support_idea(idea, backer)
    db.session.commit()
    assert idea.status == "open"
    support_idea(idea, backers[2])
    db.session.commit()
    assert idea.status == "shortlisted"
    assert idea.answer_due_at - idea.shortlisted_at == timedelta(days=30)
    for user in (author, *backers):
        assert kinds_for(db, user.id) == ["idea_shortlisted"]


@pytest.mark.parametrize("offset, status", [(timedelta(seconds=-1), "open"), (timedelta(0), "archived"),
                                            (timedelta(days=3), "archived")])
def test_archive_boundary_with_the_cli(app, db, create_user, create_idea, offset, status):
    idea = create_idea()
    support_idea(idea, create_user())
    db.session.commit()
    at = (idea.support_deadline_at + offset).isoformat()
    result = _cli(app, "ideas", "advance", "--now", at)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == status
    if status == "archived":
        assert kinds_for(db, idea.author_id) == ["idea_archived"]
        assert supports(db, idea.id) != set()  # supports stay visible
        assert "0 of 0" in _cli(app, "ideas", "advance", "--now", at).output  # idempotent


def test_threshold_reached_exactly_at_the_limit_shortlists(app, db, create_user, create_idea, threshold):
    threshold(2)
    idea = create_idea()
    for _ in range(2):
        db.session.add(Support(idea_id=idea.id, user_id=create_user().id))
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(support_count=2))
    db.session.commit()
    _cli(app, "ideas", "advance", "--now", idea.support_deadline_at.isoformat())
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "shortlisted"


def test_lowering_the_threshold_shortlists_waiting_ideas(db, create_user, create_idea, threshold):
    idea = create_idea()
    for _ in range(2):
        support_idea(idea, create_user())
    db.session.commit()
    threshold(2)
    assert advance_due() == 1
    db.session.commit()
    assert idea.status == "shortlisted"


def test_no_supports_after_the_deadline_even_before_cron(client, db, create_user, create_idea, api_headers):
    idea = create_idea()
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(
        support_deadline_at=idea.created_at - timedelta(seconds=1)))
    db.session.commit()
    response = client.put(f"/api/v1/ideas/{idea.id}/support", headers=api_headers(create_user()))
    assert response.status_code == 403
    # Reading the idea shows the rule without writing; the scheduled run archives it.
    shown = client.get(f"/api/v1/ideas/{idea.id}").get_json()
    assert shown["status"] == "open" and shown["collects_supports"] is False


def test_the_board_shows_an_expired_idea_until_the_scheduled_run_archives_it(client, db, create_idea):
    idea = create_idea(title="기한 지난 아이디어")
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(
        support_deadline_at=idea.created_at - timedelta(seconds=1)))
    db.session.commit()
    assert "기한 지난 아이디어" in client.get("/ideas?status=open").get_data(as_text=True)
    assert advance_due() == 1
    db.session.commit()
    assert "기한 지난 아이디어" not in client.get("/ideas?status=open").get_data(as_text=True)
    assert "기한 지난 아이디어" in client.get("/ideas?status=archived").get_data(as_text=True)


def test_steward_answers_once_and_followers_are_told(client, db, create_user, create_idea, api_headers, threshold):
    threshold(1)
    idea = create_idea()
    backer = create_user()
    support_idea(idea, backer)
    db.session.commit()
    steward, citizen = api_headers(create_user(roles=["steward"])), api_headers(create_user())
    assert client.post(f"/api/v1/ideas/{idea.id}/answer", json={"body": "검토하겠습니다"}, headers=citizen).status_code == 403
    response = client.post(f"/api/v1/ideas/{idea.id}/answer", json={"body": "내년에 시범 사업을 합니다."}, headers=steward)
    assert response.status_code == 201
    again = client.post(f"/api/v1/ideas/{idea.id}/answer", json={"body": "두 번째"}, headers=steward)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"
    assert kinds_for(db, backer.id) == ["idea_shortlisted", "idea_answered"]
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "내년에 시범 사업을 합니다." in page


def test_answers_page_shows_overdue_days(client, db, create_user, create_idea, threshold):
    from app.core.timeutil import utcnow

    threshold(1)
    late, fresh = create_idea(title="답변이 늦은 아이디어"), create_idea(title="답변 기한이 남은 아이디어")
    for idea in (late, fresh):
        support_idea(idea, create_user())
    db.session.commit()
    db.session.execute(sa.update(Idea).where(Idea.id == late.id).values(
        answer_due_at=utcnow() - timedelta(days=3, hours=2)))
    db.session.commit()
    page = client.get("/ideas/answers").get_data(as_text=True)
    assert page.index("답변이 늦은 아이디어") < page.index("답변 기한이 남은 아이디어")
    assert "3일 지남" in page
    due = client.get("/api/v1/answers/due").get_json()
    assert [i["id"] for i in due["items"]] == [late.id, fresh.id]


def test_parameters_are_stewards_business_and_keep_history(client, db, create_user, api_headers):
    citizen, steward = api_headers(create_user()), api_headers(create_user(roles=["steward"]))
    body = {"value": 100, "reason": "참여자가 늘었습니다"}
    assert client.put("/api/v1/parameters/SHORTLIST_SUPPORTS", json=body, headers=citizen).status_code == 403
    bad = client.put("/api/v1/parameters/SHORTLIST_SUPPORTS", json={**body, "value": 0}, headers=steward)
    assert bad.status_code == 400 and "SHORTLIST_SUPPORTS" in bad.get_json()["error"]["fields"]
    assert client.put("/api/v1/parameters/SHORTLIST_SUPPORTS", json=body, headers=steward).status_code == 200
    listing = client.get("/api/v1/parameters").get_json()
    assert {"key": "SHORTLIST_SUPPORTS", "value": 100, "minimum": 1, "maximum": 1_000_000} in listing["items"]
    change = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "parameter.changed"))
    assert (change.data["old"], change.data["new"], change.reason) == (50, 100, "참여자가 늘었습니다")
    assert "참여자가 늘었습니다" in client.get("/governance/settings").get_data(as_text=True)


def test_merge_moves_comments_and_counts_each_supporter_once(client, db, create_user, create_idea, api_headers):
    dup_author, target_author = create_user(), create_user()
    duplicate, target = create_idea(dup_author), create_idea(target_author)
    a, b, c, d = (create_user() for _ in range(4))
    for user in (a, b, c):
        support_idea(duplicate, user)
    support_idea(duplicate, target_author)  # the target's author cannot support their own idea
    for user in (c, d):
        support_idea(target, user)
    add_comment(duplicate, a, "중복 아이디어의 댓글")
    db.session.commit()

    steward = api_headers(create_user(roles=["steward"]))
    response = client.post(f"/api/v1/ideas/{duplicate.id}/merge", json={"target_id": target.id}, headers=steward)
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    target, duplicate = db.session.get(Idea, target.id), db.session.get(Idea, duplicate.id)
    assert supports(db, target.id) == {a.id, b.id, c.id, d.id}
    assert target.support_count == 4 and duplicate.support_count == 0 and supports(db, duplicate.id) == set()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", target.id)
    assert db.session.scalar(sa.select(Comment.idea_id)) == target.id and target.comment_count == 1
    assert "idea_merged" in kinds_for(db, dup_author.id)
    assert "idea_merged_into" in kinds_for(db, target_author.id)
    redirect = client.get(f"/ideas/{duplicate.id}")
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith(f"/ideas/{target.id}")


@pytest.mark.parametrize("case, status, code", [("citizen", 403, "not_mergeable"), ("self", 400, "same_idea"),
                                                ("withdrawn", 409, "bad_target"), ("missing", 404, "target_not_found")])
def test_merge_refusals_change_nothing(client, db, create_user, create_idea, api_headers, case, status, code):
    duplicate, target = create_idea(), create_idea()
    support_idea(duplicate, create_user())
    db.session.commit()
    if case == "withdrawn":
        reach(IDEA, target, "withdrawn")
    headers = api_headers(create_user(roles=[] if case == "citizen" else ["steward"]))
    target_id = {"self": duplicate.id, "missing": 999999}.get(case, target.id)
    response = client.post(f"/api/v1/ideas/{duplicate.id}/merge", json={"target_id": target_id}, headers=headers)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    db.session.expire_all()
    assert db.session.get(Idea, duplicate.id).status == "open" and db.session.get(Idea, duplicate.id).support_count == 1


def test_steward_merges_from_the_idea_page(client, db, create_user, create_idea, login_as):
    duplicate, target = create_idea(), create_idea()
    login_as(create_user(roles=["steward"]))
    page = client.get(f"/ideas/{duplicate.id}").get_data(as_text=True)
    assert "다른 아이디어로 병합" in page
    response = client.post_form(f"/ideas/{duplicate.id}/merge", {"target_id": str(target.id)})
    assert response.headers["Location"].endswith(f"/ideas/{target.id}")
    db.session.expire_all()
    assert db.session.get(Idea, duplicate.id).status == "merged"
