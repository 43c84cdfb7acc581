"""A public profile per person and one's own activity, as pages and in the API."""
import sqlalchemy as sa

from app.extensions import db as _db
from tests.fixtures.core import PASSWORD
from tests.fixtures.proposals import make_invitation


def _contributed(proposal, user, points=30, confirm=True):
    from app.proposals.terms import confirm_contribution, record_contribution

    contribution = record_contribution(proposal, proposal.lead_expert, user, kind="design", points=points)
    if confirm:
        confirm_contribution(contribution, user)
    _db.session.commit()
    return contribution


def test_a_public_profile_shows_name_badges_and_public_work_never_the_email(
        client, db, create_user, create_idea, create_proposal):
    expert = create_user("lead@example.org", name="도시연구자", roles=["expert", "steward"])
    public = create_idea(expert, title="광교 스마트 가로등")
    draft = create_idea(expert, title="아직 쓰는 중인 초안", status="draft")
    led = create_proposal(lead=expert, title="수원 자전거 보관소 실증")
    helped = create_proposal(title="부천 공유 주차장")
    _contributed(helped, expert, points=40)
    _contributed(create_proposal(title="미확인 기여 제안"), expert, confirm=False)
    page = client.get(f"/people/{expert.id}").get_data(as_text=True)
    assert "도시연구자" in page and 'class="badge expert"' in page and 'class="badge steward"' in page
    assert public.title in page and draft.title not in page
    assert led.title in page and helped.title in page and "미확인 기여 제안" not in page
    assert "lead@example.org" not in page


def test_an_unknown_person_is_404(client):
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/99999999999999999999").status_code == 404
    assert client.get("/api/v1/users/999999").status_code == 404


def test_api_profile(client, db, create_user, create_idea, create_proposal):
    expert = create_user("lead@example.org", roles=["expert"])
    idea = create_idea(expert)
    create_idea(expert, status="draft")
    proposal = create_proposal(lead=expert)
    helped = create_proposal()
    _contributed(helped, expert, points=25)
    response = client.get(f"/api/v1/users/{expert.id}")
    body = response.get_json()
    assert response.status_code == 200 and "lead@example.org" not in response.get_data(as_text=True)
    assert body["id"] == expert.id and body["badges"] == ["expert"]
    assert [i["id"] for i in body["ideas"]] == [idea.id]
    assert [p["id"] for p in body["proposals"]] == [proposal.id]
    assert body["contributions"][0]["proposal"]["id"] == helped.id and body["contributions"][0]["points"] == 25


def test_my_activity_lists_ideas_supports_comments_proposals_and_invitations(
        client, db, create_user, create_idea, create_proposal, login_as):
    from app.ideas.operations import add_comment, support_idea

    me = create_user()
    mine = create_idea(me, title="내 초안 아이디어", status="draft")
    theirs = create_idea(title="이웃의 태양광 아이디어")
    support_idea(theirs, me)
    add_comment(theirs, me, "우리 동네에도 필요해요")
    db.session.commit()
    proposal = create_proposal(title="시흥 스마트 버스정류장")
    make_invitation(proposal, user=me)
    login_as(me)
    page = client.get("/me/activity").get_data(as_text=True)
    assert mine.title in page and theirs.title in page and "우리 동네에도 필요해요" in page
    assert "시흥 스마트 버스정류장" in page and f"/proposals/{proposal.id}/team/" in page


def test_activity_needs_a_login(client):
    assert client.get("/me/activity").status_code == 302
    assert client.get("/api/v1/me/activity").status_code == 401


def test_api_activity(client, db, create_user, create_idea, create_proposal, api_headers):
    from app.ideas.operations import add_comment, support_idea

    me = create_user(roles=["expert"])
    draft = create_idea(me, status="draft")
    theirs = create_idea()
    support_idea(theirs, me)
    comment = add_comment(theirs, me, "좋아요")
    db.session.commit()
    led = create_proposal(lead=me)
    invited = create_proposal()
    member = make_invitation(invited, user=me)
    body = client.get("/api/v1/me/activity", headers=api_headers(me)).get_json()
    assert [i["id"] for i in body["ideas"]] == [draft.id] and body["ideas"][0]["status"] == "draft"
    assert [s["idea"]["id"] for s in body["supports"]] == [theirs.id]
    assert [c["id"] for c in body["comments"]] == [comment.id]
    assert [(p["id"], p["role"]) for p in body["proposals"]] == [(led.id, "lead_expert")]
    assert [(i["id"], i["proposal"]["id"]) for i in body["invitations"]] == [(member.id, invited.id)]


def test_an_accepted_team_place_shows_among_my_proposals(client, db, create_user, create_proposal, api_headers):
    from app.proposals.operations import answer_invitation

    me = create_user()
    proposal = create_proposal()
    answer_invitation(make_invitation(proposal, user=me), me, True)
    db.session.commit()
    body = client.get("/api/v1/me/activity", headers=api_headers(me)).get_json()
    assert [(p["id"], p["role"]) for p in body["proposals"]] == [(proposal.id, "member")]
    assert body["invitations"] == []


def test_a_deleted_account_shows_under_its_anonymous_name(client, db, create_user, create_idea, api_headers):
    user = create_user(name="김탈퇴")
    idea = create_idea(user)
    client.delete("/api/v1/me", json={"password": PASSWORD}, headers=api_headers(user))
    page = client.get(f"/people/{user.id}").get_data(as_text=True)
    assert f"탈퇴한 시민 {user.id}" in page and "김탈퇴" not in page and idea.title in page


def test_a_profile_page_reads_a_bounded_number_of_rows(app, client, db, create_user, create_idea):
    from sqlalchemy import event

    user = create_user()
    for _ in range(3):
        create_idea(user)
    statements = []
    with app.app_context():
        engine = _db.engine  # the engine of the app serving the requests
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(f"/people/{user.id}")
        few = len(statements)
        for _ in range(5):
            create_idea(user)
        statements.clear()
        client.get(f"/people/{user.id}")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 0 < len(statements) == few  # no query per idea
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("ideas"))) == 8
