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


def _run(app, headers=None) -> list[str]:
    """Every operation, EXAMPLES requests each; returns what went wrong (empty when all is well)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    problems = []
    for result, mode in product(schema.get_all_operations(), schemathesis.GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def exercise(case):
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
