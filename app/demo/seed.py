"""`flask demo seed`: realistic Korean demo data, inserted once, through the same operations people use.

Ideas are posted, supported, commented and answered with the verbs of `app.ideas` (with times in
the past), so states change only through the idea machine and everything the platform records
along the way (audit entries, notifications, counters, scores) is there as it would be.
"""
import random
from datetime import timedelta

import click
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.auth.models import User, UserRole
from app.auth.operations import grant_role
from app.core.security import Role
from app.core.timeutil import utcnow
from app.demo.content import ANSWERS, COMMENTS, GIVEN, IDEA_SEEDS, PLACES, REPLIES, SITUATIONS, SURNAMES, WITNESSES
from app.extensions import db
from app.ideas.lifecycle import advance_due, answer_idea
from app.ideas.models import Municipality
from app.ideas.operations import add_comment, create_idea, support_idea
from app.ideas.parameters import support_window_days
from app.ideas.reference import ensure_reference_data
from app.ideas.states import IdeaStatus

DEMO_PASSWORD = "gops-demo-2026!"
DEMO_DOMAIN = "demo.gops.kr"
IDEA_COUNT = 200
CITIZENS = 150
#: ideas are spread over this many days, so some are archived and some answers are overdue
HISTORY_DAYS = 90
#: the oldest shortlisted ideas the stewards have not answered yet: /ideas/answers shows them overdue
OVERDUE = 3


def _people(rng: random.Random, password_hash: str, now) -> list[User]:
    """Stewards, experts and citizens, all verified, sharing one demo password."""
    specs = [("steward", "운영위원 한결", ["citizen", "steward"]),
             ("steward2", "운영위원 다온", ["citizen", "steward"])]
    specs += [(f"expert{i}", f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)} 박사", ["citizen", "expert"]) for i in (1, 2, 3)]
    specs += [(f"citizen{i:03d}", rng.choice(SURNAMES) + rng.choice(GIVEN), ["citizen"]) for i in range(1, CITIZENS + 1)]
    users = []
    for local, name, _roles in specs:
        user = User(email=f"{local}@{DEMO_DOMAIN}", display_name=name, password_hash=password_hash,
                    locale="ko", verified_at=now - timedelta(days=90), created_at=now - timedelta(days=90))
        user.role_rows = [UserRole(role="citizen")]
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    for user, (_local, _name, roles) in zip(users, specs):
        for role in roles:
            grant_role(user, Role(role))
    return users


def _body(problem: str, proposal: str, place: str, municipality: Municipality, when: str, who: str) -> str:
    return (
        f"## 문제\n\n{problem} {municipality.name_ko} {place}에서는 {when} {who} 특히 이런 불편을 겪습니다.\n\n"
        f"## 제안\n\n{proposal}\n\n"
        "## 기대 효과\n\n- 시민의 불편이 줄고 생활 만족도가 높아집니다.\n"
        "- 효과가 확인되면 경기도의 다른 시·군으로 확산할 수 있습니다.\n\n"
        "## 함께하면 좋을 곳\n\n시청 담당 부서, 지역 대학과 연구기관, 관련 기업이 함께 시범 사업을 해 보면 좋겠습니다."
    )


def seed_demo(now=None) -> bool:
    """Insert the demo data unless it is there already; return whether anything was added."""
    ensure_reference_data()
    if db.session.scalar(sa.select(User.id).where(User.email == f"steward@{DEMO_DOMAIN}")) is not None:
        return False
    rng = random.Random(326)  # GRI Issue & Diagnosis No. 326
    now = now or utcnow()
    users = _people(rng, generate_password_hash(DEMO_PASSWORD, method="scrypt"), now)
    steward, citizens = users[0], users[5:]
    municipalities = {m.code: m for m in db.session.scalars(sa.select(Municipality))}
    seeds = [(code, seed) for code, items in IDEA_SEEDS.items() for seed in items]
    place_list = [(code, place) for code, places in PLACES.items() for place in places]
    window = timedelta(days=support_window_days())

    # Every (seed, place) pair at most once: each idea has its own title, place and situation.
    pairs = rng.sample([(s, p) for s in seeds for p in place_list], IDEA_COUNT)
    ideas, places = [], {}
    with click.progressbar(range(IDEA_COUNT), label="Demo ideas") as bar:
        for n in bar:
            (cat_code, (title, summary, problem, proposal)), (muni_code, place) = pairs[n]
            when, who = rng.choice(SITUATIONS), rng.choice(WITNESSES)
            author = citizens[rng.randrange(len(citizens))]
            created = now - timedelta(days=rng.uniform(0, HISTORY_DAYS), minutes=n)
            municipality = municipalities[muni_code]
            idea = create_idea(author, title=f"{place} {title}"[:120],
                               summary=f"{municipality.name_ko} {place}: {when} {who}겪는 불편을 풀기 위해, {summary}"[:300],
                               body=_body(problem, proposal, place, municipality, when, who),
                               category=cat_code, municipality=muni_code, now=created)
            places[idea.id] = place
            # A few ideas draw crowds; most gather a handful of supports.
            target = int(rng.paretovariate(1.3) * 4) - 4 if n % 9 else rng.randint(40, 90)
            backers = rng.sample([u for u in citizens if u.id != author.id], min(max(target, 0), len(citizens) - 1))
            span = min(now - created, window)
            for at in sorted(created + span * rng.random() for _ in backers):
                support_idea(idea, backers.pop(), now=at)
            _discuss(rng, idea, citizens, now)
            ideas.append(idea)
    advance_due(now=now)  # what the deadline rule archives by today
    waiting = sorted((i for i in ideas if i.status == IdeaStatus.SHORTLISTED.value), key=lambda i: i.answer_due_at)
    overdue = [i for i in waiting if i.answer_due_at < now][:OVERDUE]
    for idea in waiting:
        if idea not in overdue and rng.random() < 0.6:
            at = min(idea.shortlisted_at + timedelta(days=rng.uniform(2, 25)), now)
            answer_idea(idea, steward, rng.choice(ANSWERS).format(city=idea.municipality.name_ko), now=at)
    db.session.flush()
    from app.demo.proposals import seed_proposals

    seed_proposals(rng, users, [i for i in ideas if i not in overdue], places)
    return True


def _discuss(rng: random.Random, idea, citizens, now) -> None:
    """Comments from citizens, some answered by the author."""
    for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
        at = min(idea.created_at + timedelta(hours=rng.uniform(1, 200)), now)
        if idea.status not in ("open", "shortlisted", "adopted"):
            return
        parent = add_comment(idea, rng.choice(citizens), rng.choice(COMMENTS), now=at)
        if rng.random() < 0.4:
            add_comment(idea, idea.author, rng.choice(REPLIES), parent.id, now=min(at + timedelta(hours=3), now))
