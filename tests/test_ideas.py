"""Posting, editing, withdrawing, supporting and commenting on ideas through the pages."""
import pytest
import sqlalchemy as sa

from app.ideas.models import Comment, Idea, Support
from app.ideas.operations import support_idea
from app.ideas.states import IDEA
from tests.fixtures.states import reach

GOOD = {"title": "광교호수공원 스마트 가로등", "summary": "사람이 없을 때 밝기를 낮추는 가로등을 제안합니다.",
        "body": "## 문제\n\n새벽에도 가로등이 최대 밝기로 켜져 있습니다.", "category": "energy", "municipality": "suwon"}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_post_an_idea(client, db, create_user, login_as):
    login_as(create_user())
    response = client.post_form("/ideas/new", GOOD)
    assert response.status_code == 302
    idea = db.session.scalar(sa.select(Idea))
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert (idea.title, idea.status, idea.category.code, idea.municipality.code) == (
        GOOD["title"], "open", "energy", "suwon")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<h2>문제</h2>" in page


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "아이디어의 제목을 입력해 주세요."),
    ("title", "   ", "아이디어의 제목을 입력해 주세요."),
    ("title", "가" * 121, "4자 이상 120자 이하로 입력해 주세요."),
    ("summary", "짧음", "10자 이상 300자 이하로 입력해 주세요."),
    ("body", "", "문제와 아이디어를 설명해 주세요."),
    ("category", "space-travel", "목록에 있는 항목 중에서 골라 주세요."),
    ("municipality", "seoul", "목록에 있는 항목 중에서 골라 주세요."),
])
def test_bad_idea_input_is_refused_with_a_message(client, db, create_user, login_as, field, value, message):
    login_as(create_user())
    response = client.post_form("/ideas/new", {**GOOD, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, Idea) == 0


def test_unverified_user_cannot_post(client, db, create_user, login_as):
    login_as(create_user(verified=False))
    response = client.post_form("/ideas/new", GOOD)
    assert response.status_code == 302
    assert count(db, Idea) == 0


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/ideas/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_form_without_csrf_token_is_refused_and_writes_nothing(client, db, create_user, login_as):
    login_as(create_user())
    response = client.post("/ideas/new", data=GOOD)
    assert response.status_code == 400
    assert count(db, Idea) == 0


# Who may edit or withdraw: author / another citizen / a steward / nobody logged in, by state and supports.
@pytest.mark.parametrize("actor, status, supports, can_edit, can_withdraw", [
    ("author", "open", 0, True, True),
    ("author", "open", 1, False, True),
    ("author", "shortlisted", 0, False, False),
    ("author", "archived", 0, False, False),
    ("author", "withdrawn", 0, False, False),
    ("other", "open", 0, False, False),
    ("steward", "open", 0, False, False),
    ("anonymous", "open", 0, False, False),
])
def test_edit_and_withdraw_permissions(client, db, create_user, create_idea, login_as,
                                       actor, status, supports, can_edit, can_withdraw):
    author = create_user()
    idea = create_idea(author)
    for _ in range(supports):
        support_idea(idea, create_user())
    reach(IDEA, idea, status)
    if actor != "anonymous":
        login_as({"author": author, "other": create_user(), "steward": create_user(roles=["steward"])}[actor])

    edit = client.post_form(f"/ideas/{idea.id}/edit", {**GOOD, "title": "바뀐 제목입니다"})
    client.post_form(f"/ideas/{idea.id}/withdraw")
    db.session.expire_all()
    idea = db.session.get(Idea, idea.id)
    assert (idea.title == "바뀐 제목입니다") is can_edit
    assert (idea.status == "withdrawn" != status) is can_withdraw
    if not can_edit:
        assert edit.status_code in (302, 403)  # login redirect for anonymous users, 403 for others
        if actor == "author":  # the author is told why, on the idea's page, instead of a bare 403
            assert edit.headers["Location"].endswith(f"/ideas/{idea.id}")
        else:
            assert edit.status_code == 403 or actor == "anonymous"


def test_support_and_withdraw_support(client, db, create_user, create_idea, login_as):
    idea = create_idea()
    login_as(create_user())
    client.post_form(f"/ideas/{idea.id}/support")
    client.post_form(f"/ideas/{idea.id}/support")  # a second support changes nothing
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).support_count == 1
    assert count(db, Support) == 1
    client.post_form(f"/ideas/{idea.id}/support/withdraw")
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).support_count == 0
    assert count(db, Support) == 0


@pytest.mark.parametrize("who, message", [
    ("unverified", "아이디어를 지지하려면 먼저 이메일 주소를 인증해 주세요."),
    ("author", "자신의 아이디어는 지지할 수 없습니다."),
])
def test_support_is_refused(client, db, create_user, create_idea, login_as, who, message):
    author = create_user()
    idea = create_idea(author)
    login_as(author if who == "author" else create_user(verified=False))
    response = client.post_form(f"/ideas/{idea.id}/support", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).support_count == 0
    assert count(db, Support) == 0


def test_withdrawn_idea_takes_no_supports(client, db, create_user, create_idea, login_as):
    idea = create_idea(status="withdrawn")
    login_as(create_user())
    client.post_form(f"/ideas/{idea.id}/support")
    assert count(db, Support) == 0


def test_comments_thread_one_level(client, db, create_user, create_idea, login_as):
    idea = create_idea()
    login_as(create_user())
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "좋은 제안입니다"})
    top = db.session.scalar(sa.select(Comment))
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "동의합니다", "parent_id": str(top.id)})
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id.is_not(None)))
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "답글의 답글", "parent_id": str(reply.id)})
    nested = db.session.scalar(sa.select(Comment).where(Comment.body == "답글의 답글"))
    assert nested.parent_id == top.id  # a reply to a reply joins the thread
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 3
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert page.index("좋은 제안입니다") < page.index("동의합니다") < page.index("답글의 답글")


def test_empty_comment_and_foreign_parent_are_refused(client, db, create_user, create_idea, login_as):
    idea, other = create_idea(), create_idea()
    login_as(create_user())
    client.post_form(f"/ideas/{other.id}/comments", {"body": "다른 아이디어의 댓글"})
    foreign = db.session.scalar(sa.select(Comment))
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "   "})
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "엉뚱한 부모", "parent_id": str(foreign.id)})
    assert count(db, Comment) == 1
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 0


def test_unverified_user_cannot_comment(client, db, create_user, create_idea, login_as):
    idea = create_idea()
    login_as(create_user(verified=False))
    client.post_form(f"/ideas/{idea.id}/comments", {"body": "인증 없이 댓글"})
    assert count(db, Comment) == 0


def test_list_sorts_and_filters(client, db, create_user, create_idea):
    quiet = create_idea(title="조용한 아이디어 하나", category="culture", municipality="gapyeong")
    busy = create_idea(title="지지 많은 아이디어", category="energy", municipality="suwon")
    from app.ideas.operations import support_idea

    for _ in range(3):
        support_idea(busy, create_user())
    db.session.commit()
    top = client.get("/ideas?sort=top").get_data(as_text=True)
    assert top.index("지지 많은 아이디어") < top.index("조용한 아이디어 하나")
    new = client.get("/ideas?sort=new").get_data(as_text=True)
    assert new.index("지지 많은 아이디어") < new.index("조용한 아이디어 하나")
    filtered = client.get("/ideas?category=culture&municipality=gapyeong").get_data(as_text=True)
    assert "조용한 아이디어 하나" in filtered and "지지 많은 아이디어" not in filtered
    assert quiet.id != busy.id


@pytest.mark.parametrize("query", ["sort=sideways", "status=hidden", "category=nope", "page=0", "page=x", "per_page=1000"])
def test_bad_list_arguments_get_a_400(client, query):
    assert client.get(f"/ideas?{query}").status_code == 400


def test_hidden_and_withdrawn_ideas_are_not_listed(client, db, create_idea):
    idea = create_idea(title="숨겨진 아이디어", status="hidden")
    assert "숨겨진 아이디어" not in client.get("/ideas").get_data(as_text=True)
    assert client.get(f"/ideas/{idea.id}").status_code == 404


def test_pages_paginate(client, db, create_idea, create_user):
    author = create_user()
    for _ in range(25):
        create_idea(author)
    first = client.get("/ideas?sort=new").get_data(as_text=True)
    second = client.get("/ideas?sort=new&page=2").get_data(as_text=True)
    assert first.count('class="idea-card"') == 20 and second.count('class="idea-card"') == 5


def test_support_buttons_show_only_to_eligible_users(client, create_user, create_idea, login_as):
    author = create_user()
    idea = create_idea(author)
    assert "지지하기</button>" not in client.get("/ideas").get_data(as_text=True)
    login_as(author)
    assert "지지하기</button>" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post_form("/auth/logout")
    login_as(create_user())
    assert "지지하기</button>" in client.get("/ideas").get_data(as_text=True)
    client.post_form(f"/ideas/{idea.id}/support")
    assert "지지함</button>" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
