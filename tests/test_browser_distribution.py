"""Revenue shared in real Chromium (Debian's), driven by Playwright: the lead expert reports revenue through the
form, a steward records the pool (it is distributed), the proposer and a backer read their statements and see
their earnings chart drawn under the Content-Security-Policy, and the commons page shows the fund."""
import sqlalchemy as sa

from app.distribution.models import RevenueReport
from tests.fixtures.core import PASSWORD
from tests.fixtures.funding import ledger_violations
from tests.test_browser_funding import live_server, page  # noqa: F401 - fixtures

#: how many pixels of a canvas are painted (not transparent)
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { painted += 1; } }
  return painted;
}"""


def log_in(page, server, user):
    """Log in through the form, as whoever was logged in before logs out."""
    page.context.clear_cookies()
    page.goto(f"{server}/auth/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def drawn(page, canvas_id: str) -> int:
    """Wait for Chart.js to take the canvas, then count its painted pixels."""
    page.wait_for_function(f"window.Chart && Chart.getChart(document.getElementById('{canvas_id}')) !== undefined")
    return page.evaluate(PAINTED, canvas_id)


def test_revenue_reported_distributed_and_seen_on_statements_charts_and_the_commons_page(
        db, live_server, page, earning, create_user):  # noqa: F811 - fixtures
    proposal, (backer, _small), _contributors = earning()
    lead, proposer = proposal.lead_expert, proposal.idea.author
    steward = create_user(roles=["steward"])
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before filing and distributing

    log_in(page, live_server, lead)
    page.goto(f"{live_server}/proposals/{proposal.id}/revenue")
    page.fill("#period_start", "2026-07-01")
    page.fill("#period_end", "2026-09-30")
    page.fill("#revenue_amount", "1000000")
    page.fill("#evidence_note", "3분기 세금계산서 합계")
    page.click("button[value=preview]")
    assert "20,000원" in page.inner_text("#preview") and "100,000원" in page.inner_text("#preview")
    page.set_input_files("#evidence", files=[{"name": "3분기.csv", "mimeType": "text/csv",
                                              "buffer": b"quarter,revenue\n2026Q3,1000000\n"}])
    page.click("button[value=file]")
    page.wait_for_url(lambda url: "#report-" in url)
    assert page.is_visible(".flash-info")
    db.session.expire_all()
    report = db.session.scalar(sa.select(RevenueReport))
    assert (report.status, report.pool_amount, report.evidence_name) == ("reported", 100_000, "3분기.csv")

    log_in(page, live_server, steward)
    page.goto(f"{live_server}/revenue/desk")
    assert proposal.title in page.inner_text("#pools")
    page.fill(f"#pool-reference-{report.id}", "농협 이체 2026-10-05")
    page.click(f"#report-{report.id} button.primary")
    page.wait_for_selector(".flash-info")
    assert "100,000원" in page.inner_text(".flash-info")
    db.session.expire_all()
    assert db.session.get(RevenueReport, report.id).status == "distributed"
    assert ledger_violations() == []

    for person, amount in ((proposer, "20,000원"), (backer, "37,500원")):
        log_in(page, live_server, person)
        page.goto(f"{live_server}/me/statements")
        assert proposal.title in page.inner_text("#lines") and amount in page.inner_text("#sum-net")
        page.goto(f"{live_server}/me/earnings")
        assert amount in page.inner_text("#earnings-total")
        assert drawn(page, "earnings-chart") > 100

    page.context.clear_cookies()
    page.goto(f"{live_server}/commons")
    assert "10,000원" in page.inner_text("#commons-balance")
    assert proposal.title in page.inner_text("#movements")
    assert drawn(page, "commons-chart") > 100
    assert page.console_errors == []
