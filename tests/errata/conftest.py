"""Fixtures for readers' reports: a published learning resource (through the whole workflow)."""

import pytest

from tests.workflow.conftest import bring_to, good_review, make_lr  # noqa: F401  (fixtures)


@pytest.fixture
def published(bring_to):  # noqa: F811
    """A Benguet district learning resource, published: (submission, its live page)."""
    from cms.models import ResourcePage

    submission = bring_to("published", title="Fractions in the Market")
    return submission, ResourcePage.objects.get(submission=submission)


@pytest.fixture
def report_url(published):
    return f"/report-a-problem/{published[1].pk}/"


@pytest.fixture
def report_data():
    return {
        "category": "answer_key",
        "description": "The answer to question 4 on page 2 should be 3/4, not 2/3.",
        "email": "reader@example.org",
        "file": "",
        "website": "",
    }
