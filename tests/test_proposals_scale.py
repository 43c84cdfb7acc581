"""The proposal list at scale: a fixed number of SQL statements whatever the number of proposals, the page
read without counting every proposal, and still showing what it showed."""
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.fixtures.proposals import make_proposal

LIST_URLS = ["/proposals", "/proposals?stage=drafting", "/proposals?page=2", "/proposals?stage=review"]


@contextmanager
def statements(app):
    """Collect the SQL statements the served app runs inside the block."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def statements_per_page(app, client) -> dict[str, int]:
    """How many statements each list URL runs (after one request that warms what a first request warms)."""
    client.get("/proposals")
    counts = {}
    for url in LIST_URLS:
        with statements(app) as seen:
            assert client.get(url).status_code == 200
        counts[url] = len(seen)
    return counts


def proposals(n: int, stages=("drafting",)) -> list:
    """`n` committed proposals, the first ones at the stages given (reached through the machine)."""
    return [make_proposal(stages[i] if i < len(stages) else "drafting") for i in range(n)]


def test_the_list_runs_as_many_statements_for_50_proposals_as_for_5(app, client, db):
    proposals(5, stages=("review", "drafting"))
    few = statements_per_page(app, client)
    proposals(45)
    assert statements_per_page(app, client) == few
    assert max(few.values()) <= 2  # the page's rows and what they show in one query, not one per row


def test_the_list_never_counts_every_proposal(app, client, db):
    proposals(3)
    with statements(app) as seen:
        client.get("/proposals?per_page=2")
    assert not [s for s in seen if "count(" in s.lower()]


def test_the_list_shows_each_proposal_with_its_stage_city_people_and_budget(client, db, proposal):
    from app.proposals.operations import edit_proposal

    edit_proposal(proposal, proposal.lead_expert, budget_amount=1_500_000, site="수원역 환승센터")
    db.session.commit()
    page = client.get("/proposals").get_data(as_text=True)
    assert f'href="/proposals/{proposal.id}">{proposal.title}</a>' in page
    assert '<span class="badge status-drafting">작성 중</span> 수원시 · 수원역 환승센터' in page
    assert f"책임 전문가: {proposal.lead_expert.display_name}" in page
    assert f"제안자: {proposal.proposer.display_name}" in page
    assert "1,500,000원" in page


def test_the_list_speaks_english_when_asked(client, db, proposal):
    from app.proposals.operations import edit_proposal

    edit_proposal(proposal, proposal.lead_expert, budget_amount=1_500_000)
    db.session.commit()
    client.post_form("/auth/locale", {"locale": "en"})
    page = client.get("/proposals").get_data(as_text=True)
    assert '<span class="badge status-drafting">Drafting</span> Suwon' in page
    assert f"Lead expert: {proposal.lead_expert.display_name}" in page
    assert f"Proposer: {proposal.proposer.display_name}" in page
    assert "₩1,500,000" in page


def test_the_list_pages_newest_first_with_previous_and_next(client, db):
    oldest, middle, newest = proposals(3)
    first = client.get("/proposals?per_page=2").get_data(as_text=True)
    assert first.index(newest.title) < first.index(middle.title) and oldest.title not in first
    assert re.search(r'href="/proposals\?page=2"[^>]*rel="next"', first) and 'rel="prev"' not in first
    last = client.get("/proposals?per_page=2&page=2").get_data(as_text=True)
    assert oldest.title in last and newest.title not in last
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_a_single_page_has_no_pager(client, db):
    proposals(2)
    assert 'class="pager"' not in client.get("/proposals").get_data(as_text=True)


@pytest.mark.parametrize("stage", ["review", "drafting"])
def test_the_stage_filter_lists_that_stage_only_and_keeps_it_across_pages(client, db, stage):
    in_review, drafting, drafting_too = proposals(3, stages=("review",))
    shown = {"review": [in_review], "drafting": [drafting_too, drafting]}[stage]
    page = client.get(f"/proposals?stage={stage}&per_page=1").get_data(as_text=True)
    assert shown[0].title in page and all(p.title not in page for p in (in_review, drafting, drafting_too)
                                          if p is not shown[0])
    assert (f"stage={stage}" in (re.search(r'<a href="([^"]*)" rel="next"', page) or [""])[0]) == (len(shown) > 1)


def test_the_remembered_stage_links_mark_the_stage_shown_in_the_readers_language(client, db):
    """The stage links are rendered once per language and stage (app.core.fragments.rendered): each list marks its
    own stage, and the stage names on the links and the rows follow the language."""
    proposals(1, stages=("review",))
    marked = lambda page: re.findall(r'<a href="/proposals(?:\?stage=(\w+))?" class="active">', page)  # noqa: E731
    assert marked(client.get("/proposals").get_data(as_text=True)) == [""]
    review = client.get("/proposals?stage=review").get_data(as_text=True)
    assert marked(review) == ["review"] and '"active">검토 중</a>' in review
    assert 'status-review">검토 중</span>' in review
    client.post_form("/auth/locale", {"locale": "en"})
    english = client.get("/proposals?stage=review").get_data(as_text=True)
    assert marked(english) == ["review"] and '"active">In review</a>' in english and "검토" not in english
    assert 'status-review">In review</span>' in english
    assert marked(client.get("/proposals?stage=drafting").get_data(as_text=True)) == ["drafting"]


def test_an_unknown_stage_is_refused(client, db):
    assert client.get("/proposals?stage=nonsense").status_code == 400


# The proposal's own page: visitors pay neither for the lead's workspace nor for lists they are not shown.

def test_a_visitor_sees_no_workspace_and_the_lead_sees_every_form(client, db, proposal, login_as):
    action = f'action="/proposals/{proposal.id}/'
    visitor = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert proposal.title in visitor
    assert all(f"{action}{path}" not in visitor for path in ("edit", "team", "milestones", "share-terms", "updates"))
    login_as(proposal.lead_expert)
    lead = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert all(f"{action}{path}" in lead for path in ("edit", "team", "milestones", "share-terms", "contributions",
                                                       "updates", "transition"))


def test_a_team_member_gets_the_update_form_only(client, db, proposal, login_as):
    from app.proposals.states import INVITATION
    from tests.fixtures.proposals import make_invitation
    from tests.fixtures.states import reach

    member = reach(INVITATION, make_invitation(proposal), "accepted")
    login_as(member.user)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'action="/proposals/{proposal.id}/updates"' in page and f'action="/proposals/{proposal.id}/edit"' not in page


def test_the_timeline_names_a_city_that_joined(client, db, proposal):
    from app.proposals.operations import accept_replication, request_replication
    from app.proposals.states import PROPOSAL
    from tests.fixtures.proposals import municipal_org, representative
    from tests.fixtures.states import reach

    reach(PROPOSAL, proposal, "testbed")
    goyang = municipal_org("goyang")
    asked = request_replication(proposal, representative(goyang), goyang, "")
    accept_replication(asked, proposal, proposal.lead_expert)
    db.session.commit()
    assert "고양시도 함께 운영합니다." in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_a_proposal_page_runs_as_many_statements_with_a_big_team_as_with_a_small_one(app, client, db, proposal):
    from app.proposals.operations import post_update
    from tests.fixtures.proposals import make_invitation, make_milestone

    url = f"/proposals/{proposal.id}"

    def count() -> int:
        client.get(url)
        with statements(app) as seen:
            client.get(url)
        return len(seen)

    make_invitation(proposal)
    make_milestone(proposal)
    post_update(proposal, proposal.lead_expert, "착수했습니다")
    db.session.commit()
    small = count()
    for n in range(5):
        make_invitation(proposal)
        make_milestone(proposal, title=f"점검 {n}")
        post_update(proposal, proposal.lead_expert, f"진행 {n}")
    db.session.commit()
    assert count() == small
