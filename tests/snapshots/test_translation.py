"""Snapshot messages are translated: an upload's errors come back in the uploader's language."""

import datetime

import pytest
from django.utils import timezone, translation

from api.services import issue_token
from organisation.models import District
from snapshots import samples, services
from snapshots.models import ImportJob

from .conftest import upload

pytestmark = pytest.mark.django_db


def _bad_lrn_file(af3_rows):
    rows = af3_rows(3)
    rows[1][6] = "ABC"  # spreadsheet row 3: not an LRN
    return upload("f.csv", samples.to_csv("AF3", rows))


def test_api_import_errors_are_in_filipino_for_a_filipino_client(
    client, user_named, period, af3_rows
):
    raw, _token = issue_token(user_named("teacher.benguet"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "fil"}
    data = {"form": "AF3", "unit": "benguet/LTR", "period": "2026"}
    response = client.post("/api/v1/snapshots", {**data, "file": _bad_lrn_file(af3_rows)}, **auth)
    assert response.status_code == 422
    assert response["Content-Language"] == "fil" and "Accept-Language" in response["Vary"]
    body = response.json()
    assert body["errors"][0]["message"] == "Ang LRN ay eksaktong 12 digit."
    assert body["message"] == "1 mali; walang na-import."
    # The client's language lasts for its request only: the thread is English again after it.
    assert translation.get_language() == "en"

    response = client.post(
        "/api/v1/snapshots",
        {**data, "unit": "nowhere", "file": _bad_lrn_file(af3_rows)},
        **auth,
    )
    assert response.status_code == 400
    assert 'Walang dibisyong "nowhere"' in response.json()["detail"]

    # The same upload in English.
    auth["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/api/v1/snapshots", {**data, "file": _bad_lrn_file(af3_rows)}, **auth)
    assert response.json()["errors"][0]["message"] == "An LRN is exactly 12 digits."


def test_a_queued_import_reports_in_the_uploaders_language(user_named, period, af3_rows):
    district = District.objects.get(division__slug="benguet", code="LTR")
    with translation.override("fil"):
        job = services.start_import(
            user_named("teacher.benguet"),
            form="AF3",
            period=period,
            division=district.division,
            district=district,
            upload=_bad_lrn_file(af3_rows),
            inline=False,
        )
    assert job.status == ImportJob.Status.QUEUED and job.language == "fil"
    # The task worker runs it later, in no request's language.
    with translation.override("en"):
        services.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "Ang LRN ay eksaktong 12 digit."
    assert job.message == "1 mali; walang na-import."


def test_a_stalled_import_is_marked_failed_in_its_uploaders_language(period):
    district = District.objects.get(division__slug="benguet", code="LTR")
    jobs = {
        language: ImportJob.objects.create(
            form="AF3",
            period=period,
            level="district",
            division=district.division,
            district=district,
            file_kind="csv",
            status=ImportJob.Status.VALIDATING,
            language=language,
        )
        for language in ("fil", "en")
    }
    ImportJob.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    assert services.fail_stale_jobs() == 2
    messages = {lang: ImportJob.objects.get(pk=job.pk).message for lang, job in jobs.items()}
    assert messages == {
        "fil": "Biglang huminto ang pag-import; walang na-import. Patakbuhin itong muli.",
        "en": "The import stopped unexpectedly; nothing was imported. Run it again.",
    }
