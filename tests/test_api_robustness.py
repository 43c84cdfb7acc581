"""No request a client can make returns a 500: every write endpoint meets odd bodies and ids."""
import re

import pytest

ODD_BODIES = [None, [], {}, {"x": 1}, "text", 12, {"title": None, "body": [], "to": 5, "value": "x", "mode": {}},
              {"target_id": "1", "user_id": 10**30, "organization_id": -1, "id": True, "points": 1.5,
               "due_on": "2026-13-45", "accept": "yes", "approve": None, "reason": ["a"], "kind": 0},
              {"community_share_bp": 10**40, "proposer_bp": "1", "backers_cap_multiple_bp": []}]
ODD_IDS = ["0", "1", "99999999999999999999"]


@pytest.fixture
def actor(create_user, api_headers):
    """A user who is citizen, expert and steward at once, to reach every rule."""
    return api_headers(create_user(roles=["expert", "steward"]))


#: routes that would revoke the actor's own token and leave every later request a 401 (tests/test_accounts.py)
ENDS_THE_TOKEN = {"/api/v1/tokens/current", "/api/v1/tokens/<int:token_id>"}


def _write_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"} \
                and rule.rule not in ENDS_THE_TOKEN:
            yield rule


def test_write_endpoints_never_fail_with_a_500(app, client, db, create_idea, actor):
    idea = create_idea(status="shortlisted")
    client.post(f"/api/v1/ideas/{idea.id}/adopt", headers=actor)  # so proposal 1 exists
    seen = []
    for rule in _write_routes(app):
        for ident in ODD_IDS:
            path = re.sub(r"<(?:int:)?[a-z_]+>", ident, rule.rule)
            for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
                for body in ODD_BODIES:
                    response = client.open(path, method=method, json=body, headers=actor)
                    assert response.status_code < 500, (method, path, body, response.get_data(as_text=True))
                    assert "error" in response.get_json() or response.status_code < 300
                    seen.append(response.status_code)
    assert len(seen) > 300 and any(400 <= s < 500 for s in seen)
