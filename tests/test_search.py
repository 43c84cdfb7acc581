"""Korean-aware search: recall, false matches, odd queries, facets, following the database, concurrency."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.ideas.operations import add_comment, withdraw_idea
from app.search.query import search

ROOT = Path(__file__).resolve().parent.parent


def found(text, **kwargs) -> set[str]:
    return {hit.title for hit in search(text, **kwargs).items}


@pytest.fixture
def corpus(db, create_user, create_idea):
    """A few ideas whose words come in inflected forms."""
    author = create_user()
    ideas = {
        "bike": create_idea(author, title="통학로 자전거길 제안", summary="아이들이 자전거를 타고 안전하게 학교에 가면 좋겠습니다.",
                            body="자전거를 세울 곳도 필요합니다."),
        "meal": create_idea(author, title="경로당 공동 식사", summary="어르신들이 함께 점심을 먹었습니다. 매일 그렇게 하면 좋겠습니다.",
                            body="반찬 나눔도 함께 합니다.", category="health-welfare", municipality="gapyeong"),
        "crime": create_idea(author, title="골목길 안전 대책", summary="지난달 살인사건 이후 주민들이 불안해합니다.",
                             body="보안등과 비상벨을 늘려 주세요.", category="safety"),
        "refund": create_idea(author, title="Bus pass refunds", summary="Commuters should get refunds when buses are late.",
                              body="A simple form for refunds.", category="mobility", municipality="ansan"),
    }
    return ideas


@pytest.mark.parametrize("query, expected", [
    ("자전거", "통학로 자전거길 제안"),
    ("먹다", "경로당 공동 식사"),
    ("refund", "Bus pass refunds"),
    ("REFUNDS", "Bus pass refunds"),
    ("살인", "골목길 안전 대책"),
])
def test_korean_and_english_recall(corpus, query, expected):
    assert expected in found(query)


def test_no_false_match_inside_a_compound(corpus):
    assert "골목길 안전 대책" not in found("인사")


@pytest.mark.parametrize("query", ["", "   ", "가" * 10_000, 'title:foo AND (bar OR "baz', "*:* -+!^~?\\/",
                                   "AI기반 CCTV설치 ทดสอบ 🚲 自転車 자전거", "\x00", "OR AND NOT"])
def test_odd_queries_do_not_fail(client, corpus, query):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert client.get("/search", query_string={"q": query}).status_code in (200, 400)


def test_facets_filters_and_highlights(client, corpus):
    body = client.get("/api/v1/search", query_string={"q": "자전거 refunds"}).get_json()
    assert body["total"] == 2
    assert body["facets"]["category"] == {"mobility": 2}
    assert "<mark>" in "".join(item["highlight"] for item in body["items"])
    narrowed = client.get("/api/v1/search", query_string={"q": "자전거 refunds", "municipality": "ansan"}).get_json()
    assert [i["title"] for i in narrowed["items"]] == ["Bus pass refunds"]
    page = client.get("/search", query_string={"q": "자전거"}).get_data(as_text=True)
    assert "<mark>자전거</mark>" in page


def test_title_matches_rank_first(db, create_user, create_idea):
    author = create_user()
    create_idea(author, title="공원 벤치 교체", summary="오래된 벤치를 바꾸고 가로등도 고치자는 제안입니다.")
    create_idea(author, title="가로등 밝기 조절", summary="새벽에는 밝기를 낮추어 전기를 아끼자는 제안입니다.")
    assert [h.title for h in search("가로등").items][0] == "가로등 밝기 조절"


def test_index_follows_the_database(db, create_user, corpus):
    idea = corpus["bike"]
    add_comment(idea, create_user(), "킥보드 거치대도 함께 만들어 주세요")
    db.session.commit()
    assert "통학로 자전거길 제안" in found("거치대")  # comments are searchable
    withdraw_idea(idea, idea.author)
    db.session.commit()
    assert "통학로 자전거길 제안" not in found("자전거")


def test_a_rolled_back_change_is_not_indexed(db, create_user, create_idea):
    from app.ideas.operations import create_idea as post

    post(create_user(), title="롤백될 아이디어", summary="이 아이디어는 저장되지 않습니다 정말로.", body="본문 " * 10,
         category="culture", municipality="suwon")
    db.session.rollback()
    assert found("롤백") == set()


def test_similar_ideas_while_typing_and_for_an_idea(client, db, create_user, create_idea):
    author = create_user()
    first = create_idea(author, title="전기차 충전기 공유 예약", summary="아파트 충전기를 이웃과 예약해 쓰자는 제안입니다.")
    create_idea(author, title="전기차 충전 구역 확대", summary="충전기가 부족해 전기차 충전 구역을 늘리자는 제안입니다.")
    create_idea(author, title="도서관 무인 대출", summary="퇴근 후에도 책을 빌릴 수 있게 하자는 제안입니다.")
    typed = client.get("/ideas/similar", query_string={"title": "전기차 충전기", "summary": ""}).get_json()["items"]
    assert {i["title"] for i in typed} >= {"전기차 충전기 공유 예약", "전기차 충전 구역 확대"}
    assert "도서관 무인 대출" not in {i["title"] for i in typed}
    others = client.get(f"/api/v1/ideas/{first.id}/similar").get_json()["items"]
    assert [i["title"] for i in others][0] == "전기차 충전 구역 확대"
    assert first.id not in [i["id"] for i in others]


def test_reindex_rebuilds_from_the_database(app, db, corpus):
    import shutil

    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    from app.search.index import forget_index

    forget_index(app.config["SEARCH_INDEX_DIR"])
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 4 ideas and proposals" in result.output
    assert "Bus pass refunds" in found("refund")


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from datetime import datetime
    from app.search.index import get_index, writer
    ix = get_index({directory!r})
    for n in range({start}, {start} + {count}):
        w = writer(ix)  # one small commit each, so the two processes fight for the lock
        w.add_document(key=f"idea:{{n}}", type="idea", id=n, title=f"동시 색인 시험 {{n}}", summary="요약",
                       body="본문", category="culture", municipality="suwon", status="open",
                       created=datetime(2026, 1, 1), support_count=0)
        w.commit()
""")


def test_two_processes_indexing_at_once_lose_nothing(tmp_path):
    from app.search.index import get_index

    directory = str(tmp_path / "index")
    get_index(directory)  # create it first
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), directory=directory,
                                                                   start=start, count=40)])
             for start in (0, 1000)]
    assert [p.wait(timeout=240) for p in procs] == [0, 0]
    from whoosh import index as whoosh_index  # noqa: only tests and app.search touch whoosh

    with whoosh_index.open_dir(directory).searcher() as searcher:
        assert searcher.doc_count() == 80


def test_proposals_are_searchable_by_type(client, db, create_user, create_idea):
    from app.proposals.operations import adopt_idea, edit_proposal

    idea = create_idea(title="공유 주차장 아이디어", summary="빈 주차면을 이웃과 나누어 쓰자는 제안입니다.",
                       status="shortlisted")
    proposal = adopt_idea(idea, create_user(roles=["expert"]))
    edit_proposal(proposal, proposal.lead_expert, solution="주차면 센서와 예약 앱으로 야간 공유 주차를 실증합니다.")
    db.session.commit()
    found_proposals = client.get("/api/v1/search", query_string={"q": "센서", "type": "proposal"}).get_json()
    assert [(i["type"], i["id"], i["status"]) for i in found_proposals["items"]] == [("proposal", proposal.id, "drafting")]
    assert client.get("/api/v1/search", query_string={"q": "센서"}).get_json()["total"] == 0  # ideas by default
    page = client.get("/search", query_string={"q": "센서", "type": "proposal"}).get_data(as_text=True)
    assert f"/proposals/{proposal.id}" in page and "작성 중" in page


def test_an_adopted_idea_is_found_as_adopted(client, db, create_idea):
    """Adoption moves the idea by compare-and-set (IDEA.move_if); the index follows it like any other move."""
    idea = create_idea(title="공유 주차장 아이디어", status="adopted")
    hits = client.get("/api/v1/search", query_string={"q": "주차장"}).get_json()["items"]
    assert [(h["id"], h["status"]) for h in hits if h["type"] == "idea"] == [(idea.id, "adopted")]


def test_an_empty_field_is_not_sent_to_kiwi(monkeypatch):
    """Most ideas have no comments: their empty field yields no terms, and Kiwi (half a millisecond a call) is not asked."""
    from app.search import analyzer

    def no_kiwi():
        raise AssertionError("Kiwi was asked to analyze an empty text")

    monkeypatch.setattr(analyzer, "kiwi", no_kiwi)
    assert [t.text for t in analyzer.korean_analyzer()("")] == []
    assert list(analyzer.syllable_pairs("")) == []


def test_the_search_pages_links_are_those_url_for_writes_and_narrow_the_results(app, client, corpus):
    """Facet, pager and hit links are built without the URL map (app.core.web.query_link): they must be
    the very URLs `url_for` makes, and following a facet must narrow the results."""
    import html
    import re

    from flask import url_for

    page = client.get("/search", query_string={"q": "자전거 refunds & 좋은", "per_page": 1}).get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'href="(/search\?[^"]+)"', page)]
    with app.test_request_context():
        expected = {url_for("search.index", q="자전거 refunds & 좋은", type="idea", municipality=code)
                    for code in ("ansan", "suwon")}
        pager = url_for("search.index", q="자전거 refunds & 좋은", type="idea", page=2)
        idea_links = {url_for("ideas.show", idea_id=i.id) for i in corpus.values()}
    assert expected & set(links) and pager in links
    assert set(re.findall(r'<h2><a href="(/ideas/\d+)"', page)) <= idea_links
    ansan = next(link for link in links if "municipality=ansan" in link)
    narrowed = client.get(ansan).get_data(as_text=True)
    assert "Bus pass refunds" in narrowed and "통학로 자전거길 제안" not in narrowed


def test_a_renewed_searcher_keeps_the_unchanged_segments_and_sees_every_change(app, db, corpus):
    """After a commit each worker's searcher is renewed keeping its readers of the segments that did not change
    (opening a segment of 50,000 ideas took about 100 ms, paid by every worker after every commit); a segment
    from which a document was deleted since (an edit moves it to a new segment) is read again, so an edited idea
    is found once, as edited."""
    from app.search.index import get_index, idea_document, searcher, writer

    def readers(s):
        return {reader.segment().segment_id(): reader for reader, _offset in s.reader().leaf_readers()}

    ix = get_index()
    with searcher() as first:
        before = readers(first)
    w = writer(ix)
    w.add_document(**{**idea_document(corpus["meal"], ""), "key": "idea:9001", "id": 9001, "title": "광장 분수대 수리"})
    w.commit(merge=False)  # a segment of its own, beside the corpus's
    with searcher() as second:
        after = readers(second)
        assert second is not first and len(after) == len(before) + 1
        assert all(after[segment] is reader for segment, reader in before.items())  # kept, not opened again
        assert found("분수대") == {"광장 분수대 수리"}
    w = writer(ix)
    w.update_document(**{**idea_document(corpus["bike"], ""), "title": "통학로 자전거길 넓히기"})
    w.commit(merge=False)  # deletes the old copy from the corpus's segment, adds a third segment
    with searcher() as third:
        now = readers(third)
        reopened = [segment for segment, reader in after.items() if now[segment] is not reader]
        assert len(reopened) == 1 and reopened[0] in before  # the segment that lost the old copy, read again
        assert len(now) == len(after) + 1
    assert found("통학로") == {"통학로 자전거길 넓히기"} and found("분수대") == {"광장 분수대 수리"}
    assert search("통학로").total == 1
