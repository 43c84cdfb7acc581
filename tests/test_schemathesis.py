"""Schemathesis over the OpenAPI document: no 5xx and no response that breaks the schema, anonymous and with a token.

Each operation gets a bounded number of generated requests (positive and negative data), called
in-process through WSGI. (schemathesis' own pytest plugin does not run under this pytest, so the
test walks the operations itself and runs a Hypothesis test per operation.)
"""
from itertools import product

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

#: generated requests per operation and mode (valid and invalid data): a minute or two on both databases
EXAMPLES = 8
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


#: tags whose operations run against real rows (below), with localstripe behind them, rather than with the others
WITH_ROWS = ["funding", "distribution"]


def _run(app, headers=None, *, tag=None, ids=None) -> list[str]:
    """Every operation but funding's and distribution's (or only those tagged `tag`), EXAMPLES requests each;
    returns what went wrong (empty when all is well). `ids` pins path parameters to rows that exist
    ({"round_id": 3}), so the generated bodies reach them (funding's and distribution's operations run that way,
    below, with localstripe behind them)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema = schema.include(tag=tag) if tag else schema.exclude(tag=WITH_ROWS)
    problems = []
    for result, mode in product(schema.get_all_operations(), schemathesis.GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def exercise(case):
            for name, value in (ids or {}).items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Unsatisfiable:
            pass  # nothing to make invalid (an operation without parameters or body)
        except Exception as exc:  # noqa: BLE001 - collected and reported together below
            problems.append(f"{operation.label} ({mode.value}): {str(exc)[:600]}")
    return problems


def test_anonymous_requests(app):
    assert _run(app) == []


def test_requests_with_a_token(app, create_user, api_headers):
    assert _run(app, api_headers(create_user(roles=["steward", "expert"]))) == []


def _funding_rows(create_round, place, create_user):
    """An open round with a paid pledge, a question, a matching pool awaiting its deposit and a category request."""
    from app.extensions import db
    from app.funding import matching
    from app.funding.operations import ask_question, request_category
    from tests.fixtures.proposals import municipal_org, representative

    round_ = create_round(target_amount=1_000_000, cap_amount=5_000_000, unit_price=10_000)
    backer = create_user()
    pledge = place(round_, backer, units=2)
    question = ask_question(round_, backer, "설치 일정은 어떻게 되나요?")
    city = municipal_org("suwon")
    pool = matching.create_pool(round_, city, representative(city), factor_bp=10_000, pledge_cap_amount=50_000,
                                round_cap_amount=100_000)
    profile = request_category(backer, "qualified", "근로소득 원천징수영수증을 제출합니다.")
    db.session.commit()
    return backer, {"round_id": round_.id, "pledge_id": pledge.id, "proposal_id": round_.proposal_id,
                    "question_id": question.id, "pool_id": pool.id, "request_id": profile.id}


def test_funding_against_real_rows_and_localstripe(app, create_round, place, create_user, api_headers):
    """Random pledges (any units, any payment_method string) at an open round charge through localstripe or are
    refused with a 4xx; then a steward's random decisions; the ledger holds throughout."""
    from tests.fixtures.funding import ledger_violations

    backer, ids = _funding_rows(create_round, place, create_user)
    assert _run(app, tag="funding", ids=ids) == []
    assert _run(app, api_headers(backer), tag="funding", ids=ids) == []
    assert _run(app, api_headers(create_user(roles=["steward"])), tag="funding", ids=ids) == []
    assert ledger_violations() == []


def _distribution_rows(earning, create_user):
    """A proposal on the market with one report distributed (the backer's wallet holds money), one waiting for its
    pool, and a bank payout waiting for a steward."""
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.distribution.payouts import request_payout
    from app.extensions import db
    from tests.fixtures.distribution import file_report, pay_and_distribute

    proposal, (backer,), _helpers = earning(backers=((4,),), contributors=(5,))
    end = utcnow().date() - timedelta(days=400)
    pay_and_distribute(file_report(proposal, revenue_amount=3_000_000, start=end - timedelta(days=89), end=end))
    waiting = file_report(proposal, revenue_amount=1_000_000, start=end + timedelta(days=1),
                          end=end + timedelta(days=90))
    payout = request_payout(backer, 20_000, method="bank", bank_code="004", account_number="123-456-789012",
                            holder_name="김시민")
    db.session.commit()
    return proposal, backer, {"proposal_id": proposal.id, "report_id": waiting.id, "payout_id": payout.id}


def test_distribution_against_real_rows(app, earning, create_user, api_headers):
    """Random reports by the lead, random payouts from a wallet that holds money, a steward's random decisions on
    a waiting pool and a waiting payout: each answers below 500 and as documented; the ledger holds throughout."""
    from tests.fixtures.funding import ledger_violations

    proposal, backer, ids = _distribution_rows(earning, create_user)
    assert _run(app, tag="distribution", ids=ids) == []
    assert _run(app, api_headers(proposal.lead_expert), tag="distribution", ids=ids) == []
    assert _run(app, api_headers(create_user(roles=["steward"])), tag="distribution", ids=ids) == []
    assert _run(app, api_headers(backer), tag="distribution", ids=ids) == []
    assert ledger_violations() == []
