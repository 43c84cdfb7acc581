"""Demo funding, charged through the payment processor `make run` starts (localstripe): for each demo proposal
that went past funding, a round that opened six weeks ago, was backed and funded; for the one still in
funding, an open round with backers, questions and 성남시's matching pool."""
import random
from datetime import timedelta

import sqlalchemy as sa

from app.core.parties import is_party
from app.core.timeutil import utcnow
from app.extensions import db
from app.funding import closing, matching
from app.funding import operations as rounds
from app.funding.gateway import GatewayError, gateway
from app.funding.models import Round
from app.funding.pledging import reserve_pledge
from app.funding.workflows import charge
from app.auth.models import User
from app.proposals.models import Organization, Proposal
from app.proposals.operations import transition_proposal
from app.proposals.states import Stage

TEXT = {
    "offering_summary": "시범 사업 설치비와 1년 운영비를 모읍니다. 후원자는 1구좌(1만 원)마다 수익 배분 지분 1단위를 받고, "
                        "보고된 매출의 공동체 몫에서 보유 단위만큼 배분받습니다(투자금의 2배까지).",
    "risk_statement": "이 투자는 원금이 보장되지 않습니다. 시범 사업이 매출을 내지 못하면 배분도 없으며, 지분은 다른 사람에게 "
                      "넘길 수 없습니다. 목표 금액에 이르지 못하면 모금은 무산되고 전액 환불됩니다.",
}
QUESTIONS = [("시범 사업이 끝난 뒤에도 운영이 계속되나요?", "네, 시와 협약해 3년간 운영하고 성과를 공개합니다."),
             ("매출 보고는 얼마나 자주 하나요?", "분기마다 보고하고 GOPS에 공개합니다."),
             ("투자 한도는 어떻게 계산되나요?", None)]


def processor_running() -> bool:
    """Whether the payment processor answers (localstripe under `make run`)."""
    try:
        gateway().find("pledge", "demo-probe")
    except GatewayError:
        return False
    return True


def _draft(proposal, opens, days, target, cap, price=10_000) -> Round:
    round_ = rounds.draft_round(proposal, proposal.lead_expert, {
        "target_amount": target, "cap_amount": cap, "unit_price": price, "min_units": 1,
        "opens_at": opens, "closes_at": opens + timedelta(days=days), **TEXT}, now=opens)
    return round_


def _back(rng, round_, citizens, count, at) -> None:
    for backer in rng.sample(citizens, count):
        pledge = reserve_pledge(round_, backer, rng.choice((1, 2, 3, 5, 10)), investor_category="general",
                                risk_acknowledged=True, now=at)
        db.session.commit()
        charge(pledge, "pm_card_visa")


def seed_funding(now=None) -> int:
    """Rounds for the demo proposals in the funding stage that have none (committed as it goes); the rounds made."""
    from app.demo.proposals import later_stages
    from app.demo.seed import DEMO_DOMAIN

    rng = random.Random(2018)
    now = now or utcnow()
    steward = db.session.scalar(sa.select(User).where(User.email == f"steward@{DEMO_DOMAIN}"))
    if steward is None:
        return 0
    citizens = db.session.scalars(sa.select(User).where(User.email.like(f"citizen%@{DEMO_DOMAIN}"))
                                  .order_by(User.id)).all()
    ordered = db.session.scalars(sa.select(Proposal.id).order_by(Proposal.id)).all()
    later = {pid: later_stages(n) for n, pid in enumerate(ordered)}
    funded = set(db.session.scalars(sa.select(Round.proposal_id)))
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.stage == Stage.FUNDING.value,
                                                             Proposal.id.not_in(funded) if funded else sa.true())
                                   .order_by(Proposal.id)).all()
    made = 0
    for proposal in proposals:
        backers = [c for c in citizens if not is_party(proposal, c)]  # the team cannot back its own round
        stages = later.get(proposal.id, [])
        if stages:  # funded six weeks ago, then on to the testbed and beyond
            opens = now - timedelta(days=45)
            round_ = _draft(proposal, opens, 30, 300_000, 2_000_000)
            rounds.approve_round(round_, steward)
            rounds.open_round(round_, None, now=opens)
            db.session.commit()
            _back(rng, round_, backers, 18, opens + timedelta(days=3))
            closing.close_round(round_, None, now=opens + timedelta(days=30, seconds=1))
            for stage in stages:
                transition_proposal(proposal, proposal.lead_expert, stage)
            db.session.commit()
        else:  # open now: backers, questions, and a city's matching pool
            opens = now - timedelta(days=5)
            round_ = _draft(proposal, opens, 35, 2_000_000, 5_000_000)
            rounds.approve_round(round_, steward)
            rounds.open_round(round_, None, now=opens)
            db.session.commit()
            city = db.session.scalar(sa.select(Organization).where(Organization.name == "성남시"))
            rep = next(c for c in reversed(backers) if Organization.represented_by(city.id, c)) \
                if city is not None and any(Organization.represented_by(city.id, c) for c in backers) else None
            if city is not None and rep is None:
                from app.proposals.experts import confirm_membership, request_membership

                rep = backers.pop()
                confirm_membership(request_membership(rep, city, title="스마트도시과 주무관",
                                                      evidence="성남시 누리집 직원 안내에 이름과 부서가 있습니다."), steward)
                db.session.commit()
            if city is not None:
                pool = matching.create_pool(round_, city, rep, factor_bp=10_000, pledge_cap_amount=50_000,
                                            round_cap_amount=500_000)
                matching.record_deposit(pool, steward, "성남시 금고 이체 2026-11-20")
                db.session.commit()
            _back(rng, round_, [b for b in backers if b is not rep], 24, now - timedelta(days=2))
            for (question, answer), asker in zip(QUESTIONS, rng.sample(backers, len(QUESTIONS))):
                q = rounds.ask_question(round_, asker, question)
                if answer:
                    rounds.answer_question(q, proposal.lead_expert, answer)
            db.session.commit()
        made += 1
    return made


