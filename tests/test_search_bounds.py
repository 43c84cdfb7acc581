"""Search work stays bounded however many ideas match: scored candidates, facets, snippets, similar ideas, reindex."""
import pytest

from app.search import query
from app.search.query import search, similar_ideas


@pytest.fixture
def six_bike_ideas(create_user, create_idea):
    """Six ideas that all hold 자전거, in two categories."""
    author = create_user()
    return [create_idea(author, title=f"자전거 보관대 {n}호 설치", summary=f"역 앞에 자전거 보관대를 {n}곳 더 놓아 주세요.",
                        body="자전거가 보도에 쌓여 있습니다.", category="mobility" if n % 2 else "environment")
            for n in range(1, 7)]


def test_below_the_cap_total_and_facets_are_exact(six_bike_ideas):
    results = search("자전거", per_page=2)
    assert (results.total, results.capped, results.scored) == (6, False, 6)
    assert results.facets["category"] == {"mobility": 3, "environment": 3}
    assert len(results.items) == 2 and results.highlighted == 2


def test_past_the_cap_only_the_candidates_are_scored_and_counted(monkeypatch, six_bike_ideas):
    monkeypatch.setattr(query, "CANDIDATES", 4)
    results = search("자전거", per_page=3)
    assert results.capped and results.total == 4 and results.scored == 4
    assert sum(results.facets["category"].values()) == 4  # facets count the candidates, never every match
    assert results.highlighted == len(results.items) == 3  # snippets for the shown page only
    assert all("<mark>자전거</mark>" in str(hit.highlight) for hit in results.items)
    assert len(search("자전거", per_page=3, page=2).items) == 1
    assert search("자전거", per_page=3, page=3).items == []


def test_the_capped_page_says_so(client, monkeypatch, six_bike_ideas):
    monkeypatch.setattr(query, "CANDIDATES", 4)
    page = client.get("/search", query_string={"q": "자전거"}).get_data(as_text=True)
    count = page.split('<p class="count">')[1].split("</p>")[0]
    assert count in ("4건 이상", "4 or more results")  # Korean once the catalog has it
    assert "처음 4건을 기준으로" in page or "Counted over the first 4 results." in page


def test_any_word_when_no_idea_holds_every_word(client, six_bike_ideas, create_idea):
    create_idea(title="Bus pass refunds", summary="Commuters should get refunds when buses are late.",
                body="Late buses cost commuters money.")
    results = search("자전거 refunds")
    assert results.every is False and results.total == 7
    assert results.facets["category"]["mobility"] == 4
    page = client.get("/search", query_string={"q": "자전거 refunds"}).get_data(as_text=True)
    assert "일부 단어가 들어간 결과" in page or "these hold some of them" in page
    assert search("자전거 보관대").every is True


def _matchers(matcher):
    yield matcher
    for child in matcher.children():
        yield from _matchers(child)


def test_no_segment_preloads_its_matches_into_an_array(six_bike_ideas):
    """In a segment under 5,000 documents (each idea indexed after its commit leaves one, until they are merged)
    Whoosh's own choice of matcher fills and clears a 2,048-slot array in Python for every word; search matches
    every segment with a tree of unions."""
    from whoosh.matching import ArrayUnionMatcher

    from app.search.index import searcher

    with searcher() as s:
        assert all(sub.doc_count_all() < 5000 for sub, _ in s.leaf_searchers())
        for q in (query._matching(["자전거", "보관대"], every=True), query._matching(["자전거", "역"], every=False)):
            for sub, _offset in s.leaf_searchers():
                kinds = {type(m) for m in _matchers(q.matcher(sub, s.context()))}
                assert ArrayUnionMatcher not in kinds and len(kinds) > 1


def test_kept_field_lengths_score_every_segment_as_whoosh_does(six_bike_ideas, create_idea):
    """The search's BM25F reads lengths kept per segment and field (app.search.scoring); its scores equal
    Whoosh's own to the last bit, in every segment, for every kind of query search makes."""
    from app.search.index import get_index, idea_document, writer
    from app.search.scoring import KeptLengthsBM25F

    longer = create_idea(title="자전거 보관대 설치", summary="역 앞 자전거 보관대가 모자라 자전거가 보도를 막고 있습니다.",
                         body="자전거 보관대를 두 배로 늘려 주세요. " * 20)
    ix = get_index()
    w = writer(ix)
    w.update_document(**idea_document(longer, "보관대 옆에 공기 주입기도 있으면 좋겠어요."))
    w.commit(merge=False)  # a segment of its own, as a live index's updates leave them
    assert len(ix.searcher().leaf_searchers()) >= 2
    words = [query.terms(text) for text in ("자전거 보관대", "역", "설치 보도", "수원")]
    queries = [query._matching(ws, every) for ws in words for every in (True, False)]
    with ix.searcher() as plain, ix.searcher(weighting=KeptLengthsBM25F()) as kept:
        for q in queries:
            expected = query.scan(plain, q, limit=100)
            assert query.scan(kept, q, limit=100) == expected
        assert any(len(query.scan(plain, q, limit=100)[0]) == 7 for q in queries)
        assert len({score for q in queries for score, _doc in query.scan(plain, q, limit=100)[0]}) >= 5


def test_similar_ideas_score_a_bounded_number_of_candidates(monkeypatch, six_bike_ideas):
    monkeypatch.setattr(query, "SIMILAR_CANDIDATES", 2)
    items = similar_ideas("자전거 보관대 설치", limit=5)
    assert len(items) == 2


def test_similar_ideas_come_from_the_board_only(create_user, create_idea):
    author = create_user()
    create_idea(author, title="전기차 충전기 공유 예약", summary="아파트 충전기를 이웃과 예약해 쓰자는 제안입니다.",
                status="archived")
    on_board = create_idea(author, title="전기차 충전 구역 확대", summary="충전기가 부족해 구역을 늘리자는 제안입니다.")
    assert [item["id"] for item in similar_ideas("전기차 충전기", title="전기차 충전기")] == [on_board.id]


def test_a_parallel_reindex_loses_nothing_and_puts_the_board_first(app, monkeypatch, create_user, create_idea):
    from app.search.rebuild import reindex

    author = create_user()
    old = create_idea(author, title="공원 가로등 교체", summary="오래된 가로등을 바꿔 주세요.", status="archived")
    new = [create_idea(author, title=f"공원 벤치 {n}", summary="공원에 벤치를 놓아 주세요.") for n in range(3)]
    assert reindex(procs=2) == 4
    assert {hit.id for hit in search("공원").items} == {old.id, *(i.id for i in new)}
    monkeypatch.setattr(query, "CANDIDATES", 3)
    # only three are scored: the board's, newest first, before the archived one
    assert {hit.id for hit in search("공원").items} == {i.id for i in new}
