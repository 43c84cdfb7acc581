"""Being found and shared: robots.txt, sitemap.xml, the Atom feed of new ideas, and Open Graph tags."""
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.ideas.operations import support_idea, withdraw_idea
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.operations import adopt_idea

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def proposal_of(db, create_user):
    """Factory: the proposal an expert adopts the given idea into."""

    def make(idea):
        support_idea(idea, create_user())
        IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
        proposal = adopt_idea(idea, create_user(roles=["expert"]))
        db.session.commit()
        return proposal

    return make


def test_robots_txt_keeps_crawlers_out_of_personal_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "User-agent: *" in text
    assert {"Disallow: /auth/", "Disallow: /api/", "Disallow: /notifications"} <= set(text.splitlines())
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_the_sitemap_lists_ideas_on_the_board_and_proposals(client, create_idea, proposal_of, create_user):
    board = create_idea()
    gone = create_idea()
    withdraw_idea(gone, gone.author)
    proposal = proposal_of(create_idea())
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    urls = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert f"http://localhost/ideas/{board.id}" in urls
    assert f"http://localhost/proposals/{proposal.id}" in urls
    assert f"http://localhost/ideas/{gone.id}" not in urls  # withdrawn: not on the board
    assert len(urls) == len(set(urls))
    lastmods = [u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url") if u.find(f"{SITEMAP}lastmod") is not None]
    assert lastmods and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m) for m in lastmods)


def test_the_sitemap_reads_ideas_and_proposals_with_one_query_each(app, client, create_idea, proposal_of):
    from app.extensions import db as _db

    def statements_for_sitemap():
        statements = []
        with app.app_context():
            engine = _db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/sitemap.xml").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return [s for s in statements if "FROM ideas" in s or "FROM proposals" in s]

    create_idea()
    proposal_of(create_idea())
    few = statements_for_sitemap()
    for _ in range(3):
        create_idea()
        proposal_of(create_idea())
    assert len(statements_for_sitemap()) == len(few) <= 2


def test_the_sitemap_stops_at_the_protocols_limit(client, create_idea, monkeypatch):
    from app.ideas import feeds

    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 4)
    for _ in range(5):
        create_idea()
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert len(root.findall(f"{SITEMAP}url")) == 4


def test_the_feed_is_atom_with_the_newest_ideas_first(client, db, create_idea):
    older, newer = create_idea(title="오래된 아이디어 제목"), create_idea(title="새로 올린 아이디어 <제목> & 기호")
    older.created_at = newer.created_at - timedelta(days=1)
    db.session.commit()
    response = client.get("/ideas/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/ideas/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["새로 올린 아이디어 <제목> & 기호", "오래된 아이디어 제목"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://localhost/ideas/{newer.id}"
    assert first.findtext(f"{ATOM}id") and first.findtext(f"{ATOM}updated") and first.findtext(f"{ATOM}summary")
    assert first.findtext(f"{ATOM}author/{ATOM}name") == newer.author.display_name


def test_the_feed_holds_the_latest_fifty(client, create_idea):
    for _ in range(52):
        create_idea()
    assert len(ET.fromstring(client.get("/ideas/feed.atom").data).findall(f"{ATOM}entry")) == 50


def test_the_board_links_its_feed(client):
    page = client.get("/ideas").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="http://localhost/ideas/feed.atom"',
                     page)


def _meta(page: str, attribute: str, name: str) -> str | None:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    return found.group(1) if found else None


def test_an_idea_page_describes_itself_for_link_previews(client, create_idea):
    idea = create_idea(title="광교 호수공원 야간 조명", summary="호수공원 산책로의 어두운 구간에 조명을 더하자는 제안입니다.")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert _meta(page, "property", "og:title") == "광교 호수공원 야간 조명"
    assert _meta(page, "property", "og:description") == _meta(page, "name", "description") == idea.summary
    assert _meta(page, "property", "og:url") == f"http://localhost/ideas/{idea.id}"
    assert page.count('name="description"') == 1


def test_a_proposal_page_describes_itself_for_link_previews(client, create_idea, proposal_of):
    proposal = proposal_of(create_idea(summary="출퇴근 자전거 도로를 산업단지까지 잇자는 제안입니다."))
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert _meta(page, "property", "og:title") == proposal.title
    assert _meta(page, "property", "og:description") == "출퇴근 자전거 도로를 산업단지까지 잇자는 제안입니다."
    assert _meta(page, "property", "og:url") == f"http://localhost/proposals/{proposal.id}"


@pytest.mark.parametrize("kind", ["idea", "proposal"])
def test_idea_and_proposal_pages_offer_to_share_their_link(client, create_idea, proposal_of, kind):
    idea = create_idea()
    url = f"/ideas/{idea.id}" if kind == "idea" else f"/proposals/{proposal_of(idea).id}"
    page = client.get(url).get_data(as_text=True)
    assert f'data-share-url="http://localhost{url}"' in page
    assert "data-share-copy" in page and "data-share-native" in page
