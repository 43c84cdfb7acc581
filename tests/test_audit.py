"""The public audit log: each steward action writes exactly one entry; /audit shows who, what, when and why."""
import os

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent, record
from app.governance.operations import set_parameter
from app.ideas.lifecycle import answer_idea, merge_ideas
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.experts import apply_as_expert, confirm_membership, decide_application, request_membership
from app.proposals.models import Organization
from tests.fixtures.proposals import CLAIM


def entries(db) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def _application(db, create_user):
    return apply_as_expert(create_user(), fields="교통", affiliation="경기대학교",
                           evidence="교통 데이터 분석 논문 다섯 편을 썼습니다.")


def _membership(db, create_user):
    org = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))
    return request_membership(create_user(), org, **CLAIM)


STEWARD_ACTIONS = {
    "approve an expert": (lambda db, cu, ci, s: decide_application(_application(db, cu), s, True, "확인"),
                          ["expert_application.approved", "user.role_granted"]),
    "decline an expert": (lambda db, cu, ci, s: decide_application(_application(db, cu), s, False, "증빙 부족"),
                          ["expert_application.declined"]),
    "confirm a representative": (lambda db, cu, ci, s: confirm_membership(_membership(db, cu), s),
                                 ["membership.confirmed"]),
    "change a rule": (lambda db, cu, ci, s: set_parameter("ANSWER_DUE_DAYS", 20, s, "답변을 서두릅니다"),
                      ["parameter.changed"]),
    "answer an idea": (lambda db, cu, ci, s: answer_idea(ci(), s, "검토하겠습니다"), ["idea.answered"]),
    "merge ideas": (lambda db, cu, ci, s: merge_ideas(ci(), ci(), s), ["idea.merged"]),
    "hide an idea": (lambda db, cu, ci, s: IDEA.move(ci(), IdeaStatus.HIDDEN, s, reason="개인정보 노출"),
                     ["idea.hidden"]),
}


@pytest.mark.parametrize("name", STEWARD_ACTIONS)
def test_each_steward_action_writes_one_entry(db, create_user, create_idea, name):
    action, expected = STEWARD_ACTIONS[name]
    steward = create_user(roles=["steward"])
    before = len(entries(db))
    action(db, create_user, create_idea, steward)
    db.session.commit()
    new = entries(db)[before:]
    assert [e.action for e in new] == expected
    assert new[0].actor_id == steward.id


def test_the_audit_page_lists_decisions_with_reasons_and_filters_by_subject(client, db, create_user, create_idea):
    steward = create_user(roles=["steward"], name="운영위원 가람")
    idea = create_idea(title="공개 기록 시험 아이디어")
    IDEA.move(idea, IdeaStatus.HIDDEN, steward, reason="개인정보가 들어 있습니다")
    set_parameter("SHORTLIST_SUPPORTS", 40, steward, "참여가 적은 군 지역을 배려합니다")
    db.session.commit()
    page = client.get("/audit").get_data(as_text=True)
    assert "운영위원 가람" in page and "개인정보가 들어 있습니다" in page and "참여가 적은 군 지역을 배려합니다" in page
    assert "공개 기록 시험 아이디어" in page and steward.email not in page
    only_idea = client.get(f"/audit?subject_type=idea&subject_id={idea.id}").get_data(as_text=True)
    assert "개인정보가 들어 있습니다" in only_idea and "참여가 적은" not in only_idea
    assert client.get("/audit?subject_type=nonsense").status_code == 400


def test_rule_moves_have_no_actor(db, create_idea):
    idea = create_idea()
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    db.session.commit()
    (event,) = [e for e in entries(db) if e.action == "idea.shortlisted"]
    assert event.actor_id is None and event.data == {"from": "open", "to": "shortlisted"}


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="the append-only trigger is PostgreSQL's; the SQLite pass of the same run skips it")
def test_postgresql_refuses_to_change_or_delete_an_entry(db, create_user):
    record(create_user(), "test.recorded", ("user", 1), reason="처음 그대로")
    db.session.commit()
    for statement in (sa.update(AuditEvent).values(reason="고침"), sa.delete(AuditEvent)):
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.reason)) == "처음 그대로"
