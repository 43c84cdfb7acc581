"""One Korean-aware search everywhere: the board's words, city names, duplicates, live support counts, the merge box."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.ideas.operations import support_idea
from app.search.query import search


@pytest.fixture
def parking(create_user, create_idea):
    """An idea about a car park whose text never holds the inflected form "주차장이"."""
    return create_idea(create_user(), title="공영 주차장 야간 개방", summary="밤에는 비어 있는 공영 주차장을 주민에게 열어 주세요.",
                       body="퇴근 후 골목에 차를 댈 곳이 없습니다.", municipality="suwon")


@pytest.fixture
def bike_ideas(create_user, create_idea):
    """A duplicate in 수원 of the idea a citizen is about to post, and bike lanes in other cities."""
    author = create_user()
    return {
        "duplicate": create_idea(author, title="수원역 주변 자전거 보관소",
                                 summary="역 앞 보도에 자전거가 쌓여 있어 보관소를 늘려 달라는 제안입니다.", municipality="suwon"),
        "yongin": create_idea(author, title="자전거 도로 확충", summary="출퇴근 자전거 도로를 산업단지까지 확충하자는 제안입니다.",
                              municipality="yongin"),
        "seongnam": create_idea(author, title="자전거 전용도로 확충", summary="끊긴 자전거 전용도로를 이어 확충해 주세요.",
                                municipality="seongnam"),
        "anyang": create_idea(author, title="공공자전거 대여소 확충", summary="공공자전거 대여소를 아파트 단지마다 확충해 주세요.",
                              municipality="anyang"),
    }


def titles_on(html: str) -> list[str]:
    """The result titles of a search page, in order."""
    return re.findall(r'<article class="search-hit">\s*<h2><a href="[^"]+">([^<]+)</a>', html)


def test_board_words_are_searched_like_search(client, parking):
    board = client.get("/ideas", query_string={"q": "주차장이"}, follow_redirects=True).get_data(as_text=True)
    searched = client.get("/search", query_string={"q": "주차장이"}).get_data(as_text=True)
    assert titles_on(board) == titles_on(searched) == ["공영 주차장 야간 개방"]


def test_board_words_go_to_search_with_the_filters(client, parking):
    response = client.get("/ideas", query_string={"q": "주차장이", "category": "mobility", "municipality": "suwon",
                                                  "status": "open", "sort": "new"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/search"
    assert parse_qs(location.query) == {"q": ["주차장이"], "type": ["idea"], "category": ["mobility"],
                                        "municipality": ["suwon"], "status": ["open"]}


@pytest.mark.parametrize("words", ["용인", "용인시", "용인에서", "Yongin", "yongin-si"])
def test_a_city_name_in_any_form_finds_the_citys_ideas(create_user, create_idea, words):
    create_idea(create_user(), title="경전철 환승 안내 개선", summary="환승 통로 안내판이 헷갈립니다.", body="안내판을 바꿔 주세요.",
                municipality="yongin")
    create_idea(create_user(), title="버스 정류장 온열 의자", summary="겨울 정류장이 춥습니다.", municipality="suwon")
    assert [hit.title for hit in search(words).items] == ["경전철 환승 안내 개선"]


def test_a_short_county_name_finds_the_countys_ideas(client, create_user, create_idea):
    create_idea(create_user(), title="도자기 축제 셔틀버스", summary="축제 기간에 터미널과 행사장을 잇는 셔틀을 운행해 주세요.",
                municipality="yeoju")
    create_idea(create_user(), title="계곡 쓰레기 수거함", summary="여름마다 계곡에 쓰레기가 쌓입니다.", municipality="gapyeong")
    assert [hit.title for hit in search("여주").items] == ["도자기 축제 셔틀버스"]
    page = client.get("/ideas", query_string={"q": "가평"}, follow_redirects=True).get_data(as_text=True)
    assert titles_on(page) == ["계곡 쓰레기 수거함"]


def test_a_duplicate_in_the_same_city_is_suggested_first(client, bike_ideas):
    items = client.get("/ideas/similar", query_string={
        "title": "수원역 자전거 보관대 확충", "summary": "", "municipality": "suwon"}).get_json()["items"]
    assert items[0]["id"] == bike_ideas["duplicate"].id


def test_suggestions_say_what_their_number_and_status_are(client, db, create_user, bike_ideas):
    support_idea(bike_ideas["duplicate"], create_user())
    db.session.commit()
    items = client.get("/ideas/similar", query_string={
        "title": "수원역 자전거 보관대 확충", "summary": "", "municipality": "suwon"}).get_json()["items"]
    assert (items[0]["support_label"], items[0]["status_label"]) == ("지지 1", "공개")


def test_an_ideas_page_and_the_api_rank_its_duplicates_alike(client, create_user, create_idea, bike_ideas):
    posted = create_idea(create_user(), title="수원역 자전거 보관대 확충", summary="자전거를 세울 곳이 모자랍니다.",
                         municipality="suwon")
    api = [item["id"] for item in client.get(f"/api/v1/ideas/{posted.id}/similar").get_json()["items"]]
    page = client.get(f"/ideas/{posted.id}").get_data(as_text=True)
    listed = [int(n) for n in re.findall(r'<li><a href="/ideas/(\d+)">', page.split('class="similar"')[1])]
    assert api[0] == listed[0] == bike_ideas["duplicate"].id
    assert api == listed


def test_search_shows_the_databases_support_count(client, db, create_user, create_idea, parking):
    support_idea(parking, create_user())
    db.session.commit()
    page = client.get("/search", query_string={"q": "주차장"}).get_data(as_text=True)
    assert "지지 1" in page and "지지 0" not in page


def test_live_support_counts_take_one_query_per_page(db, create_user, create_idea, parking):
    from app.search.query import live_support_counts  # the helper the API shares

    create_idea(create_user(), title="주차장 공유 앱", summary="아파트 주차장을 낮에 이웃과 나누어 씁시다.")
    support_idea(parking, create_user())
    db.session.commit()
    statements = []

    def count(*args, **_kwargs):
        statements.append(args[2])

    hits = search("주차장").items
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        live_support_counts(hits)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert {hit.title: hit.support_count for hit in hits} == {"공영 주차장 야간 개방": 1, "주차장 공유 앱": 0}
    assert len(statements) == 1


def test_the_merge_box_offers_candidates_and_chooses_none(client, create_user, create_idea, login_as, bike_ideas):
    posted = create_idea(create_user(), title="수원역 자전거 보관대 확충", summary="자전거를 세울 곳이 모자랍니다.",
                         municipality="suwon")
    login_as(create_user(roles=["steward"]))
    page = client.get(f"/ideas/{posted.id}").get_data(as_text=True)
    box = page.split('class="panel steward-tools"')[1].split("</section>")[0]
    radios = re.findall(r'<input type="radio"[^>]*value="(\d+)"[^>]*>\s*<label[^>]*>#\d+ ([^<]+?) <', box)
    assert radios[0] == (str(bike_ideas["duplicate"].id), "수원역 주변 자전거 보관소")
    assert "checked" not in box
    assert not re.search(r'name="target_id"[^>]*type="text"[^>]*value=|type="text"[^>]*name="target_id"[^>]*value=', box)


def test_an_index_from_an_older_release_gets_the_new_fields(tmp_path):
    from whoosh import index as whoosh_index  # noqa: only tests and app.search touch whoosh

    from app.search.index import get_index, make_schema

    old = make_schema()
    for name in ("place", "title_pairs"):
        old.remove(name)
    whoosh_index.create_in(str(tmp_path), old)
    assert {"place", "title_pairs"} <= set(get_index(str(tmp_path)).schema.names())
