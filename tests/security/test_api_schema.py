"""schemathesis against the live API: what /api/v1/openapi.json declares is what the API does.

A real server (pytest-django's `live_server`, over the test database) is exercised with
generated requests for every operation, valid and invalid (schemathesis "all" modes), with the
bearer token of a demo user. Every answer must be documented for its operation (status code,
content type, body schema) and none may be a server error. Generation is deterministic and
bounded, so the run is repeatable and takes about a minute.
"""

import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 12


@pytest.fixture
def api_world(demo, transactional_db):
    """Vocabularies, a reporting period and one submission, so generated codes and ids exist."""
    from repository.vocabularies import seed_vocabularies
    from snapshots.models import ReportingPeriod

    seed_vocabularies()
    ReportingPeriod.objects.get_or_create(
        code="2026",
        defaults={
            "cycle": ReportingPeriod.Cycle.CALENDAR_YEAR,
            "start_year": 2026,
            "deadline": datetime.date(2026, 12, 15),
        },
    )
    return demo


def load_schema(live_server):
    config = SchemathesisConfig.from_dict(
        {"generation": {"max-examples": MAX_EXAMPLES, "deterministic": True}}
    )
    return schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/openapi.json", config=config, timeout=30
    )


def bearer_headers(user):
    """A fresh token per request: a generated `DELETE /auth/token` revokes the one it was sent."""
    from api.services import issue_token

    raw, _token = issue_token(user)
    return {"Authorization": f"Bearer {raw}"}


def exercise(operation, mode, base_url, user):
    """Run bounded, deterministic generated requests against one operation; raise on a failure."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def run(case):
        response = case.call(base_url=base_url, headers=bearer_headers(user), timeout=30)
        case.validate_response(response, checks=CHECKS)

    run()


# The (pytest 9) subtest integration of schemathesis.pytest is not used: one plain test runs
# every operation in both generation modes and reports every failing one at the end.
def test_api_matches_its_openapi_document(api_world, live_server, django_user_model):
    schema = load_schema(live_server)
    user = django_user_model.objects.get(username="epsa.benguet")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, live_server.url, user)
            except (Exception, BaseExceptionGroup) as failure:  # collect all, then report
                failures.append(f"{operation.label} [{mode.value}]: {failure}")
    assert not failures, "\n\n".join(failures)
