"""Snapshot exports land in the learner access log, reviewable by the division's focal person."""

import datetime
import io
import math

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from api.services import issue_token
from learners.models import Learner, LearnerAccessLog, LearnerAlias
from learners.services import BULK_LOG_BATCH, log_bulk_access
from organisation.models import Division
from snapshots import samples, services

from .conftest import upload

LRNS = ["100000000000", "100000000001", "100000000002"]


@pytest.fixture
def snapshot(user_named, period, af3_rows):
    teacher = user_named("teacher.benguet")
    district = teacher.role_assignments.get().district
    return services.start_import(
        teacher,
        form="AF3",
        period=period,
        division=district.division,
        district=district,
        upload=upload("a.csv", samples.to_csv("AF3", af3_rows(3))),
    ).snapshot


@pytest.fixture
def known_learners(db):
    """One learner registered under the first LRN, one whose old (alias) LRN is the second."""
    first = Learner.objects.create(
        lrn=LRNS[0], last_name="Dela Cruz", first_name="Juan", birthdate=datetime.date(2006, 3, 14)
    )
    second = Learner.objects.create(
        lrn="136512250077",
        last_name="Santos",
        first_name="Ana",
        birthdate=datetime.date(2005, 1, 2),
    )
    LearnerAlias.objects.create(lrn=LRNS[1], learner=second)
    return first, second


def test_admin_download_logs_one_export_per_lrn(client, user_named, snapshot, known_learners):
    epsa = user_named("epsa.benguet")
    client.force_login(epsa)
    response = client.get(reverse("snapshots:export", args=[snapshot.pk]))
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content))["AF3"].max_row == 4
    entries = LearnerAccessLog.objects.order_by("lrn")
    assert [e.lrn for e in entries] == LRNS
    benguet = Division.objects.get(slug="benguet")
    for entry in entries:
        assert (entry.user, entry.username, entry.action, entry.channel, entry.division) == (
            epsa,
            "epsa.benguet",
            "export",
            "admin",
            benguet,
        )
        assert entry.fields[:3] == ["lrn", "last_name", "first_name"]
        assert "flt_reading" not in entry.fields and "district" not in entry.fields
    first, second = known_learners
    assert [e.learner for e in entries] == [first, second, None]
    # The Wagtail log entry is kept as well.
    assert snapshot.rows.count() == 3
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="snapshots.export", user=epsa).count() == 1


def test_command_and_api_exports_are_logged_with_their_channel(
    client, user_named, snapshot, tmp_path
):
    call_command(
        "export_snapshot", str(snapshot.pk), str(tmp_path / "o.xlsx"), stdout=io.StringIO()
    )
    logged = LearnerAccessLog.objects.filter(channel="command")
    assert sorted(e.lrn for e in logged) == LRNS
    assert {(e.user, e.username, e.action, e.division.slug) for e in logged} == {
        (None, "export_snapshot", "export", "benguet")
    }
    raw, _token = issue_token(user_named("epsa.benguet"))
    response = client.get(
        f"/api/v1/snapshots/{snapshot.pk}/export", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    logged = LearnerAccessLog.objects.filter(channel="api")
    assert sorted(e.lrn for e in logged) == LRNS
    assert {e.username for e in logged} == {"epsa.benguet"}


def test_focal_person_of_the_division_reviews_snapshot_exports(client, user_named, snapshot):
    client.force_login(user_named("epsa.benguet"))
    assert client.get(reverse("snapshots:export", args=[snapshot.pk])).status_code == 200
    client.force_login(user_named("focal.benguet"))
    response = client.get(reverse("learners:access_log"), {"action": "export"})
    assert response.status_code == 200
    for lrn in LRNS:
        assert lrn in response.text
    client.force_login(user_named("focal.abra"))
    response = client.get(reverse("learners:access_log"))
    assert response.status_code == 200
    assert not any(lrn in response.text for lrn in LRNS)


def test_bulk_log_is_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    lrns = [str(200000000000 + i) for i in range(12_000)] + ["", ""]
    # Inserts of 5,000 rows, or of as many as the database takes in one statement (SQLite allows
    # 999 parameters per statement: 111 rows of 9 columns).
    columns = [f for f in LearnerAccessLog._meta.concrete_fields if not f.primary_key]
    batch = min(BULK_LOG_BATCH, connection.ops.bulk_batch_size(columns, lrns))
    inserts = math.ceil(12_001 / batch)
    with django_assert_max_num_queries(2 + inserts + 1):  # 2 look-ups, the inserts, a savepoint
        written = log_bulk_access(None, lrns, "export", ["lrn"], "command", username="job")
    # One entry per LRN, and one blank-LRN entry standing for the rows without an LRN.
    assert written == 12_001
    assert LearnerAccessLog.objects.count() == 12_001
    assert LearnerAccessLog.objects.filter(lrn="").count() == 1
