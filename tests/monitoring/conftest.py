"""A known set of journeys with controlled timestamps, for the monitoring figures.

Every step is taken with workflow.services.perform_transition while the clock
(`django.utils.timezone.now`) reads the step's time, so the history is what the offices would
have written on those days. Times are Manila wall-clock times (the offices' own).
"""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from tests.journeys import pdf_upload
from workflow.demo import lr_data, passing_review
from workflow.models import MANILA
from workflow.services import create_submission, perform_transition, upload_file

# Monday 6 July 2026, 08:00 in Baguio: the known journeys start here, in Q3 2026.
T0 = datetime.datetime(2026, 7, 6, 8, 0, tzinfo=MANILA)
Q3 = "2026-Q3"
REVIEWED = {"endorse_to_region", "approve", "return_for_revision"}


@contextmanager
def clock(moment):
    """Make `timezone.now()` read `moment` (everything the services stamp takes this time)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def day(offset, base=T0):
    return base + datetime.timedelta(days=offset)


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def take(teacher, title, steps, *, created=None):
    """A complete district learning resource by `teacher`, taken through `steps`
    ([(time, username, transition, reason codes or None), ...]) at those times."""
    author = user(teacher)
    with clock(created or steps[0][0]):
        submission = create_submission(author, lr_data(title))
        upload_file(author, submission, pdf_upload(title, "module.pdf"), "main")
        upload_file(author, submission, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    for moment, username, name, reasons in steps:
        kwargs = {"reasons": reasons} if reasons else {}
        if name in REVIEWED:
            kwargs["review"] = passing_review(submission)
        with clock(moment):
            perform_transition(user(username), submission, name, **kwargs)
    return submission


@pytest.fixture
def walk(demo):
    """walk(teacher, title, steps): `take` inside the test's own transaction."""
    return take


@pytest.fixture(scope="module")
def known_journeys(module_transaction):
    """The journeys whose figures the tests compute by hand (tests/monitoring/test_figures.py).

    In Q3 2026: A (Benguet) goes all the way to published; B (Benguet) is returned incomplete
    after a day; C (Benguet) is received late and returned for revision after 21 days under
    review; D (Abra) is returned for revision. E (Benguet) was received in Q2 and waits since.
    F (Benguet) waits 10 days for its receipt now; G (Benguet) has been under lrqa.benguet's
    review for 20 days now.

    Made once per test module (tests/conftest.py module_transaction), because seven journeys
    take seconds to walk.
    """
    return _known_journeys()


def _known_journeys():
    walk = take
    now = timezone.now()
    journeys = {
        "A": walk(
            "teacher.benguet",
            "A: fractions",
            [
                (day(0), "teacher.benguet", "submit", None),
                (day(2), "records.benguet", "receive_at_division", None),
                (day(3), "lrqa.benguet", "claim_division_review", None),
                (day(10), "lrqa.benguet", "endorse_to_region", None),
                (day(16), "records.region", "receive_at_region", None),
                (day(17), "lrqa.region", "claim_regional_review", None),
                (day(20), "lrqa.region", "approve", None),
                (day(22), "als.region", "publish", None),
            ],
        ),
        "B": walk(
            "teacher.benguet",
            "B: decimals",
            [
                (day(0), "teacher.benguet", "submit", None),
                (day(1), "records.benguet", "return_incomplete", ["missing-hard-copy"]),
            ],
        ),
        "C": walk(
            "teacher.benguet",
            "C: percent",
            [
                (day(0), "teacher.benguet", "submit", None),
                (day(8), "records.benguet", "receive_at_division", None),
                (day(9), "lrqa.benguet", "claim_division_review", None),
                (
                    day(30),
                    "lrqa.benguet",
                    "return_for_revision",
                    ["content-errors", "language-errors"],
                ),
            ],
        ),
        "D": walk(
            "teacher.abra",
            "D: weaving",
            [
                (day(0), "teacher.abra", "submit", None),
                (day(4), "records.abra", "receive_at_division", None),
                (day(5), "lrqa.abra", "claim_division_review", None),
                (day(6), "lrqa.abra", "return_for_revision", ["content-errors"]),
            ],
        ),
        "E": walk(
            "teacher.benguet",
            "E: rice terraces",
            [
                (day(-60), "teacher.benguet", "submit", None),
                (day(-59), "records.benguet", "receive_at_division", None),
            ],
        ),
        "F": walk(
            "teacher.benguet",
            "F: weather",
            [(day(-10, now), "teacher.benguet", "submit", None)],
        ),
        "G": walk(
            "teacher.benguet",
            "G: soil",
            [
                (day(-25, now), "teacher.benguet", "submit", None),
                (day(-24, now), "records.benguet", "receive_at_division", None),
                (day(-20, now), "lrqa.benguet", "claim_division_review", None),
            ],
        ),
    }
    return journeys
