"""Words and accessibility: refusals that explain, questions before irreversible steps, names that match text."""
import re

import pytest

from app.ideas.operations import support_idea, withdraw_idea


def test_editing_after_the_first_support_explains_why_instead_of_a_bare_403(client, create_user, create_idea,
                                                                            login_as):
    idea = create_idea()
    support_idea(idea, create_user())
    login_as(idea.author)
    response = client.get(f"/ideas/{idea.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ideas/{idea.id}")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'class="flash flash-error"' in page


def test_editing_someone_elses_idea_is_still_forbidden(client, create_user, create_idea, login_as):
    idea = create_idea()
    login_as(create_user())
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403


def test_merging_into_a_missing_idea_says_that_number_does_not_exist(client, create_user, create_idea, login_as):
    idea = create_idea()
    login_as(create_user(roles=["steward"]))
    response = client.post_form(f"/ideas/{idea.id}/merge", {"target_id": "987654"}, follow_redirects=True)
    flash = re.search(r'<div class="flash flash-error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S)
    assert flash and "987654" in flash.group(1)


def test_a_withdrawn_idea_does_not_ask_its_author_to_gather_supports(client, create_idea, login_as):
    idea = create_idea()
    withdraw_idea(idea, idea.author)
    login_as(idea.author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "지지를 모아 보세요" not in page and "Share it so others can support it" not in page


def test_an_open_idea_still_asks_its_author_to_share_it(client, create_idea, login_as):
    idea = create_idea()
    login_as(idea.author)
    assert "지지를 모아 보세요" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_withdrawing_an_idea_asks_first(client, create_idea, login_as):
    idea = create_idea()
    login_as(idea.author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert re.search(rf'<form[^>]*action="/ideas/{idea.id}/withdraw"[^>]*data-confirm="[^"]+"', page)


def test_declining_asks_first(client, db, create_user, login_as):
    from app.proposals.experts import apply_as_expert

    apply_as_expert(create_user(), fields="교통", affiliation="경기연구원", evidence="도시 교통 연구 10년, 논문 목록 첨부")
    db.session.commit()
    login_as(create_user(roles=["steward"]))
    page = client.get("/experts/applications").get_data(as_text=True)
    declines = re.findall(r'<button[^>]*formaction="/experts/applications/\d+/decline"[^>]*>', page)
    assert declines and all("data-confirm=" in b for b in declines)


def test_the_confirming_script_asks_for_forms_and_for_buttons():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static" / "js" / "gops.js").read_text()
    assert "event.submitter" in script and 'getAttribute("data-confirm")' in script


def test_field_errors_are_tied_to_their_inputs(client, create_user, login_as):
    login_as(create_user())
    page = client.post_form("/ideas/new", {"title": "", "summary": "짧음", "body": "", "category": "mobility",
                                           "municipality": "suwon"}).get_data(as_text=True)
    for name in ("title", "summary", "body"):
        tag = re.search(rf'<(?:input|textarea)[^>]*\bid="{name}"[^>]*>', page).group(0)
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"{name}-error" in described and 'aria-invalid="true"' in tag
        assert f'id="{name}-error"' in page
        for ident in described:  # every id it names is on the page
            assert f'id="{ident}"' in page


def test_the_bell_is_named_by_its_own_text(client, create_user, login_as):
    login_as(create_user())
    bell = re.search(r'<a class="bell"[^>]*>.*?</a>', client.get("/ideas").get_data(as_text=True), re.S).group(0)
    assert "aria-label" not in bell.split(">", 1)[0]
    assert re.search(r'<span class="bell-label">[^<]+</span>', bell)  # words a screen reader reads and a phone shows


def test_the_search_page_has_one_search_landmark(client):
    page = client.get("/search?q=자전거").get_data(as_text=True)
    assert page.count('role="search"') == 1


def test_the_remembered_page_frame_follows_the_language_the_reader_and_the_page(client, create_user, login_as):
    """The header and footer are rendered once per variant (app.core.fragments.once), never shown in the wrong one."""
    ko = client.get("/ideas").get_data(as_text=True)
    assert "본문 바로가기" in ko and "공유지 규칙" in ko and '<header class="site-header">' in ko
    assert ko.count('role="search"') == 1  # the header's box
    client.post_form("/auth/locale", {"locale": "en"})
    en = client.get("/ideas").get_data(as_text=True)
    assert "Skip to content" in en and "Rules of the commons" in en and "본문 바로가기" not in en
    assert client.get("/search?q=bike").get_data(as_text=True).count('role="search"') == 1
    login_as(create_user())
    assert '<header class="site-header signed-in">' in client.get("/ideas").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/ideas", "/proposals", "/ideas/answers", "/governance/settings", "/audit"])
def test_pages_have_no_inline_script_and_a_menu_button_that_controls_the_menu(client, url):
    page = client.get(url).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    button = re.search(r'<button[^>]*class="menu-button"[^>]*>', page).group(0)
    assert 'aria-controls="main-nav"' in button and 'aria-expanded="false"' in button
    assert 'id="main-nav"' in page


def _selected(page: str, name: str) -> list[str]:
    """The values selected in the board's `name` filter."""
    select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected', select)


def test_the_remembered_filter_form_and_card_names_follow_the_choice_and_the_language(client, create_idea):
    """The board's filter form is rendered once per language and choice (app.core.fragments.rendered), and the
    cards' category and city names once per language: each page shows its own choice, in its own language."""
    create_idea(category="energy", municipality="yongin")
    chosen = client.get("/ideas?sort=top&category=energy&municipality=yongin").get_data(as_text=True)
    assert [_selected(chosen, n) for n in ("sort", "status", "category", "municipality")] == [
        ["top"], [], ["energy"], ["yongin"]]
    assert "용인시</span>" in chosen and ">에너지</span>" in chosen
    other = client.get("/ideas?sort=new&status=open").get_data(as_text=True)
    assert [_selected(other, n) for n in ("sort", "status", "category", "municipality")] == [["new"], ["open"], [], []]
    client.post_form("/auth/locale", {"locale": "en"})
    english = client.get("/ideas?sort=top&category=energy&municipality=yongin").get_data(as_text=True)
    assert _selected(english, "category") == ["energy"] and '<option value="energy" selected>Energy</option>' in english
    assert "Yongin</span>" in english and ">Energy</span>" in english and "용인시" not in english
