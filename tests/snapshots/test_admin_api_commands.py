"""The three entry points (admin, API, command line), export, templates, deadlines, reminders."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.services import issue_token
from snapshots import exporter, forms_spec, samples, services
from snapshots.models import ImportJob, ReminderLog, ReportingPeriod, Snapshot, State

from .conftest import upload


def test_admin_upload_rejects_with_report_then_accepts_corrected_file(
    client, user_named, period, af3_rows
):
    client.force_login(user_named("teacher.benguet"))
    page = client.get("/admin/snapshots/upload/")
    assert page.status_code == 200 and "benguet/LTR" in page.content.decode()
    rows = af3_rows(4)
    rows[2][19] = "31"  # FLT reading out of range (spreadsheet row 4)
    response = client.post(
        "/admin/snapshots/upload/",
        {
            "form": "AF3",
            "period": period.pk,
            "unit": "benguet/LTR",
            "file": upload("af3.csv", samples.to_csv("AF3", rows)),
        },
    )
    job = ImportJob.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/admin/snapshots/jobs/{job.pk}/"
    )
    html = client.get(response["Location"]).content.decode()
    assert (
        "Rejected" in html
        and "T (FLT Score in Reading)" in html
        and "Must be from 1 to 24." in html
    )
    report = client.get(f"/admin/snapshots/jobs/{job.pk}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert list(sheet.iter_rows(values_only=True))[1] == (
        4,
        "T (FLT Score in Reading)",
        "31",
        "Must be from 1 to 24.",
    )
    assert Snapshot.objects.count() == 0

    rows[2][19:24] = ["10", "10", "5", "6", "31"]
    response = client.post(
        "/admin/snapshots/upload/",
        {
            "form": "AF3",
            "period": period.pk,
            "unit": "benguet/LTR",
            "file": upload("af3.csv", samples.to_csv("AF3", rows)),
        },
    )
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == ImportJob.Status.SUCCEEDED
    snapshot = job.snapshot
    response = client.post(f"/admin/snapshots/{snapshot.pk}/", {"action": "submit"})
    snapshot.refresh_from_db()
    assert snapshot.state == State.SUBMITTED


def test_admin_review_and_consolidation_pages(client, user_named, period, af3_rows):
    teacher = user_named("teacher.benguet")
    district_snapshot = services.start_import(
        teacher,
        form="AF3",
        period=period,
        division=teacher.role_assignments.get().district.division,
        district=teacher.role_assignments.get().district,
        upload=upload("a.csv", samples.to_csv("AF3", af3_rows(6))),
    ).snapshot
    services.transition(district_snapshot, "submit", teacher)
    client.force_login(user_named("epsa.benguet"))
    client.post(f"/admin/snapshots/{district_snapshot.pk}/", {"action": "accept", "comments": ""})
    district_snapshot.refresh_from_db()
    assert district_snapshot.state == State.ACCEPTED
    response = client.post(
        "/admin/snapshots/consolidate/",
        {"form": "AF3", "period": period.pk, "division": district_snapshot.division_id},
    )
    division_snapshot = Snapshot.objects.get(level="division")
    assert response["Location"] == f"/admin/snapshots/{division_snapshot.pk}/"
    client.post(f"/admin/snapshots/{division_snapshot.pk}/", {"action": "submit"})

    client.force_login(user_named("als.region"))
    response = client.post(f"/admin/snapshots/{division_snapshot.pk}/", {"action": "return"})
    division_snapshot.refresh_from_db()
    assert division_snapshot.state == State.SUBMITTED  # a return needs comments
    client.post(
        f"/admin/snapshots/{division_snapshot.pk}/",
        {"action": "return", "comments": "Tuba district is missing."},
    )
    division_snapshot.refresh_from_db()
    assert division_snapshot.state == State.RETURNED
    assert (
        "Tuba district is missing."
        in client.get(f"/admin/snapshots/{division_snapshot.pk}/").content.decode()
    )

    client.force_login(user_named("teacher.abra"))
    assert client.get(f"/admin/snapshots/{division_snapshot.pk}/").status_code == 404


def test_export_neutralises_formulas_and_keeps_the_official_layout(user_named, period, af3_rows):
    rows = af3_rows(3)
    rows[0][27] = '=HYPERLINK("http://evil.example","click")'
    rows[1][27] = "+1+2"
    rows[2][7] = "@SUM(A1)"
    rows[2][27] = "-3"
    snapshot = services.start_import(
        user_named("teacher.benguet"),
        form="AF3",
        period=period,
        division=user_named("teacher.benguet").role_assignments.get().district.division,
        district=user_named("teacher.benguet").role_assignments.get().district,
        upload=upload("a.csv", samples.to_csv("AF3", rows)),
    ).snapshot
    sheet = openpyxl.load_workbook(io.BytesIO(exporter.snapshot_workbook(snapshot)))["AF3"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == forms_spec.headers("AF3")
    remarks = [r[27] for r in values[1:]]
    assert remarks == ['\'=HYPERLINK("http://evil.example","click")', "'+1+2", "'-3"]
    assert values[3][7] == "'@SUM(A1)"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    assert values[1][11] in ("Male", "Female") and values[1][24] in (
        "BLP",
        "A&E Elementary",
        "A&E Secondary (JHS)",
        "Basic Literacy Program (BLP)",
    )


def test_templates_download_and_round_trip(client, user_named, period):
    client.force_login(user_named("teacher.benguet"))
    response = client.get("/admin/snapshots/templates/AF3.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["AF3"][1]] == forms_spec.headers("AF3")
    assert "12 digits" in str(workbook["Instructions"]["C8"].value)
    assert client.get("/admin/snapshots/templates/AF9.xlsx").status_code == 404


def test_export_of_an_import_imports_again(user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    division, _none = services.resolve_unit("benguet")
    first = services.start_import(
        epsa,
        form="AF3",
        period=period,
        division=division,
        district=None,
        upload=upload("a.csv", samples.to_csv("AF3", af3_rows(5))),
    ).snapshot
    services.transition(first, "submit", epsa)
    services.transition(first, "accept", user_named("als.region"))
    exported = exporter.snapshot_workbook(first)
    job = services.start_import(
        epsa,
        form="AF3",
        period=period,
        division=division,
        district=None,
        upload=upload("again.xlsx", exported),
    )
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.snapshot.version == 2
    assert [r.payload for r in job.snapshot.rows.all()] == [r.payload for r in first.rows.all()]


def test_api_upload_rejects_then_accepts(client, user_named, period, af3_rows):
    raw, _token = issue_token(user_named("teacher.benguet"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    rows = af3_rows(3)
    rows[1][6] = "ABC"
    response = client.post(
        "/api/v1/snapshots",
        {
            "form": "AF3",
            "unit": "benguet/LTR",
            "period": "2026",
            "file": upload("f.csv", samples.to_csv("AF3", rows)),
        },
        **auth,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "failed" and body["errors"][0]["row"] == 3
    assert body["errors"][0]["message"] == "An LRN is exactly 12 digits."
    rows[1][6] = "100000000099"
    response = client.post(
        "/api/v1/snapshots",
        {
            "form": "AF3",
            "unit": "benguet/LTR",
            "period": "2026",
            "file": upload("f.csv", samples.to_csv("AF3", rows)),
        },
        **auth,
    )
    assert response.status_code == 201, response.content
    snapshot_id = response.json()["snapshot_id"]
    assert (
        client.get(f"/api/v1/snapshots/jobs/{response.json()['id']}", **auth).json()["status"]
        == "succeeded"
    )
    response = client.post(
        f"/api/v1/snapshots/{snapshot_id}/review",
        {"action": "submit"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = client.post(
        f"/api/v1/snapshots/{snapshot_id}/review",
        {"action": "accept"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert client.post("/api/v1/snapshots", {"form": "AF3"}).status_code == 401
    other, _t = issue_token(user_named("teacher.abra"))
    response = client.post(
        "/api/v1/snapshots",
        {
            "form": "AF3",
            "unit": "benguet/LTR",
            "period": "2026",
            "file": upload("f.csv", samples.to_csv("AF3", rows)),
        },
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert response.status_code == 403


def test_commands_import_and_export(tmp_path, demo, period, af3_rows):
    bad = af3_rows(3)
    bad[0][13] = "7"  # age far from the birthdate
    path = tmp_path / "af3.csv"
    path.write_bytes(samples.to_csv("AF3", bad))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_snapshot", str(path), form="AF3", unit="benguet", period="2026")
    assert Snapshot.objects.count() == 0
    path.write_bytes(samples.to_csv("AF3", af3_rows(3)))
    out = io.StringIO()
    call_command(
        "import_snapshot", str(path), form="AF3", unit="benguet", period="2026", stdout=out
    )
    assert "3 rows imported" in out.getvalue()
    snapshot = Snapshot.objects.get()
    target = tmp_path / "out.xlsx"
    call_command(
        "export_snapshot",
        str(target),
        form="AF3",
        unit="benguet",
        period="2026",
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(target)["AF3"]
    assert sheet.max_row == 4
    call_command(
        "export_snapshot", str(snapshot.pk), str(tmp_path / "b.xlsx"), stdout=io.StringIO()
    )
    assert (tmp_path / "b.xlsx").stat().st_size > 0


def test_deadline_board_on_time_late_missing(client, user_named, af3_rows):
    period = ReportingPeriod.objects.create(
        code="2024-2025-eosy",
        cycle="school",
        start_year=2024,
        phase="eosy",
        deadline=datetime.date(2025, 3, 31),
        forms=["AF3", "AF4"],
    )
    assert period.label == "SY 2024-2025 EOSY due 31 March 2025"
    rows = samples.af3_rows(
        3,
        region="CAR",
        division="Benguet",
        district="La Trinidad",
        year=2025,
        clcs=[("Balili CLC", 2)],
    )
    epsa = user_named("epsa.benguet")
    division, _none = services.resolve_unit("benguet")
    snapshot = services.start_import(
        epsa,
        form="AF3",
        period=period,
        division=division,
        district=None,
        upload=upload("a.csv", samples.to_csv("AF3", rows)),
    ).snapshot
    assert snapshot is not None
    services.transition(snapshot, "submit", epsa)
    Snapshot.objects.filter(pk=snapshot.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2025, 3, 30, 23, 0))
    )
    abra_rows = samples.af3_rows(
        3,
        region="CAR",
        division="Abra",
        district="Bangued I",
        year=2025,
        clcs=[("Calaba CLC", 2)],
    )
    abra = services.start_import(
        user_named("epsa.abra"),
        form="AF3",
        period=period,
        division=services.resolve_unit("abra")[0],
        district=None,
        upload=upload("b.csv", samples.to_csv("AF3", abra_rows)),
    ).snapshot
    services.transition(abra, "submit", user_named("epsa.abra"))
    Snapshot.objects.filter(pk=abra.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2025, 4, 2, 9, 0))
    )
    client.force_login(user_named("als.region"))
    html = client.get(f"/admin/snapshots/deadlines/?period={period.pk}").content.decode()
    benguet_row = html[html.index('<th scope="row">Benguet</th>') :].split("</tr>")[0]
    abra_row = html[html.index('<th scope="row">Abra</th>') :].split("</tr>")[0]
    assert 'data-form="AF3" data-status="on_time"' in benguet_row
    assert 'data-form="AF4" data-status="missing"' in benguet_row
    assert 'data-form="AF3" data-status="late"' in abra_row
    assert html.count('data-status="missing"') == 8 + 6  # AF4 everywhere, AF3 in six divisions


def test_overdue_divisions_get_a_reminder_email(user_named, run_tasks, mailoutbox):
    ReportingPeriod.objects.create(
        code="2025",
        cycle="calendar",
        start_year=2025,
        deadline=datetime.date(2025, 12, 15),
        forms=["AF3"],
    )
    ReportingPeriod.objects.create(
        code="2099", cycle="calendar", start_year=2099, deadline=datetime.date(2099, 12, 15)
    )
    call_command("send_snapshot_reminders", stdout=io.StringIO())
    assert mailoutbox == []
    run_tasks()
    assert len(mailoutbox) == 8  # one per division, only for the overdue period
    benguet = next(m for m in mailoutbox if "Benguet" in m.body)
    assert sorted(benguet.to) == [
        "epsa.benguet@deped-car.example",
        "focal.benguet@deped-car.example",
    ]
    assert benguet.subject == "Overdue ALS data: AF3 for CY 2025"
    assert ReminderLog.objects.count() == 8
    call_command("send_snapshot_reminders", "--now", stdout=io.StringIO())
    assert len(mailoutbox) == 8  # at most one reminder a day


@pytest.mark.parametrize("username", ["admin", "als.region", "epsa.benguet", "teacher.benguet"])
def test_admin_pages_open_for_each_role(client, user_named, period, af3_rows, username):
    teacher = user_named("teacher.benguet")
    division, district = services.resolve_unit("benguet/LTR")
    job = services.start_import(
        teacher,
        form="AF3",
        period=period,
        division=division,
        district=district,
        upload=upload("a.csv", samples.to_csv("AF3", af3_rows(3))),
    )
    client.force_login(user_named(username))
    home = client.get("/admin/").content.decode()
    assert "/admin/snapshots/" in home and "/admin/statistics/" in home
    for url in (
        "/admin/snapshots/",
        "/admin/snapshots/upload/",
        f"/admin/snapshots/{job.snapshot_id}/",
        f"/admin/snapshots/jobs/{job.pk}/",
        "/admin/statistics/",
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get("/admin/snapshots/").content.decode()
    assert f"/admin/snapshots/{job.snapshot_id}/" in listing
    deadlines = client.get("/admin/snapshots/deadlines/")
    assert deadlines.status_code == 200
    assert client.get("/admin/reporting_periods/").status_code == 200
    may_add = client.get("/admin/reporting_periods/new/").status_code == 200
    assert may_add == (username in ("admin", "als.region"))
