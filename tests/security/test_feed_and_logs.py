"""The Atom feed sends submitters' summaries as plain text; spreadsheet cells never reach the logs
and a cell that cannot be stored is a row error, not a server error."""

import datetime
import io
import logging
import re
import zipfile
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots import samples
from snapshots.models import ImportJob, ReportingPeriod
from tests.public.conftest import make_submission  # noqa: F401  (fixture)

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
SCRIPT = "<script>alert(1)</script>"
# Made-up learner data that must never appear in a log line.
NAME = "Zyxwandrea Qontillano"
LRN = "987654321098"


# ------------------------------------------------------------------------------------ feed


@pytest.mark.django_db
def test_feed_summaries_are_plain_text(make_submission, client):  # noqa: F811
    from cms.publication import publish_submission

    publish_submission(make_submission(title="Weather module", summary=f"Read this {SCRIPT}"))
    response = client.get("/resources/feed/")
    assert response.status_code == 200
    body = response.content.decode()
    # Nothing in the XML is markup a reader would run, and nothing is declared as HTML.
    assert "<script" not in body
    assert 'type="html"' not in body
    feed = ET.fromstring(response.content)
    summary = feed.find("atom:entry/atom:summary", ATOM)
    assert summary.get("type") == "text"
    # After the one unescape of XML parsing, the reader has the text as typed, to show as text.
    assert summary.text == f"Read this {SCRIPT}"


# ------------------------------------------------------------------- spreadsheets and logs


@pytest.fixture
def period(db):
    return ReportingPeriod.objects.create(
        code="2026",
        cycle=ReportingPeriod.Cycle.CALENDAR_YEAR,
        start_year=2026,
        deadline=datetime.date(2026, 12, 15),
    )


@pytest.fixture
def teacher_token(demo, user_named):
    from api.services import issue_token

    raw, _token = issue_token(user_named("teacher.benguet"))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def af3(count=3):
    return samples.af3_rows(
        count,
        region="CAR",
        division="Benguet",
        district="La Trinidad",
        year=2026,
        clcs=[("Poblacion La Trinidad CLC", 3)],
    )


def post_snapshot(client, auth, name, content):
    return client.post(
        "/api/v1/snapshots",
        {
            "form": "AF3",
            "unit": "benguet/LTR",
            "period": "2026",
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
        **auth,
    )


def padded_csv_with_nul_cell():
    """A .csv whose NUL byte sits past the first 64 KiB (where the type sniffing looks)."""
    rows = af3(500)
    rows[450][7] = f"{NAME}\x00"
    rows[450][6] = LRN
    content = samples.to_csv("AF3", rows)
    assert content.index(b"\x00") > 65536
    return content


def assert_not_logged(caplog, *secrets):
    text = "\n".join(f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records)
    for handler_text in (caplog.text, text):
        for secret in secrets:
            assert secret not in handler_text


@pytest.mark.django_db
def test_nul_in_a_csv_cell_is_a_row_error(client, teacher_token, period, caplog):
    caplog.set_level(logging.DEBUG)
    response = post_snapshot(client, teacher_token, "af3.csv", padded_csv_with_nul_cell())
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["status"] == "failed"
    [error] = [e for e in body["errors"] if e["message"].startswith("Contains a NUL")]
    assert error["row"] == 452 and error["column"].startswith("H ")
    assert "\x00" not in error["value"]
    assert not ImportJob.objects.filter(snapshot__isnull=False).exists()
    assert_not_logged(caplog, NAME, LRN)


@pytest.mark.django_db
def test_nul_cell_in_a_background_import_is_reported_and_not_logged(
    client, teacher_token, period, caplog, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.SNAPSHOT_SYNC_MAX_ROWS = 10
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_snapshot(client, teacher_token, "af3.csv", padded_csv_with_nul_cell())
    assert response.status_code == 202, response.content
    run_tasks()
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.FAILED
    assert any(e["message"].startswith("Contains a NUL") for e in job.errors)
    assert_not_logged(caplog, NAME, LRN)


def xlsx_with_text_in_a_number_cell():
    rows = af3(3)
    rows[1][7] = NAME
    content = samples.to_xlsx("AF3", rows)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<c r="(H3)" t="inlineStr"><is><t>' + NAME.encode() + rb"</t></is></c>",
                    rb'<c r="\1" t="n"><v>' + NAME.encode() + rb"</v></c>",
                    data,
                )
                assert count == 1
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.django_db
def test_unreadable_xlsx_cell_is_a_row_error_that_names_the_cell_only(
    client, teacher_token, period, caplog
):
    caplog.set_level(logging.DEBUG)
    response = post_snapshot(client, teacher_token, "af3.xlsx", xlsx_with_text_in_a_number_cell())
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert "column H of row 3" in error["message"]
    assert NAME not in error["message"]
    assert_not_logged(caplog, NAME)


@pytest.mark.django_db
def test_unexpected_import_failure_logs_no_cell_values(
    client,
    teacher_token,
    period,
    caplog,
    monkeypatch,
    settings,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    """A storage or database error whose message quotes a row: the logs (of the import and of
    the task worker) name the job and the error's class, never the message."""
    from snapshots import importer

    def broken_save(snapshot, prepared, **kwargs):
        raise ValueError(f"could not store {NAME} ({LRN})")

    monkeypatch.setattr(importer, "save_rows", broken_save)
    rows = af3(3)
    rows[0][7], rows[0][6] = NAME.split()[0], LRN
    caplog.set_level(logging.DEBUG)
    response = post_snapshot(client, teacher_token, "af3.csv", samples.to_csv("AF3", rows))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    settings.SNAPSHOT_SYNC_MAX_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_snapshot(client, teacher_token, "af3.csv", samples.to_csv("AF3", rows))
    assert queued.status_code == 202
    run_tasks()
    assert ImportJob.objects.get(pk=queued.json()["id"]).status == ImportJob.Status.FAILED
    logged = caplog.text
    assert "ValueError" in logged and "broken_save" in logged  # the kind and the stack are kept
    assert_not_logged(caplog, NAME, NAME.split()[0], LRN)
