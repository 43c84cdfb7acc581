"""The pickers' lookups: names for people who are logged in, never an email, and not without limit."""
import pytest


@pytest.mark.parametrize("url", ["/people/lookup?q=김", "/organizations/lookup?q=수원"])
def test_lookups_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401)
    assert "application/json" not in response.content_type


def test_people_are_found_by_name_without_their_email(client, create_user, login_as):
    found = create_user(email="haesol.private@example.org", name="김해솔", roles=["expert"])
    create_user(name="박민수")
    login_as(create_user())
    body = client.get("/people/lookup?q=해솔").get_json()
    assert [item["id"] for item in body["items"]] == [found.id]
    item = body["items"][0]
    assert set(item) == {"id", "name", "detail"} and item["name"] == "김해솔"
    assert "@" not in str(body) and "haesol.private" not in str(body)


def test_an_email_finds_nobody(client, create_user, login_as):
    """Typing someone's address must not tell whether they have an account."""
    create_user(email="someone.secret@example.org", name="정다온")
    login_as(create_user())
    assert client.get("/people/lookup?q=someone.secret@example.org").get_json() == {"items": []}


def test_banned_people_are_not_offered(client, db, create_user, login_as):
    from app.core.timeutil import utcnow

    banned = create_user(name="차단된사람")
    banned.banned_at = utcnow()
    db.session.commit()
    login_as(create_user())
    assert client.get("/people/lookup?q=차단된").get_json() == {"items": []}


def test_organizations_are_found_by_name_with_what_they_are(client, create_user, login_as):
    login_as(create_user())
    items = client.get("/organizations/lookup?q=수원").get_json()["items"]
    assert items and items[0]["name"] == "수원시" and items[0]["detail"]  # a city, and which kind it is


@pytest.mark.parametrize("q", ["", "   ", "%", "_"])
def test_an_empty_or_wildcard_query_lists_nobody(client, create_user, login_as, q):
    create_user(name="홍길동")
    login_as(create_user())
    assert client.get("/people/lookup", query_string={"q": q}).get_json() == {"items": []}


def test_a_nul_in_the_query_is_a_client_error(client, create_user, login_as):
    login_as(create_user())
    assert client.get("/people/lookup", query_string={"q": "김\x00"}).status_code in (200, 400)


def test_a_lookup_answers_at_most_ten(client, create_user, login_as):
    for _ in range(12):
        create_user(name="같은이름")
    login_as(create_user())
    assert len(client.get("/people/lookup?q=같은이름").get_json()["items"]) == 10


def test_lookups_are_rate_limited(client, create_user, login_as):
    login_as(create_user())
    codes = [client.get("/people/lookup?q=김").status_code for _ in range(125)]
    assert codes[0] == 200 and codes[-1] == 429
