"""The monitoring figures, computed from a known set of journeys (tests/monitoring/conftest.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail import hooks

from monitoring.access import monitoring_scope
from monitoring.figures import SECTIONS_HOOK, build_report, p90
from monitoring.periods import quarter
from organisation.models import Division

from .conftest import day

# One worker takes the module: its known journeys are walked once per module and worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("monitoring_figures")]

BENGUET = "Benguet Schools Division Office"
ABRA = "Abra Schools Division Office"
REGION = "Cordillera Administrative Region Regional Office"


def by_office_and_state(table):
    return {(row[0], row[1]): row[2:] for row in table.rows}


@pytest.fixture
def q3():
    return quarter(2026, 3)


def test_a_division_sees_its_own_flow_per_office(db, known_journeys, user_named, q3):
    report = build_report(monitoring_scope(user_named("epsa.benguet")), q3)

    flow = {row[0]: row[1:] for row in report.tables["flow"].rows}
    region = next(label for label in flow if label != BENGUET)
    # received, endorsed, approved, published, returned
    assert flow == {BENGUET: [2, 1, 0, 0, 2], region: [1, 0, 1, 1, 0]}
    assert report.totals == {
        "received": 3,
        "endorsed": 1,
        "approved": 1,
        "published": 1,
        "returned": 2,
    }
    # E was received in Q2: it is not counted in Q3.
    assert ABRA not in flow


def test_time_in_each_state_median_and_p90(db, known_journeys, user_named, q3):
    report = build_report(monitoring_scope(user_named("epsa.benguet")), q3)
    stays = by_office_and_state(report.tables["time_in_state"])
    region = next(office for office, _state in stays if office != BENGUET)

    # stays, median days, p90 days
    assert stays[(BENGUET, "Submitted to the division")] == [3, 2.0, 8.0]  # A 2, B 1, C 8
    assert stays[(BENGUET, "Received by the division")] == [2, 1.0, 1.0]
    assert stays[(BENGUET, "Under division review")] == [2, 14.0, 21.0]  # A 7, C 21
    assert stays[(region, "Endorsed to the region")] == [1, 6.0, 6.0]
    assert stays[(region, "Under regional review")] == [1, 3.0, 3.0]
    assert stays[(region, "Approved")] == [1, 2.0, 2.0]


def test_on_time_rates_against_the_configured_days(db, known_journeys, user_named, q3, settings):
    scope = monitoring_scope(user_named("epsa.benguet"))
    on_time = by_office_and_state(build_report(scope, q3).tables["on_time"])
    region = next(office for office, _step in on_time if office != BENGUET)

    # on time, total, rate: receipts within 5 days (C waited 8), reviews within 15 (C took 21)
    assert on_time[(BENGUET, "Receipts")] == [2, 3, 67]
    assert on_time[(BENGUET, "Reviews")] == [1, 2, 50]
    assert on_time[(region, "Receipts")] == [0, 1, 0]  # A waited 6 days at the region
    assert on_time[(region, "Reviews")] == [1, 1, 100]

    # The configured days are the workflow's: allowing 10 days for a receipt makes C on time.
    settings.WORKFLOW_OVERDUE_DAYS = {"submitted": 10}
    on_time = by_office_and_state(build_report(scope, q3).tables["on_time"])
    assert on_time[(BENGUET, "Receipts")] == [3, 3, 100]


def test_return_reasons_ranked_by_division_and_by_kind(db, known_journeys, user_named, q3):
    report = build_report(monitoring_scope(user_named("als.region")), q3)

    by_division = report.tables["reasons_by_division"]
    assert by_division.columns == ["Reason", ABRA, BENGUET, "Total"]
    assert by_division.rows == [
        ["Content errors or gaps", 1, 1, 2],
        ["Grammar, spelling or language errors", 0, 1, 1],
        ["Original hard copy not submitted", 0, 1, 1],
    ]
    by_kind = report.tables["reasons_by_kind"]
    assert by_kind.columns == ["Reason", "Learning resource", "Total"]
    assert by_kind.rows[0] == ["Content errors or gaps", 2, 2]


def test_overdue_now_by_office_and_reviewer(db, known_journeys, user_named, q3):
    reviewer = user_named("lrqa.benguet")
    report = build_report(monitoring_scope(user_named("focal.benguet")), q3)

    overdue = {(row[0], row[1]): row[2] for row in report.tables["overdue"].rows}
    assert overdue == {
        (
            BENGUET,
            "Not claimed (the office's pool)",
        ): 2,  # E received in May, F submitted 10 days ago
        (BENGUET, "The submitter"): 2,  # B and C, returned in July and August
        (BENGUET, reviewer.get_full_name() or reviewer.username): 1,  # G, claimed 20 days ago
    }
    assert report.overdue_total == 5
    # The region sees Abra's returned item too.
    assert build_report(monitoring_scope(user_named("als.region")), q3).overdue_total == 6


def test_a_division_is_narrowed_to_itself(db, known_journeys, user_named, q3):
    region_scope = monitoring_scope(user_named("als.region"))
    abra = Division.objects.get(slug="abra")

    report = build_report(region_scope, q3, division=abra)

    offices = {row[0] for row in report.tables["flow"].rows}
    assert offices == {ABRA}
    assert report.totals["returned"] == 1
    assert {row[0] for row in build_report(region_scope, q3).tables["flow"].rows} >= {
        ABRA,
        BENGUET,
    }


def test_p90_is_the_nearest_rank():
    assert p90([]) is None
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9
    assert p90(list(range(1, 12))) == 10


def _queries(user, period):
    scope = monitoring_scope(user)
    with CaptureQueriesContext(connection) as captured:
        build_report(scope, period)
    return len(captured)


def query_bound():
    """The queries of one report, whatever the number of submissions: the log and the overdue
    items, and one for each app that adds a section (errata's counts of readers' reports)."""
    return 2 + len(hooks.get_hooks(SECTIONS_HOOK))


def test_the_report_runs_a_fixed_number_of_queries(known_journeys, walk, user_named, q3):
    epsa = user_named("epsa.benguet")
    steps = [
        (day(0), "teacher.benguet", "submit", None),
        (day(1), "records.benguet", "receive_at_division", None),
        (day(2), "lrqa.benguet", "claim_division_review", None),
    ]
    walk("teacher.benguet", "One", steps)
    few = _queries(epsa, q3)
    for index in range(4):
        walk("teacher.benguet", f"More {index}", steps)
    many = _queries(epsa, q3)

    assert few == many == query_bound()
    flow = {row[0]: row[1] for row in build_report(monitoring_scope(epsa), q3).tables["flow"].rows}
    assert flow[BENGUET] == 5 + 2  # and A and C, of the module's known journeys
