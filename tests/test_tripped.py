"""What a new user tripped on: each reproduction from the trust review, as a test."""
import html
import re
from pathlib import Path

import sqlalchemy as sa

from app.ideas.operations import support_idea
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.models import Proposal
from app.proposals.operations import adopt_idea

ROOT = Path(__file__).resolve().parent.parent


def _form_values(page: str, action: str) -> dict:
    """The fields a browser would send from the form posting to `action`, as the page fills them."""
    form = page[page.index(f'action="{action}"'):]
    form = form[:form.index("</form>")]
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        values[name] = html.unescape(value)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = html.unescape(body).lstrip("\n")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        tags = re.findall(r"<option[^>]*>", options)
        chosen = [t for t in tags if re.search(r"\bselected\b", t)] or tags[:1]
        values[name] = re.search(r'value="([^"]*)"', chosen[0]).group(1)
    return values


def test_saving_the_unchanged_workspace_changes_nothing(client, db, create_user, create_idea, login_as):
    """It used to move every proposal to 가평군, the first city in the list."""
    idea = create_idea(municipality="suwon")
    support_idea(idea, create_user())
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
    lead = create_user(roles=["expert"])
    proposal = adopt_idea(idea, lead)
    db.session.commit()
    before = {c: getattr(proposal, c) for c in ("title", "problem", "site", "municipality_id", "budget_amount")}
    login_as(lead)
    action = f"/proposals/{proposal.id}/edit"
    values = _form_values(client.get(f"/proposals/{proposal.id}").get_data(as_text=True), action)
    assert values["municipality"] == "suwon"
    client.post(action, data=values)
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert {c: getattr(proposal, c) for c in before} == before


def test_nothing_submits_a_form_when_a_select_changes():
    """Picking a role in the team form used to reload the page with an error (WCAG 3.2.2)."""
    script = (ROOT / "static" / "js" / "gops.js").read_text()
    assert '"change"' not in script and "form.submit()" not in script


def test_the_expert_application_button_is_not_the_filter_button(client, login_as, create_user):
    """Both said "Apply", translated "적용" (apply a filter) on the expert application."""
    login_as(create_user())
    page = client.get("/experts/apply").get_data(as_text=True)
    assert ">적용<" not in page and "신청" in page
