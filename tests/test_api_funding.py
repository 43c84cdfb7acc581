"""The funding API against a real localstripe: rounds, pledges, cancel, close, portfolio, investor categories,
matching pools, questions; and every bad input refused with a clear message and no money moved."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import as_utc, utcnow
from app.funding.models import Pledge
from app.ledger.queries import balance, find_account
from tests.fixtures.core import is_postgres
from tests.fixtures.funding import CARD, DECLINED, ledger_violations
from tests.fixtures.proposals import municipal_org, representative

PLEDGE = {"units": 2, "payment_method": CARD, "investor_category": "general", "risk_acknowledged": True}


def escrow_of(round_) -> int:
    return balance(find_account("round_escrow", "round", round_.id))


def processor_balance() -> int:
    return balance(find_account("processor"))


def pledge_count() -> int:
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count(Pledge.id)))


def assert_nothing_moved(round_):
    """No won in escrow or out of the processor, and the ledger's invariants hold."""
    assert escrow_of(round_) == 0 and processor_balance() == 0
    assert ledger_violations() == []


def error_of(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def round_body(**changes):
    opens = utcnow() + timedelta(hours=1)
    body = {"target_amount": 1_000_000, "cap_amount": 2_000_000, "unit_price": 10_000, "min_units": 1,
            "opens_at": opens.isoformat(), "closes_at": (opens + timedelta(days=30)).isoformat(),
            "offering_summary": "스마트 가로등 시범 사업의 수익 지분을 모집합니다.",
            "risk_statement": "원금 손실 위험이 있습니다."}
    return {**body, **changes}


@pytest.fixture
def backer(create_user, api_headers):
    """A verified citizen and their API headers."""
    user = create_user()
    return user, api_headers(user)


# rounds
def test_a_lead_drafts_a_steward_approves_and_the_lead_opens(client, db, payments, create_user, api_headers):
    from tests.fixtures.proposals import make_proposal

    proposal = make_proposal("funding")
    lead = api_headers(proposal.lead_expert)
    steward = api_headers(create_user(roles=["steward"]))
    opens = (utcnow() + timedelta(hours=2)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    body = round_body(opens_at=opens.isoformat(), closes_at=(opens + timedelta(days=20)).isoformat())
    created = client.post(f"/api/v1/proposals/{proposal.id}/rounds", json=body, headers=lead)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/rounds/{data['id']}")
    assert (data["status"], data["target_amount"], data["currency"]) == ("draft", 1_000_000, "KRW")
    assert data["share_terms"]["frozen"] is True and data["share_terms"]["backers_bp"] == 5000
    # the offset is kept as an instant (SQLite stores none)
    assert as_utc(__import__("datetime").datetime.fromisoformat(data["opens_at"])) == opens
    round_id = data["id"]
    # a draft is the lead's and the stewards' only
    assert client.get(f"/api/v1/rounds/{round_id}").status_code == 404
    assert client.get(f"/api/v1/rounds/{round_id}", headers=api_headers(create_user())).status_code == 404
    assert client.get(f"/api/v1/rounds/{round_id}", headers=steward).status_code == 200
    assert round_id not in [r["id"] for r in client.get("/api/v1/rounds").get_json()["items"]]
    assert round_id in [r["id"] for r in client.get("/api/v1/rounds?status=draft", headers=steward).get_json()["items"]]
    error_of(client.get("/api/v1/rounds?status=draft", headers=lead), 403, "not_steward")

    edited = client.patch(f"/api/v1/rounds/{round_id}", json={"risk_statement": "원금 전액을 잃을 수 있습니다."}, headers=lead)
    assert edited.status_code == 200 and edited.get_json()["risk_version"] == 2
    error_of(client.patch(f"/api/v1/rounds/{round_id}", json={"status": "open"}, headers=lead), 400, "unknown_fields")

    error_of(client.post(f"/api/v1/rounds/{round_id}/approve", headers=lead), 403, "not_steward")
    approved = client.post(f"/api/v1/rounds/{round_id}/approve", json={"reason": "조건 확인"}, headers=steward)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    error_of(client.patch(f"/api/v1/rounds/{round_id}", json={"min_units": 2}, headers=lead), 409, "not_draft")
    assert client.get(f"/api/v1/rounds/{round_id}").status_code == 200  # announced: public

    opened = client.post(f"/api/v1/rounds/{round_id}/open", headers=lead)
    assert opened.status_code == 200, opened.get_json()
    data = opened.get_json()
    assert data["status"] == "open" and data["seconds_left"] > 19 * 86400
    assert data["permissions"]["pledge"] is False  # the lead cannot back their own round
    assert round_id in [r["id"] for r in client.get("/api/v1/rounds?status=open").get_json()["items"]]
    error_of(client.post(f"/api/v1/rounds/{round_id}/open", headers=lead), 409, "already_open")


def test_the_round_shows_progress_pools_and_my_room(client, db, create_round, place, backer):
    round_ = create_round(target_amount=1_000_000, cap_amount=2_000_000, unit_price=10_000)
    user, headers = backer
    place(round_, user, units=30)
    data = client.get(f"/api/v1/rounds/{round_.id}", headers=headers).get_json()
    assert (data["raised_amount"], data["committed_amount"], data["backer_count"]) == (300_000, 300_000, 1)
    assert data["percent_of_target"] == 30 and data["units_left"] == 170 and data["needed_amount"] == 1_000_000
    assert data["my_room"] == {
        "category": "general", "per_proposal_limit_amount": 5_000_000, "per_year_limit_amount": 10_000_000,
        "per_proposal_used_amount": 300_000, "per_year_used_amount": 300_000,
        "per_proposal_left_amount": 4_700_000, "per_year_left_amount": 9_700_000, "left_amount": 4_700_000,
        "left_units": 170, "currency": "KRW"}
    assert data["matching_pools"] == [] and data["permissions"]["pledge"] is True
    anonymous = client.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert anonymous["my_room"] is None and "permissions" not in anonymous
    listed = client.get("/api/v1/rounds?per_page=5").get_json()
    assert listed["page"] == 1 and listed["per_page"] == 5 and listed["total"] == 1
    assert listed["items"][0]["raised_amount"] == 300_000
    error_of(client.get("/api/v1/rounds?status=nonsense"), 400, "invalid_status")
    error_of(client.get("/api/v1/rounds/999999"), 404, "round_not_found")


def test_drafting_refuses_strangers_and_bad_numbers(client, db, payments, create_user, api_headers):
    from tests.fixtures.proposals import make_proposal

    proposal = make_proposal("funding")
    lead = api_headers(proposal.lead_expert)
    url = f"/api/v1/proposals/{proposal.id}/rounds"
    error_of(client.post(url, json=round_body()), 401, "not_authenticated")
    error_of(client.post(url, json=round_body(), headers=api_headers(create_user())), 403, "not_lead")
    error_of(client.post(url, json=round_body(target_amount="lots"), headers=lead), 400, "invalid_type")
    error_of(client.post(url, json=round_body(unit_price=1.5), headers=lead), 400, "invalid_type")
    error_of(client.post(url, json=round_body(cap_amount=True), headers=lead), 400, "invalid_type")
    bad = error_of(client.post(url, json=round_body(cap_amount=500_000), headers=lead), 422, "validation_failed")
    assert "cap_amount" in bad["fields"]
    bad = error_of(client.post(url, json=round_body(target_amount=0), headers=lead), 422, "validation_failed")
    assert "target_amount" in bad["fields"]
    bad = error_of(client.post(url, json=round_body(opens_at="9999-12-31T23:00:00-23:59"), headers=lead), 422,
                   "validation_failed")
    assert "opens_at" in bad["fields"]
    bad = error_of(client.post(url, json=round_body(closes_at="tomorrow"), headers=lead), 422, "validation_failed")
    assert "closes_at" in bad["fields"]
    error_of(client.post(url, json=[1], headers=lead), 400, "invalid_json")
    error_of(client.post("/api/v1/proposals/999999/rounds", json=round_body(), headers=lead), 404, "not_found")
    assert client.post(url, json=round_body(), headers=lead).status_code == 201
    error_of(client.post(url, json=round_body(), headers=lead), 409, "round_exists")


def test_cancelling_rounds(client, db, create_round, place, create_user, api_headers):
    steward_user = create_user(roles=["steward"])
    steward = api_headers(steward_user)
    draft = create_round(status="draft")
    lead = api_headers(draft.proposal.lead_expert)
    error_of(client.post(f"/api/v1/rounds/{draft.id}/cancel", headers=api_headers(create_user())), 404,
             "round_not_found")
    cancelled = client.post(f"/api/v1/rounds/{draft.id}/cancel", headers=lead)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    error_of(client.post(f"/api/v1/rounds/{draft.id}/cancel", headers=lead), 409, "invalid_transition")

    open_round = create_round()
    place(open_round, create_user(), units=4)
    place(open_round, create_user(), units=3)
    lead = api_headers(open_round.proposal.lead_expert)
    url = f"/api/v1/rounds/{open_round.id}/cancel"
    error_of(client.post(url, json={"reason": "사정이 바뀌었습니다."}, headers=lead), 403, "not_steward")
    error_of(client.post(url, json={}, headers=steward), 422, "validation_failed")
    assert escrow_of(open_round) == 70_000
    done = client.post(url, json={"reason": "약속한 시범 부지가 취소되었습니다."}, headers=steward)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    statuses = set(db.session.scalars(sa.select(Pledge.status).where(Pledge.round_id == open_round.id)))
    assert statuses == {"refunded"}
    assert_nothing_moved(open_round)


def test_return_to_draft_needs_a_reason(client, db, create_round, create_user, api_headers):
    round_ = create_round(status="approved")
    steward = api_headers(create_user(roles=["steward"]))
    error_of(client.post(f"/api/v1/rounds/{round_.id}/return", json={"reason": ""}, headers=steward), 422,
             "validation_failed")
    back = client.post(f"/api/v1/rounds/{round_.id}/return", json={"reason": "위험 고지를 보완해 주세요."}, headers=steward)
    assert back.status_code == 200 and back.get_json()["status"] == "draft"


# pledges
def test_a_pledge_is_charged_into_escrow(client, db, create_round, backer):
    round_ = create_round(unit_price=10_000)
    user, headers = backer
    response = client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 3}, headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["units"], data["amount"], data["currency"], data["status"]) == (3, 30_000, "KRW", "succeeded")
    assert data["created_at"] and data["succeeded_at"] and data["refunded_at"] is None and data["cancellable"]
    assert response.headers["Location"].endswith(f"/api/v1/pledges/{data['id']}")
    assert escrow_of(round_) == 30_000 and processor_balance() == -30_000
    shown = client.get(f"/api/v1/pledges/{data['id']}", headers=headers).get_json()
    assert shown["status"] == "succeeded" and shown["matches"] == []
    assert ledger_violations() == []


def test_an_idempotency_key_replay_charges_once(client, db, create_round, backer):
    round_ = create_round()
    _user, headers = backer
    keyed = {**headers, "Idempotency-Key": "pledge-attempt-1"}
    first = client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=keyed)
    again = client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert pledge_count() == 1 and escrow_of(round_) == 20_000 and processor_balance() == -20_000
    error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 5}, headers=keyed), 409,
             "idempotency_key_reused")
    # a refusal keeps nothing: the same key may be used again once the request is right
    other = {**headers, "Idempotency-Key": "pledge-attempt-2"}
    error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 0}, headers=other), 422,
             "validation_failed")
    assert client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=other).status_code == 201
    assert pledge_count() == 2 and ledger_violations() == []


def test_a_retry_after_a_crash_mid_charge_is_never_charged_again(client, db, create_round, backer):
    from app.funding.gateway import use_gateway
    from app.funding.stripe_gateway import StripeGateway

    round_ = create_round()
    _user, headers = backer
    keyed = {**headers, "Idempotency-Key": "crash-1"}

    class Killed(StripeGateway):
        def create(self, **kwargs):
            raise KeyboardInterrupt  # the worker dies after the reservation is committed

    use_gateway(Killed("sk_test_gops", api_base=client.application.config["STRIPE_API_BASE"]))
    try:
        with pytest.raises(KeyboardInterrupt):
            client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=keyed)
    finally:
        use_gateway(None)
    error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=keyed), 409,
             "idempotency_in_progress")
    assert pledge_count() == 1 and db.session.scalar(sa.select(Pledge.status)) == "created"
    assert escrow_of(round_) == 0 and processor_balance() == 0 and ledger_violations() == []


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL")
def test_one_key_sent_five_times_at_once_charges_once(app, db, create_round, backer):
    import threading

    from flask.testing import FlaskClient

    round_ = create_round()
    _user, headers = backer
    keyed = {**headers, "Idempotency-Key": "five-at-once"}
    url = f"/api/v1/rounds/{round_.id}/pledges"
    db.session.commit()
    barrier, answers = threading.Barrier(5), []

    def send():
        barrier.wait(timeout=30)
        response = FlaskClient(app).post(url, json=PLEDGE, headers=keyed)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pledge_count() == 1 and escrow_of(round_) == 20_000 and processor_balance() == -20_000
    assert {status for status, _body in answers} <= {201, 409} and 201 in {status for status, _body in answers}
    assert {body["error"]["code"] for status, body in answers if status == 409} <= {"idempotency_in_progress"}
    assert len({body["id"] for status, body in answers if status == 201}) == 1
    assert ledger_violations() == []


def test_a_declined_card_is_422_with_the_failed_pledge_and_no_money(client, db, create_round, backer):
    round_ = create_round()
    _user, headers = backer
    keyed = {**headers, "Idempotency-Key": "declined-1"}
    response = client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "payment_method": DECLINED},
                           headers=keyed)
    error = error_of(response, 422, "card_declined")
    pledge = db.session.get(Pledge, error["pledge_id"])
    assert error["fields"]["pledge_id"] == [str(pledge.id)] and error["pledge"]["status"] == "failed"
    assert pledge.status == "failed" and pledge.failed_at is not None
    assert client.get(f"/api/v1/pledges/{pledge.id}", headers=headers).get_json()["failed_at"]
    # the retry with the key is answered from the record, without a second attempt
    again = client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "payment_method": DECLINED},
                        headers=keyed)
    assert again.status_code == 422 and again.get_json() == response.get_json()
    assert pledge_count() == 1
    db.session.refresh(round_)
    assert round_.committed_amount == 0
    assert_nothing_moved(round_)


def test_an_unknown_card_fails_the_pledge_cleanly(client, db, create_round, backer):
    round_ = create_round()
    _user, headers = backer
    for method in ("pm_nonexistent", "card_123", "src_x"):
        response = client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "payment_method": method},
                               headers=headers)
        error_of(response, 422, "card_declined")
    error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "payment_method": "tok; drop"},
                         headers=headers), 422, "validation_failed")
    assert_nothing_moved(round_)


BAD_PLEDGES = [
    ({"units": 0}, 422, "validation_failed", "units"),
    ({"units": -3}, 422, "validation_failed", "units"),
    ({"units": 1.5}, 400, "invalid_type", "units"),
    ({"units": 2.0}, 400, "invalid_type", "units"),
    ({"units": True}, 400, "invalid_type", "units"),
    ({"units": "2"}, 400, "invalid_type", "units"),
    ({"units": None}, 422, "validation_failed", "units"),
    ({"units": 10**30}, 422, "validation_failed", "units"),
    ({"units": 201}, 422, "over_cap", None),
    ({"payment_method": 42}, 400, "invalid_type", "payment_method"),
    ({"payment_method": ""}, 422, "validation_failed", "payment_method"),
    ({"payment_method": "visa"}, 422, "validation_failed", "payment_method"),
    ({"payment_method": ["pm_card_visa"]}, 400, "invalid_type", "payment_method"),
    ({"risk_acknowledged": False}, 422, "validation_failed", "risk_acknowledged"),
    ({"risk_acknowledged": "yes"}, 400, "invalid_type", "risk_acknowledged"),
    ({"risk_acknowledged": 1}, 400, "invalid_type", "risk_acknowledged"),
    ({"investor_category": "whale"}, 422, "validation_failed", "investor_category"),
    ({"investor_category": None}, 422, "validation_failed", "investor_category"),
    ({"investor_category": "professional"}, 422, "category_not_verified", None),
]


def test_bad_pledges_are_refused_with_a_reason_and_nothing_moves(client, db, create_round, backer):
    round_ = create_round(cap_amount=2_000_000, unit_price=10_000)
    _user, headers = backer
    url = f"/api/v1/rounds/{round_.id}/pledges"
    for change, status, code, field in BAD_PLEDGES:
        error = error_of(client.post(url, json={**PLEDGE, **change}, headers=headers), status, code)
        if field:
            assert field in error["fields"], (change, error)
    error_of(client.post(url, data="units=2", headers=headers), 400, "invalid_json")
    error_of(client.post(url, json=[PLEDGE], headers=headers), 400, "invalid_json")
    assert pledge_count() == 0
    db.session.refresh(round_)
    assert (round_.committed_amount, round_.raised_amount, round_.backer_count) == (0, 0, 0)
    assert_nothing_moved(round_)


def test_over_the_cap_and_over_a_limit(client, db, create_round, place, create_user, api_headers):
    round_ = create_round(target_amount=5_000_000, cap_amount=20_000_000, unit_price=100_000)
    backer = create_user()
    headers = api_headers(backer)
    place(round_, backer, units=50)  # 5,000,000 won: the whole limit per proposal
    error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 1}, headers=headers),
             422, "over_limit")
    other = api_headers(create_user())
    error = error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 151},
                                 headers=other), 422, "over_cap")
    assert "150" in error["message"]
    assert pledge_count() == 1 and escrow_of(round_) == 5_000_000 and ledger_violations() == []


def test_a_pledge_past_64_bit_won_is_simply_over_the_cap(client, db, create_round, backer):
    round_ = create_round(target_amount=10**12, cap_amount=10**13, unit_price=10**10)
    _user, headers = backer
    error = error_of(client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 10**9},
                                 headers=headers), 422, "over_cap")  # 10^19 won: more than a BIGINT holds
    assert "1000" in error["message"]
    assert pledge_count() == 0
    assert_nothing_moved(round_)


def test_who_may_pledge(client, db, create_round, create_user, api_headers):
    round_ = create_round()
    url = f"/api/v1/rounds/{round_.id}/pledges"
    error_of(client.post(url, json=PLEDGE), 401, "not_authenticated")
    error_of(client.post(url, json=PLEDGE, headers={"Authorization": "Bearer nonsense"}), 401, "invalid_token")
    error_of(client.post(url, json=PLEDGE, headers=api_headers(create_user(verified=False))), 403, "not_verified")
    error_of(client.post(url, json=PLEDGE, headers=api_headers(round_.proposal.lead_expert)), 403, "party_to_matter")
    draft = create_round(status="draft")
    error_of(client.post(f"/api/v1/rounds/{draft.id}/pledges", json=PLEDGE, headers=api_headers(create_user())), 404,
             "round_not_found")
    assert pledge_count() == 0
    assert_nothing_moved(round_)


def test_a_closed_or_announced_round_takes_no_pledge(client, db, create_round, create_user, api_headers):
    announced = create_round(status="approved")
    headers = api_headers(create_user())
    error_of(client.post(f"/api/v1/rounds/{announced.id}/pledges", json=PLEDGE, headers=headers), 422, "round_not_open")
    closed = create_round()
    steward = api_headers(create_user(roles=["steward"]))
    assert client.post(f"/api/v1/rounds/{closed.id}/cancel", json={"reason": "중단합니다."},
                       headers=steward).status_code == 200
    error_of(client.post(f"/api/v1/rounds/{closed.id}/pledges", json=PLEDGE, headers=headers), 422, "round_not_open")
    assert pledge_count() == 0
    assert_nothing_moved(closed)


def test_a_processor_that_does_not_answer_leaves_the_pledge_processing(client, db, create_round, backer):
    from app.funding.gateway import GatewayError, use_gateway
    from app.funding.stripe_gateway import StripeGateway

    round_ = create_round()
    _user, headers = backer

    class Silent(StripeGateway):
        def confirm(self, payment_id, *, idempotency_key):
            raise GatewayError("timed out")

    use_gateway(Silent("sk_test_gops", api_base=client.application.config["STRIPE_API_BASE"]))
    try:
        response = client.post(f"/api/v1/rounds/{round_.id}/pledges", json=PLEDGE, headers=headers)
    finally:
        use_gateway(None)
    assert response.status_code == 202, response.get_json()
    data = response.get_json()
    assert data["status"] == "created" and data["succeeded_at"] is None
    assert escrow_of(round_) == 0 and ledger_violations() == []


# a pledge's backer
def test_cancelling_a_pledge_refunds_it_once(client, db, create_round, place, backer, create_user, api_headers):
    round_ = create_round()
    user, headers = backer
    pledge = place(round_, user, units=4)
    error_of(client.post(f"/api/v1/pledges/{pledge.id}/cancel"), 401, "not_authenticated")
    stranger = api_headers(create_user())
    error_of(client.get(f"/api/v1/pledges/{pledge.id}", headers=stranger), 404, "pledge_not_found")
    error_of(client.post(f"/api/v1/pledges/{pledge.id}/cancel", headers=stranger), 404, "pledge_not_found")
    assert escrow_of(round_) == 40_000
    done = client.post(f"/api/v1/pledges/{pledge.id}/cancel", headers=headers)
    assert done.status_code == 200, done.get_json()
    data = done.get_json()
    assert data["status"] == "refunded" and data["cancel_requested_at"] and data["refunded_at"]
    assert data["refund_reason"] == "cancelled" and data["cancellable"] is False
    error_of(client.post(f"/api/v1/pledges/{pledge.id}/cancel", headers=headers), 409, "already_cancelled")
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.committed_amount, round_.backer_count) == (0, 0, 0)
    assert_nothing_moved(round_)


def test_cancelling_stops_48_hours_before_closing(client, db, create_round, place, backer, monkeypatch):
    import app.funding.pledging as pledging

    round_ = create_round()
    user, headers = backer
    pledge = place(round_, user, units=1)
    late = as_utc(round_.closes_at) - timedelta(hours=47)
    monkeypatch.setattr(pledging, "utcnow", lambda: late)
    error = error_of(client.post(f"/api/v1/pledges/{pledge.id}/cancel", headers=headers), 409, "past_cutoff")
    assert "48" in error["message"]
    db.session.refresh(pledge)
    assert pledge.status == "succeeded" and escrow_of(round_) == 10_000 and ledger_violations() == []


def test_the_portfolio(client, db, create_round, place, backer):
    first, second = create_round(), create_round()
    user, headers = backer
    place(first, user, units=2)
    refunded = place(first, user, units=1)
    place(second, user, units=5)
    assert client.post(f"/api/v1/pledges/{refunded.id}/cancel", headers=headers).status_code == 200
    error_of(client.get("/api/v1/me/portfolio"), 401, "not_authenticated")
    items = {row["proposal"]["id"]: row for row in client.get("/api/v1/me/portfolio", headers=headers).get_json()["items"]}
    row = items[first.proposal_id]
    assert (row["units"], row["invested_amount"], row["refunded_amount"], row["in_escrow_amount"]) == (0, 0, 10_000, 20_000)
    assert row["currency"] == "KRW" and [p["status"] for p in row["pledges"]] == ["refunded", "succeeded"]
    assert items[second.proposal_id]["in_escrow_amount"] == 50_000


# closing
def test_closing_is_for_stewards_once_the_time_is_up(client, db, create_round, place, create_user, api_headers,
                                                      monkeypatch):
    import app.funding.closing as closing

    round_ = create_round(target_amount=100_000, cap_amount=300_000, unit_price=10_000)
    backers = [create_user(), create_user()]
    place(round_, backers[0], units=6)
    place(round_, backers[1], units=5)
    steward = api_headers(create_user(roles=["steward"]))
    url = f"/api/v1/rounds/{round_.id}/close"
    error_of(client.post(url), 401, "not_authenticated")
    error_of(client.post(url, headers=api_headers(backers[0])), 403, "not_steward")
    error_of(client.post(url, headers=steward), 409, "not_due")
    monkeypatch.setattr(closing, "utcnow", lambda: as_utc(round_.closes_at) + timedelta(seconds=1))
    closed = client.post(url, headers=steward)
    assert closed.status_code == 200, closed.get_json()
    data = closed.get_json()
    assert data["status"] == "succeeded" and data["settled_at"] and data["fee_amount"] == 110_000 * 500 // 10_000
    assert escrow_of(round_) == 0
    assert balance(find_account("proposal_treasury", "proposal", round_.proposal_id)) == 110_000 - 5_500
    assert client.post(url, headers=steward).get_json()["status"] == "succeeded"  # again: nothing changes
    assert balance(find_account("fees")) == 5_500
    row = client.get("/api/v1/me/portfolio", headers=api_headers(backers[0])).get_json()["items"][0]
    assert (row["units"], row["invested_amount"], row["in_escrow_amount"]) == (6, 60_000, 0)
    assert ledger_violations() == []


def test_a_round_below_target_refunds_on_close(client, db, create_round, place, create_user, api_headers,
                                               monkeypatch):
    import app.funding.closing as closing

    round_ = create_round(target_amount=1_000_000)
    place(round_, create_user(), units=3)
    monkeypatch.setattr(closing, "utcnow", lambda: as_utc(round_.closes_at) + timedelta(seconds=1))
    closed = client.post(f"/api/v1/rounds/{round_.id}/close", headers=api_headers(create_user(roles=["steward"])))
    assert closed.status_code == 200 and closed.get_json()["status"] == "failed"
    assert set(db.session.scalars(sa.select(Pledge.status))) == {"refunded"}
    assert_nothing_moved(round_)


# investor categories
def test_an_investor_category_is_requested_and_verified(client, db, create_round, place, backer, create_user,
                                                        api_headers):
    user, headers = backer
    shown = client.get("/api/v1/me/investor", headers=headers).get_json()
    assert (shown["category"], shown["per_proposal_limit_amount"], shown["per_year_limit_amount"]) == (
        "general", 5_000_000, 10_000_000)
    assert shown["latest_request"] is None and shown["per_year_left_amount"] == 10_000_000
    error_of(client.post("/api/v1/me/investor-category-requests", json={"category": "general",
                                                                        "evidence": "소득 증명서를 제출합니다."},
                         headers=headers), 422, "validation_failed")
    error_of(client.post("/api/v1/me/investor-category-requests", json={"category": "qualified", "evidence": 7},
                         headers=headers), 400, "invalid_type")
    made = client.post("/api/v1/me/investor-category-requests",
                       json={"category": "professional", "evidence": "금융투자협회 전문투자자 등록 확인서 번호 2026-123"},
                       headers=headers)
    assert made.status_code == 201 and made.get_json()["status"] == "pending"
    request_id = made.get_json()["id"]
    assert client.get("/api/v1/me/investor", headers=headers).get_json()["latest_request"]["id"] == request_id
    steward_user = create_user(roles=["steward"])
    steward = api_headers(steward_user)
    assert [r["id"] for r in client.get("/api/v1/investor-category-requests", headers=steward).get_json()["items"]] \
        == [request_id]
    error_of(client.get("/api/v1/investor-category-requests", headers=headers), 403, "not_steward")
    url = f"/api/v1/investor-category-requests/{request_id}/decision"
    error_of(client.post(url, json={"approve": True, "reason": "확인했습니다."}, headers=headers), 403, "not_steward")
    error_of(client.post(url, json={"approve": "yes", "reason": "확인"}, headers=steward), 400, "invalid_type")
    error_of(client.post(url, json={"reason": "확인"}, headers=steward), 422, "validation_failed")
    error_of(client.post(url, json={"approve": True, "reason": ""}, headers=steward), 422, "validation_failed")
    decided = client.post(url, json={"approve": True, "reason": "등록 확인서를 확인했습니다."}, headers=steward)
    assert decided.status_code == 200 and decided.get_json()["status"] == "verified"
    error_of(client.post(url, json={"approve": False, "reason": "다시"}, headers=steward), 409, "invalid_transition")
    shown = client.get("/api/v1/me/investor", headers=headers).get_json()
    assert shown["category"] == "professional" and shown["per_year_limit_amount"] is None
    # the professional category has no limit now
    round_ = create_round(target_amount=5_000_000, cap_amount=20_000_000, unit_price=100_000)
    response = client.post(f"/api/v1/rounds/{round_.id}/pledges",
                           json={**PLEDGE, "units": 60, "investor_category": "professional"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["amount"] == 6_000_000
    assert client.get(f"/api/v1/rounds/{round_.id}", headers=headers).get_json()["my_room"]["left_amount"] is None


def test_a_steward_does_not_verify_their_own_category(client, db, create_user, api_headers):
    steward_user = create_user(roles=["steward"])
    headers = api_headers(steward_user)
    made = client.post("/api/v1/me/investor-category-requests",
                       json={"category": "qualified", "evidence": "근로소득 원천징수영수증 1억 원 이상"}, headers=headers)
    url = f"/api/v1/investor-category-requests/{made.get_json()['id']}/decision"
    error_of(client.post(url, json={"approve": True, "reason": "본인"}, headers=headers), 403, "party_to_matter")


# matching
def test_a_matching_pool_is_offered_funded_and_matches(client, db, create_round, create_user, api_headers):
    round_ = create_round(target_amount=1_000_000, cap_amount=3_000_000, unit_price=10_000)
    city = municipal_org("suwon")
    rep = representative(city)
    rep_headers = api_headers(rep)
    url = f"/api/v1/rounds/{round_.id}/matching-pools"
    body = {"organization_id": city.id, "factor_bp": 10_000, "pledge_cap_amount": 50_000, "round_cap_amount": 200_000}
    error_of(client.post(url, json=body, headers=api_headers(create_user())), 403, "not_representative")
    error_of(client.post(url, json={**body, "organization_id": 999_999}, headers=rep_headers), 422, "validation_failed")
    error_of(client.post(url, json={**body, "factor_bp": "1:1"}, headers=rep_headers), 400, "invalid_type")
    error_of(client.post(url, json={**body, "round_cap_amount": 10_000}, headers=rep_headers), 422,
             "validation_failed")
    offered = client.post(url, json=body, headers=rep_headers)
    assert offered.status_code == 201, offered.get_json()
    pool = offered.get_json()
    assert (pool["status"], pool["deposit_amount"], pool["currency"]) == ("awaiting_deposit", 200_000, "KRW")
    deposit = f"/api/v1/matching-pools/{pool['id']}/deposit"
    error_of(client.post(deposit, json={"reference": "KB 123-456"}, headers=rep_headers), 403, "not_steward")
    steward = api_headers(create_user(roles=["steward"]))
    error_of(client.post(deposit, json={"reference": ""}, headers=steward), 422, "validation_failed")
    funded = client.post(deposit, json={"reference": "KB 123-456"}, headers=steward)
    assert funded.status_code == 200 and funded.get_json()["status"] == "active"
    backer = create_user()
    headers = api_headers(backer)
    made = client.post(f"/api/v1/rounds/{round_.id}/pledges", json={**PLEDGE, "units": 3}, headers=headers)
    assert made.status_code == 201
    assert [(m["amount"], m["status"]) for m in made.get_json()["matches"]] == [(30_000, "paid")]
    data = client.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert (data["raised_amount"], data["matched_amount"]) == (60_000, 30_000)
    assert data["matching_pools"][0]["left_amount"] == 170_000
    assert escrow_of(round_) == 60_000
    # the match follows its pledge back
    cancelled = client.post(f"/api/v1/pledges/{made.get_json()['id']}/cancel", headers=headers).get_json()
    assert [m["status"] for m in cancelled["matches"]] == ["reversed"]
    data = client.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert (data["raised_amount"], data["matched_amount"], data["matching_pools"][0]["left_amount"]) == (0, 0, 200_000)
    assert escrow_of(round_) == 0 and ledger_violations() == []


# questions
def test_questions_and_answers(client, db, create_round, create_user, api_headers):
    round_ = create_round()
    asker = api_headers(create_user())
    url = f"/api/v1/rounds/{round_.id}/questions"
    error_of(client.post(url, json={"body": "언제 설치하나요?"}), 401, "not_authenticated")
    error_of(client.post(url, json={"body": "짧"}, headers=asker), 422, "validation_failed")
    error_of(client.post(url, json={"body": 5}, headers=asker), 400, "invalid_type")
    asked = client.post(url, json={"body": "가로등은 언제 설치하나요?"}, headers=asker)
    assert asked.status_code == 201
    question = asked.get_json()
    listed = client.get(url).get_json()
    assert listed["total"] == 1 and listed["items"][0]["answer"] is None
    answer = f"/api/v1/questions/{question['id']}/answer"
    error_of(client.post(answer, json={"answer": "다음 달입니다."}, headers=asker), 403, "not_team")
    lead = api_headers(round_.proposal.lead_expert)
    done = client.post(answer, json={"answer": "다음 달 첫 주에 설치합니다."}, headers=lead)
    assert done.status_code == 200 and done.get_json()["answered_by"]["id"] == round_.proposal.lead_expert_id
    error_of(client.post(answer, json={"answer": "다시 답합니다."}, headers=lead), 409, "already_answered")
    assert client.get(url).get_json()["items"][0]["answer"] == "다음 달 첫 주에 설치합니다."
    error_of(client.get("/api/v1/rounds/999999/questions"), 404, "round_not_found")


def test_every_write_needs_a_login(client, db, create_round, place, create_user):
    round_ = create_round()
    pledge = place(round_, create_user(), units=1)
    writes = [("post", f"/api/v1/proposals/{round_.proposal_id}/rounds"), ("patch", f"/api/v1/rounds/{round_.id}"),
              *[("post", f"/api/v1/rounds/{round_.id}/{verb}") for verb in (
                  "approve", "return", "open", "cancel", "close", "pledges", "matching-pools", "questions")],
              ("post", f"/api/v1/pledges/{pledge.id}/cancel"), ("get", f"/api/v1/pledges/{pledge.id}"),
              ("get", "/api/v1/me/portfolio"), ("get", "/api/v1/me/investor"),
              ("post", "/api/v1/me/investor-category-requests"), ("get", "/api/v1/investor-category-requests"),
              ("post", "/api/v1/investor-category-requests/1/decision"), ("post", "/api/v1/matching-pools/1/deposit"),
              ("post", "/api/v1/questions/1/answer")]
    for method, url in writes:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.get_json()["error"]["code"] == "not_authenticated"
    db.session.refresh(round_)
    assert round_.status == "open" and escrow_of(round_) == 10_000 and ledger_violations() == []


def test_the_openapi_document_validates_and_names_every_funding_path(client):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", client.application)
    schema.validate()
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/rounds", "/api/v1/rounds/{round_id}", "/api/v1/proposals/{proposal_id}/rounds",
                 "/api/v1/rounds/{round_id}/pledges", "/api/v1/pledges/{pledge_id}/cancel", "/api/v1/me/portfolio",
                 "/api/v1/rounds/{round_id}/close", "/api/v1/rounds/{round_id}/matching-pools"):
        assert path in paths
    assert set(paths["/api/v1/rounds/{round_id}/pledges"]["post"]["responses"]) >= {"201", "202", "401", "422"}
