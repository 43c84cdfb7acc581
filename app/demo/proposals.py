"""Demo proposals: experts adopt some shortlisted demo ideas and take them through the stages."""
import random
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.proposals.experts import confirm_membership, request_membership
from app.proposals.models import Organization
from app.proposals.operations import (
    add_milestone, adopt_idea, answer_invitation, edit_proposal, invite_member, post_update, transition_proposal,
)
from app.proposals.terms import confirm_contribution, freeze_share_terms, record_contribution, set_share_terms

PARTNERS = [("한빛모빌리티(주)", "company"), ("경기미래대학교", "university"), ("스마트도시연구소", "research_institute"),
            ("그린에너지협동조합", "citizen_group"), ("도시데이터랩", "startup")]
#: where in its place a testbed runs (the place is the idea's own, so the site is in the right city)
SITES = ["{place} 일대", "{place} 주민센터 주변", "{place} 시범 구역", "{place} 공영주차장과 주변 도로"]
TERMS = {"community_share_bp": 1000, "proposer_bp": 2000, "contributors_bp": 2000, "backers_bp": 5000,
         "commons_bp": 1000, "backers_cap_multiple_bp": 20000}
#: how far each demo proposal goes
PATHS = [[], ["review"], ["review", "funding"], ["review", "funding", "testbed"],
         ["review", "funding", "testbed", "market"], [], ["review"], ["review", "funding", "testbed"]]


def later_stages(n: int) -> list[str]:
    """The stages the n-th demo proposal reaches after its funding round."""
    return [stage for stage in PATHS[n] if stage in ("testbed", "market")] if n < len(PATHS) else []


def seed_proposals(rng: random.Random, users, ideas, places: dict[int, str]) -> int:
    """Adopt up to eight shortlisted ideas and develop them; returns how many proposals were made."""
    steward, experts, citizens = users[0], users[2:5], users[5:]
    partners = []
    for name, kind in PARTNERS:
        org = Organization(name=name, kind=kind)
        db.session.add(org)
        partners.append(org)
    db.session.flush()
    reps = {}
    for org, rep in zip(partners, citizens[-len(partners):]):
        confirm_membership(request_membership(rep, org, title="대외협력 담당", evidence=f"{org.name} 누리집 구성원 소개에 이름과 연락처가 있습니다."), steward)
        reps[org.id] = rep
    shortlisted = [i for i in ideas if i.status == "shortlisted"][: len(PATHS)]
    today = utcnow().date()
    for n, (idea, path) in enumerate(zip(shortlisted, PATHS)):
        expert = experts[n % len(experts)]
        proposal = adopt_idea(idea, expert)
        edit_proposal(proposal, expert, site=SITES[n % len(SITES)].format(place=places[idea.id]), budget_amount=rng.randrange(5, 60) * 10_000_000,
                      solution=idea.body.split("## 제안")[-1].split("##")[0].strip(),
                      expected_impact="- 시민 불편 감소\n- 다른 시·군으로 확산 가능한 표준 모델",
                      risks="- 예산 확보 지연\n- 개인정보 보호 검토 필요")
        city = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality",
                                                               Organization.municipality_id == idea.municipality_id))
        if city.id not in reps:  # a city official speaks for the city on GOPS
            reps[city.id] = citizens[-len(partners) - 1 - len(reps)]
            confirm_membership(request_membership(reps[city.id], city, title="스마트도시과 주무관",
                                                  evidence=f"{city.name} 누리집 직원 안내에 이름과 부서 전화번호가 있습니다."),
                               steward)
        answer_invitation(invite_member(proposal, expert, role="municipality_partner", organization=city),
                          reps[city.id], True)
        partner = partners[n % len(partners)]
        other = invite_member(proposal, expert, role=partner.kind if partner.kind != "startup" else "company",
                              organization=partner)
        if n % 2 == 0:
            answer_invitation(other, reps[partner.id], True)
        add_milestone(proposal, expert, title="현장 조사와 주민 설명회", due_on=today + timedelta(days=30 + n))
        add_milestone(proposal, expert, title="시범 운영 시작", due_on=today + timedelta(days=120 + n))
        for supporter, kind, points in ((idea.author, "naming", 5), (rng.choice(citizens), "research", 8)):
            contribution = record_contribution(proposal, expert, supporter, kind=kind, points=points,
                                               description="아이디어 구체화에 참여")
            confirm_contribution(contribution, supporter)
        if path:
            set_share_terms(proposal, expert, TERMS)
        for stage in path:
            if stage == "funding":
                freeze_share_terms(proposal, expert)
            if stage in ("testbed", "market"):
                break  # past funding after a funded round (app/demo/funding.py), with the processor running
            transition_proposal(proposal, steward if stage == "funding" else expert, stage)
        if n % 3 != 2:
            post_update(proposal, expert, "현장 조사를 마쳤습니다. 다음 달 주민 설명회를 엽니다.")
    db.session.flush()
    return len(shortlisted)
