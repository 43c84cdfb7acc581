"""`flask demo seed`: realistic Korean demo data, inserted once."""
import random
from datetime import timedelta

import click
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.auth.models import User, UserRole
from app.core.timeutil import utcnow
from app.demo_content import ANSWERS, COMMENTS, GIVEN, IDEA_SEEDS, PLACES, REPLIES, SURNAMES
from app.extensions import db
from app.ideas.models import Answer, Category, Comment, Idea, Municipality, Support
from app.ideas.operations import hot_value
from app.ideas.reference import ensure_reference_data

DEMO_PASSWORD = "gops-demo-2026!"
DEMO_DOMAIN = "demo.gops.kr"
IDEA_COUNT = 200
CITIZENS = 150
SHORTLIST_SUPPORTS = 50
SUPPORT_WINDOW_DAYS = 30


def _people(rng: random.Random, password_hash: str, now) -> list[User]:
    """Stewards, experts and citizens, all verified, sharing one demo password."""
    specs = [("steward", "운영위원 한결", ["citizen", "steward"]),
             ("steward2", "운영위원 다온", ["citizen", "steward"])]
    specs += [(f"expert{i}", f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)} 박사", ["citizen", "expert"]) for i in (1, 2, 3)]
    specs += [(f"citizen{i:03d}", rng.choice(SURNAMES) + rng.choice(GIVEN), ["citizen"]) for i in range(1, CITIZENS + 1)]
    users = []
    for local, name, roles in specs:
        user = User(email=f"{local}@{DEMO_DOMAIN}", display_name=name, password_hash=password_hash,
                    locale="ko", verified_at=now - timedelta(days=90), created_at=now - timedelta(days=90))
        user.role_rows = [UserRole(role=r) for r in roles]
        users.append(user)
    db.session.add_all(users)
    db.session.flush()
    return users


def _body(problem: str, proposal: str, place: str, municipality: Municipality) -> str:
    return (
        f"## 문제\n\n{problem} 특히 {municipality.name_ko} {place}에서 이런 불편을 자주 겪습니다.\n\n"
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
    citizens = users[5:]
    categories = {c.code: c for c in db.session.scalars(sa.select(Category))}
    municipalities = {m.code: m for m in db.session.scalars(sa.select(Municipality))}
    seeds = [(code, seed) for code, items in IDEA_SEEDS.items() for seed in items]
    place_list = [(code, place) for code, places in PLACES.items() for place in places]

    ideas, supports, comments = [], [], []
    with click.progressbar(range(IDEA_COUNT), label="Demo ideas") as bar:
        for n in bar:
            cat_code, (title, summary, problem, proposal) = seeds[n % len(seeds)]
            muni_code, place = place_list[(n * 7) % len(place_list)]
            municipality = municipalities[muni_code]
            author = citizens[rng.randrange(len(citizens))]
            created = now - timedelta(days=rng.uniform(0, 60), minutes=n)
            # A few ideas draw crowds; most gather a handful of supports.
            target = int(rng.paretovariate(1.3) * 4) - 4 if n % 9 else rng.randint(40, 90)
            backers = rng.sample([u for u in citizens if u.id != author.id], min(max(target, 0), len(citizens) - 1))
            idea = Idea(author_id=author.id, title=f"{place} {title}"[:120], summary=summary,
                        body=_body(problem, proposal, place, municipality), category_id=categories[cat_code].id,
                        municipality_id=municipality.id, created_at=created, support_count=len(backers),
                        comment_count=0, status="open",
                        support_deadline_at=created + timedelta(days=SUPPORT_WINDOW_DAYS))
            age = now - created
            last = created
            for backer in backers:
                at = created + (min(age, timedelta(days=SUPPORT_WINDOW_DAYS)) * rng.random())
                last = max(last, at)
                supports.append({"user_id": backer.id, "created_at": at, "idea": idea})
            if len(backers) >= SHORTLIST_SUPPORTS:
                idea.status = "shortlisted"
                idea.shortlisted_at = last
                idea.answer_due_at = last + timedelta(days=30)
            elif age > timedelta(days=SUPPORT_WINDOW_DAYS):
                idea.status = "archived"
                idea.archived_at = idea.support_deadline_at
            idea.hot_score = hot_value(len(backers), last.timestamp())
            ideas.append(idea)
    db.session.add_all(ideas)
    db.session.flush()
    for row in supports:
        row["idea_id"] = row.pop("idea").id
    db.session.execute(sa.insert(Support), supports)

    for idea in ideas:
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
            at = idea.created_at + timedelta(hours=rng.uniform(1, 200))
            parent = Comment(idea_id=idea.id, author_id=rng.choice(citizens).id, body=rng.choice(COMMENTS),
                             created_at=min(at, now))
            comments.append(parent)
            if rng.random() < 0.4:
                db.session.add(parent)
                db.session.flush()
                comments.append(Comment(idea_id=idea.id, author_id=idea.author_id, parent_id=parent.id,
                                        body=rng.choice(REPLIES), created_at=min(at + timedelta(hours=3), now)))
    db.session.add_all(comments)
    db.session.flush()
    steward = users[0]
    for idea in ideas:
        if idea.status == "shortlisted" and rng.random() < 0.4:
            at = min(idea.shortlisted_at + timedelta(days=rng.uniform(2, 25)), now)
            db.session.add(Answer(idea_id=idea.id, author_id=steward.id, created_at=at,
                                  body=rng.choice(ANSWERS).format(city=idea.municipality.name_ko)))
            idea.answered_at = at
    db.session.flush()
    db.session.execute(
        sa.update(Idea).values(comment_count=sa.select(sa.func.count(Comment.id))
                               .where(Comment.idea_id == Idea.id).scalar_subquery())
    )
    db.session.flush()
    for idea in ideas:
        db.session.refresh(idea)
    from app.demo_proposals import seed_proposals

    seed_proposals(rng, users, ideas)
    return True
