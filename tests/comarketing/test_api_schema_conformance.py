"""The schema tells the truth: every operation, fuzzed as users of two companies, answers no server error, only
status codes the schema lists, and bodies that match it (schemathesis's three checks, zero failures).

Kept apart from test_api_fuzz.py (every operation, a few examples, no 500) because it sends thousands of
requests: SCHEMA_CONFORMANCE_EXAMPLES sets how many per operation and user (default 8; 25 was measured too).
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tests.comarketing.test_api_fuzz import keep_the_test_connection, schema  # noqa: F401  (fixture)

EXAMPLES = int(os.environ.get("SCHEMA_CONFORMANCE_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(params=["alice", "charlie"])  # company A (shared campaign with B), company C (campaign with B)
def token(request, shared_campaign, other_campaign):
    return AuthToken.objects.create(user=request.getfixturevalue(request.param))[1]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_answer_matches_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
