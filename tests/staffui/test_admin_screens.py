"""The Submissions screens of the Wagtail admin, driven with the Django test client."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

from repository.models import Submission
from tests.api.factories import PDF_BYTES, pdf_upload
from tests.journeys import submit_before_the_rule
from tests.staffui.conftest import form_data
from workflow.models import State


def create_through_admin(client, **files):
    data = form_data()
    data.update(files)
    return client.post("/admin/submissions/new/", data)


def test_teacher_creates_a_draft_with_files_and_sees_its_page(login, s3_storage):
    client = login("teacher.benguet")
    menu = client.get("/admin/").content.decode()
    assert "/admin/submissions/" in menu

    form_page = client.get("/admin/submissions/new/")
    assert form_page.status_code == 200
    body = form_page.content.decode()
    assert 'name="main_file"' in body and 'name="ip_declaration_file"' in body
    assert 'enctype="multipart/form-data"' in body

    response = create_through_admin(
        client, main_file=pdf_upload(), ip_declaration_file=pdf_upload("ip.pdf")
    )
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/submissions/inspect/{submission.pk}/"
    assert submission.journey.state == State.DRAFT
    assert sorted(submission.files.values_list("role", flat=True)) == ["ip_declaration", "main"]

    page = client.get(response["Location"]).content.decode()
    assert "Measuring Rice Terraces" in page
    assert "Draft" in page
    assert 'data-action-name="submit"' in page
    assert "Edit and upload files" in page
    # The file link goes through the permission-checked view and returns the stored bytes.
    file = submission.files.get(role="main")
    link = f"/admin/submissions/file/{submission.pk}/{file.pk}/"
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_create_form_shows_field_errors_and_refused_files(login):
    client = login("teacher.benguet")
    data = form_data(title="", school_year="2025-2030")
    response = client.post("/admin/submissions/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body
    assert "consecutive years" in body
    assert not Submission.objects.exists()

    fake = pdf_upload("fake.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post("/admin/submissions/new/", {**form_data(), "main_file": fake})
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert not Submission.objects.exists()


def test_roles_that_do_not_submit_get_no_add_button(login):
    client = login("records.benguet")
    listing = client.get("/admin/submissions/")
    assert listing.status_code == 200
    assert "/admin/submissions/new/" not in listing.content.decode()
    denied = client.get("/admin/submissions/new/")
    assert denied.status_code == 302 and denied["Location"] == "/admin/"


def submitted_lr(client):
    create_through_admin(client, main_file=pdf_upload(), ip_declaration_file=pdf_upload())
    submission = Submission.objects.latest("pk")
    response = client.post(
        f"/admin/submissions/action/{submission.pk}/submit/",
        {"submit-version": submission.journey.version, "submit-comment": ""},
    )
    assert response.status_code == 302
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.SUBMITTED
    return submission


def test_listing_is_scoped_filtered_and_searchable(login):
    benguet = submitted_lr(login("teacher.benguet"))
    client = login("teacher.abra")
    create_through_admin(client, main_file=pdf_upload(), ip_declaration_file=pdf_upload())
    abra = Submission.objects.latest("pk")
    abra.title = "Abra weaving patterns"
    abra.save()
    client.post(
        f"/admin/submissions/action/{abra.pk}/submit/", {"submit-version": abra.journey.version}
    )

    # Benguet's records section sees only Benguet's work.
    listing = login("records.benguet").get("/admin/submissions/").content.decode()
    assert "Measuring Rice Terraces" in listing and "Abra weaving" not in listing
    # A made-up URL to Abra's submission is a 404.
    assert login("records.benguet").get(f"/admin/submissions/inspect/{abra.pk}/").status_code == 404

    regional = login("records.region")
    everything = regional.get("/admin/submissions/").content.decode()
    assert "Measuring Rice Terraces" in everything and "Abra weaving" in everything
    from organisation.models import Division

    abra_division = Division.objects.get(slug="abra")
    filtered = regional.get("/admin/submissions/", {"division": abra_division.pk}).content.decode()
    assert "Abra weaving" in filtered and "Measuring Rice Terraces" not in filtered
    by_state = regional.get("/admin/submissions/", {"state": "draft"}).content.decode()
    assert "Abra weaving" not in by_state
    searched = regional.get("/admin/submissions/", {"q": "weaving"}).content.decode()
    assert "Abra weaving" in searched and "Measuring Rice Terraces" not in searched
    kinds = regional.get("/admin/submissions/", {"kind": "story"}).content.decode()
    assert "Abra weaving" not in kinds and "Measuring Rice Terraces" not in kinds
    assert benguet.pk != abra.pk


def test_bulk_receive_stamps_each_and_reports_each(login, user_named):
    first = submitted_lr(login("teacher.benguet"))
    second = submitted_lr(login("teacher.benguet"))
    # A third one is incomplete: without files, it was submitted before that was refused.
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data(title="No files yet"))
    third = Submission.objects.latest("pk")
    client.post(f"/admin/submissions/action/{third.pk}/submit/", {"submit-version": 1})
    third.journey.refresh_from_db()
    assert third.journey.state == State.DRAFT
    submit_before_the_rule(user_named("teacher.benguet"), third)

    records = login("records.benguet")
    listing = records.get("/admin/submissions/").content.decode()
    assert "bulk-action-checkbox" in listing
    url = f"/admin/bulk/repository/submission/receive/?id={first.pk}&id={second.pk}&id={third.pk}"
    confirm = records.get(url)
    assert confirm.status_code == 200
    assert "Incomplete, will not be received" in confirm.content.decode()
    response = records.post(url, {}, follow=True)
    text = response.content.decode()
    numbers = re.findall(r"CAR-BEN-\d{4}-\d{6}", text)
    assert len(set(numbers)) == 2
    assert "No files yet” was not received" in text
    states = {s.pk: s.journey.state for s in Submission.objects.select_related("journey")}
    assert states[first.pk] == states[second.pk] == State.RECEIVED_BY_DIVISION
    assert states[third.pk] == State.SUBMITTED

    # Someone who may not receive gets nothing done.
    teacher_try = login("teacher.benguet").post(
        f"/admin/bulk/repository/submission/receive/?id={third.pk}", {}, follow=True
    )
    assert teacher_try.status_code == 200
    third.journey.refresh_from_db()
    assert third.journey.state == State.SUBMITTED


def test_receipt_slip_prints_the_stamp(login):
    submission = submitted_lr(login("teacher.benguet"))
    records = login("records.benguet")
    records.post(
        f"/admin/submissions/action/{submission.pk}/receive_at_division/",
        {"receive_at_division-version": submission.journey.version + 0},
    )
    stamp = submission.receipts.get()
    slip = records.get(f"/admin/submissions/receipt/{stamp.pk}/")
    assert slip.status_code == 200
    body = slip.content.decode()
    assert stamp.control_number in body
    # Print styles and the Print button come from static files (the admin's CSP: no inline script).
    assert "css/receipt-slip.css" in body and "js/receipt-slip.js" in body
    assert "data-print" in body
    assert "@media print" in Path(finders.find("css/receipt-slip.css")).read_text()
    assert "window.print()" in Path(finders.find("js/receipt-slip.js")).read_text()
    assert "(Asia/Manila)" in body
    # Another division's records section cannot open it.
    assert login("records.abra").get(f"/admin/submissions/receipt/{stamp.pk}/").status_code == 404


def test_stale_action_form_says_reload(login):
    submission = submitted_lr(login("teacher.benguet"))
    seen_version = Submission.objects.get(pk=submission.pk).journey.version
    admin = login("admin")
    admin.post(
        f"/admin/submissions/action/{submission.pk}/receive_at_division/",
        {"receive_at_division-version": seen_version},
    )
    records = login("records.benguet")
    response = records.post(
        f"/admin/submissions/action/{submission.pk}/return_incomplete/",
        {"return_incomplete-version": seen_version, "return_incomplete-comment": "Bad scan"},
        follow=True,
    )
    assert "This submission changed, reload." in response.content.decode()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.RECEIVED_BY_DIVISION


def test_my_tasks_panel_lists_waiting_items_and_flags_overdue(login):
    submission = submitted_lr(login("teacher.benguet"))
    records = login("records.benguet")
    dashboard = records.get("/admin/").content.decode()
    assert "My tasks" in dashboard
    assert "Measuring Rice Terraces" in dashboard
    assert 'data-testid="overdue"' not in dashboard

    from datetime import timedelta

    from workflow.models import Journey

    Journey.objects.filter(pk=submission.pk).update(
        state_changed_at=submission.journey.state_changed_at - timedelta(days=30)
    )
    dashboard = records.get("/admin/").content.decode()
    assert 'data-testid="overdue"' in dashboard
    assert "1 item is overdue." in dashboard
    # Abra's records section has nothing waiting.
    assert "Nothing is waiting for you." in login("records.abra").get("/admin/").content.decode()


def test_only_the_submitter_edits_and_only_while_editable(login):
    submission = submitted_lr(login("teacher.benguet"))
    # Submitted: even the submitter cannot edit now.
    teacher = login("teacher.benguet")
    response = teacher.get(f"/admin/submissions/edit/{submission.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/submissions/inspect/{submission.pk}/"
    page = teacher.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert "Edit and upload files" not in page
    posted = teacher.post(f"/admin/submissions/edit/{submission.pk}/", form_data(title="Changed"))
    assert posted.status_code == 302
    submission.refresh_from_db()
    assert submission.title != "Changed"
    # Another teacher's submission is not even visible.
    other = login("teacher.abra").get(f"/admin/submissions/edit/{submission.pk}/")
    assert other.status_code == 404


def test_action_outside_role_is_refused_with_a_message(login, user_named):
    submission = submitted_lr(login("teacher.benguet"))
    teacher = login("teacher.benguet")
    page = teacher.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert 'data-action-name="receive_at_division"' not in page
    response = teacher.post(
        f"/admin/submissions/action/{submission.pk}/receive_at_division/",
        {"receive_at_division-version": submission.journey.version},
        follow=True,
    )
    assert "You may not take this action on this submission." in response.content.decode()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.SUBMITTED
    assert not submission.receipts.exists()

    # Receiving an incomplete submission (submitted before that was refused) names what is
    # missing.
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data(title="Nothing attached"))
    bare = Submission.objects.get(title="Nothing attached")
    submit_before_the_rule(user_named("teacher.benguet"), bare)
    response = login("records.benguet").post(
        f"/admin/submissions/action/{bare.pk}/receive_at_division/",
        {"receive_at_division-version": 2},
        follow=True,
    )
    assert "The main file is missing." in response.content.decode()


def test_administrator_chooses_the_origin_unit(login):
    from organisation.models import Division

    client = login("admin")
    page = client.get("/admin/submissions/new/").content.decode()
    assert 'name="origin_level"' in page and 'name="district"' in page
    # A teacher with one district is not asked.
    assert (
        'name="district"'
        not in login("teacher.benguet").get("/admin/submissions/new/").content.decode()
    )

    client = login("admin")
    missing = client.post("/admin/submissions/new/", form_data())
    assert missing.status_code == 200
    assert "Choose a district, division or region." in missing.content.decode()

    kalinga = Division.objects.get(slug="kalinga")
    response = client.post("/admin/submissions/new/", {**form_data(), "division": kalinga.pk})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.origin_level == "division" and submission.division == kalinga


def test_listing_filters_overdue_and_dates(login):
    from datetime import timedelta

    from django.utils import timezone

    from workflow.models import Journey

    old = submitted_lr(login("teacher.benguet"))
    Submission.objects.filter(pk=old.pk).update(title="Old and waiting")
    Journey.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(days=40))
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    submitted_lr(login("teacher.benguet"))

    records = login("records.benguet")
    overdue = records.get("/admin/submissions/", {"overdue": "true"}).content.decode()
    assert "Old and waiting" in overdue and "Measuring Rice Terraces" not in overdue
    assert "overdue" in overdue
    on_time = records.get("/admin/submissions/", {"overdue": "false"}).content.decode()
    assert "Old and waiting" not in on_time and "Measuring Rice Terraces" in on_time
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = records.get("/admin/submissions/", {"created_at_from": since}).content.decode()
    assert "Old and waiting" not in recent and "Measuring Rice Terraces" in recent


def test_edit_with_a_refused_file_changes_nothing(login, s3_storage):
    client = login("teacher.benguet")
    client.post("/admin/submissions/new/", form_data())
    submission = Submission.objects.get()

    def object_count():
        listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
        return listing.get("KeyCount", 0)

    before = object_count()
    response = client.post(
        f"/admin/submissions/edit/{submission.pk}/",
        {
            **form_data(title="Renamed"),
            "main_file": pdf_upload(),
            "photo_file": pdf_upload("photo.jpg", b"GIF89a not really an allowed image"),
        },
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    submission.refresh_from_db()
    assert submission.title != "Renamed"
    assert not submission.files.exists()
    assert object_count() == before
