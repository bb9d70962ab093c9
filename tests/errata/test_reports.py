"""Readers' reports: the public form (honeypot, rate limit, never cached), triage by the
region's LR QA pool, and a correction published at the same URL with its public note."""

import datetime

import pytest

from errata import services, stats
from errata.models import Correction, ProblemReport, Status
from tests.journeys import pdf_upload
from tests.workflow.conftest import lr_in_state
from workflow.demo import passing_review
from workflow.services import perform_transition, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def published_ids(module_transaction):
    """tests/errata/conftest.py's published item, made once for this module (eight workflow
    steps; tests/conftest.py module_transaction): (submission id, page id)."""
    from cms.models import ResourcePage

    submission = lr_in_state("published", title="Fractions in the Market")
    return submission.pk, ResourcePage.objects.get(submission=submission).pk


@pytest.fixture
def published(published_ids):
    """(submission, its live page (specific)), fresh for each test."""
    from wagtail.models import Page

    from repository.models import Submission

    submission_id, page_id = published_ids
    return Submission.objects.get(pk=submission_id), Page.objects.get(pk=page_id).specific


def post_report(client, url, data, capture=None):
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def test_the_item_page_links_to_a_form_that_files_a_report_for_the_file_version_seen(
    client,
    published,
    report_url,
    report_data,
    run_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    submission, page = published
    item = client.get(page.url)
    assert item.status_code == 200
    assert f'href="{report_url}"'.encode() in item.content
    assert b"Report a problem" in item.content

    form = client.get(report_url)
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"] and "private" in form["Cache-Control"]
    assert b"Wrong answer key" in form.content and b'name="website"' in form.content
    main = submission.files.get(role="main", is_current=True)
    # The main file is offered, and chosen by default.
    assert f'<option value="{main.pk}" selected>'.encode() in form.content

    response = post_report(
        client, report_url, report_data | {"file": str(main.pk)}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 201
    assert b"Thank you" in response.content
    assert "no-store" in response["Cache-Control"]
    report = ProblemReport.objects.get()
    assert (report.page_id, report.submission_id, report.status) == (page.pk, submission.pk, "new")
    assert report.page_url.endswith(page.url)
    assert (report.submission_file_id, report.file_version) == (main.pk, 1)
    assert report.category == "answer_key" and report.email == "reader@example.org"
    assert (report.region_id, report.division_id) == (submission.region_id, submission.division_id)
    run_tasks()
    # The region's LR QA pool is told (not the division's).
    assert [m.to for m in mailoutbox] == [["lrqa.region@deped-car.example"]]
    assert (
        "question 4" in mailoutbox[0].body and f"/admin/errata/{report.pk}/" in mailoutbox[0].body
    )


def test_a_filled_honeypot_is_refused_with_a_message(client, report_url, report_data):
    response = client.post(report_url, report_data | {"website": "http://spam.example"})
    assert response.status_code == 400
    assert b"a field meant to stay empty was filled in" in response.content
    assert not ProblemReport.objects.exists()


def test_an_incomplete_report_is_refused_with_a_message(client, report_url, report_data):
    response = client.post(report_url, report_data | {"category": "", "email": "not-an-email"})
    assert response.status_code == 400
    assert b"Please correct the marked fields" in response.content
    assert b"Enter a valid email address" in response.content
    assert not ProblemReport.objects.exists()


def test_an_email_longer_than_the_stored_column_is_refused_with_a_message(
    client, report_url, report_data
):
    # 260 characters: a valid address by the form's own rule (up to 320), longer than the 254
    # the column holds.
    email = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com"
    response = client.post(report_url, report_data | {"email": email})
    assert response.status_code == 400
    assert b"Please correct the marked fields" in response.content
    assert not ProblemReport.objects.exists()


def test_a_nul_byte_in_a_report_is_refused_and_nothing_is_kept(client, report_url, report_data):
    response = client.post(report_url, report_data | {"description": "Page 3\x00 is wrong"})
    assert response.status_code == 400
    assert not ProblemReport.objects.exists()


def test_reports_from_one_address_are_rate_limited(client, report_url, report_data, settings):
    settings.ERRATA_REPORT_RATE = "2/h"
    assert [client.post(report_url, report_data).status_code for _ in range(2)] == [201, 201]
    refused = client.post(report_url, report_data)
    assert refused.status_code == 429
    assert b"Too many reports were sent from your connection" in refused.content
    assert int(refused["Retry-After"]) >= 1
    assert ProblemReport.objects.count() == 2
    # Another address still may report.
    other = client.post(report_url, report_data, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201


def test_no_form_for_an_item_that_is_not_public(client, published, user_named):
    submission, page = published
    perform_transition(user_named("als.region"), submission, "withdraw", comment="Outdated.")
    assert client.get(f"/report-a-problem/{page.pk}/").status_code == 404
    assert client.get("/report-a-problem/999999/").status_code == 404


def file(submission, page, **extra):
    fields = {
        "submission": submission,
        "page_id": page.pk,
        "page_url": page.full_url,
        "page_title": page.title,
        "category": "typo",
        "description": "Page 3: 'fractoins'.",
        "email": "reader@example.org",
    }
    return services.file_report(**(fields | extra))


def test_the_regional_qa_pool_sees_reports_in_my_tasks_and_others_do_not(
    client, published, user_named
):
    from organisation.dashboard import task_groups_for

    report = file(*published)
    groups = {g.key: g for g in task_groups_for(user_named("lrqa.region"))}
    assert [t.url for t in groups["errata-reports"].tasks] == [f"/admin/errata/{report.pk}/"]
    for username in ("lrqa.benguet", "teacher.benguet", "als.region"):
        keys = {g.key for g in task_groups_for(user_named(username))}
        assert "errata-reports" not in keys, username

    client.force_login(user_named("lrqa.region"))
    listing = client.get("/admin/errata/")
    assert listing.status_code == 200 and b"Fractions in the Market" in listing.content
    client.force_login(user_named("lrqa.benguet"))
    for url in ("/admin/errata/", f"/admin/errata/{report.pk}/"):
        # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
        response = client.get(url, follow=True)
        assert response.redirect_chain == [("/admin/", 302)], url
        assert "Sorry, you do not have permission to access this area." in response.text
    assert "Reader reports" not in client.get("/admin/").text


def test_a_reviewer_of_another_region_gets_a_404(client, published, django_user_model):
    from organisation.models import Region, Role, RoleAssignment

    report = file(*published)
    other = Region.objects.create(code="R1", name="Ilocos Region")
    reviewer = django_user_model.objects.create_user("lrqa.ilocos", "q@example.org", "x")
    RoleAssignment.objects.create(user=reviewer, role=Role.LR_QA_REVIEWER, region=other)
    client.force_login(reviewer)
    assert client.get("/admin/errata/").status_code == 200
    assert client.get(f"/admin/errata/{report.pk}/").status_code == 404
    with pytest.raises(services.TriageRefused) as refused:
        services.dismiss(reviewer, report, "Not ours.")
    assert refused.value.status_code == 403


def test_dismissing_needs_a_note_and_tells_the_reader(
    client, published, user_named, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    report = file(*published)
    client.force_login(user_named("lrqa.region"))
    url = f"/admin/errata/{report.pk}/"
    refused = client.post(url, {"action": "dismiss", "note": ""})
    assert refused.status_code == 400 and b"Write a note saying why" in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "dismiss", "note": "The spelling is the local one."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.triage_note) == ("dismissed", "The spelling is the local one.")
    run_tasks()
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert "The spelling is the local one." in mailoutbox[0].body
    # Triaged once only.
    again = client.post(url, {"action": "dismiss", "note": "Twice."})
    assert again.status_code == 409 and b"already triaged" in again.content
    # The submission did not move.
    assert published[0].journey.state == "published"


def test_a_reader_who_reported_in_filipino_is_answered_in_filipino(
    client,
    published,
    report_data,
    user_named,
    run_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    page = published[1]
    assert client.post(f"/fil/report-a-problem/{page.pk}/", report_data).status_code == 201
    report = ProblemReport.objects.get()
    assert report.language == "fil"
    with django_capture_on_commit_callbacks(execute=True):
        services.dismiss(user_named("lrqa.region"), report, "Tama ang sagot.")
    run_tasks()
    mail = mailoutbox[0]
    assert mail.subject.startswith("[ALS MIS] Ang ulat mo tungkol sa")
    assert "Tama ang sagot." in mail.body


def test_a_correction_goes_back_to_the_submitter_and_is_published_at_the_same_url_with_a_note(
    client,
    published,
    user_named,
    run_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
    purges,
):
    submission, page = published
    url_before = page.url
    first = file(submission, page, category="answer_key", description="Question 4 is wrong.")
    second = file(submission, page, email="", description="Also question 5.")
    reviewer = user_named("lrqa.region")
    client.force_login(reviewer)

    # Sending back needs the public note and the message to the submitter.
    refused = client.post(f"/admin/errata/{first.pk}/", {"action": "correct", "note": "Fix it."})
    assert refused.status_code == 400 and b"Say what will change" in refused.content
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/admin/errata/{first.pk}/",
            {
                "action": "correct",
                "note": "Questions 4 and 5 of the answer key are wrong; please fix them.",
                "public_note": "Answer key of questions 4 and 5 fixed.",
            },
        )
    assert sent.status_code == 302
    submission.refresh_from_db()
    journey = submission.journey
    assert (journey.state, journey.returned_from) == ("returned_for_revision", "published")
    record = submission.history.last()
    assert (record.name, record.actor) == ("request_correction", reviewer)
    run_tasks()
    assert [m.to for m in mailoutbox] == [["teacher.benguet@deped-car.example"]]
    assert "please fix them" in mailoutbox[0].body
    # A second report joins the correction under way: no second transition.
    services.open_correction(reviewer, second, public_note="", message="Same correction.")
    assert Correction.objects.count() == 1
    assert submission.history.filter(name="request_correction").count() == 1
    # Meanwhile the page stays up, unchanged.
    assert client.get(url_before).status_code == 200

    # The submitter uploads the corrected file and resubmits: back to the regional QA pool.
    teacher = user_named("teacher.benguet")
    old_main = submission.files.get(role="main", is_current=True)
    upload_file(
        teacher, submission, pdf_upload("Fixed key", "module.pdf"), "main", replaces=old_main
    )
    assert perform_transition(teacher, submission, "resubmit").state == "received_by_region"
    perform_transition(reviewer, submission, "claim_regional_review")
    perform_transition(reviewer, submission, "approve", review=passing_review(submission))
    mailoutbox.clear()
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(user_named("als.region"), submission, "publish")
    run_tasks()

    page.refresh_from_db()
    assert page.url == url_before and page.live
    # The item's page (both languages) was purged.
    assert f"http://testserver{url_before}" in purges
    assert f"http://testserver/fil{url_before}" in purges
    client.logout()
    shown = client.get(url_before)
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Corrected on" in text and "Answer key of questions 4 and 5 fixed." in text
    new_main = submission.files.get(role="main", is_current=True)
    assert new_main.version == 2
    assert page.files.get(is_current=True, role="main").submission_file == new_main
    correction = Correction.objects.get()
    assert correction.published_at is not None
    assert set(ProblemReport.objects.values_list("status", flat=True)) == {Status.CORRECTED}
    # The reader who left an email is told (the second left none); the submitter of the
    # publication as before.
    to_reader = [m for m in mailoutbox if m.to == ["reader@example.org"]]
    assert len(to_reader) == 1
    assert "Answer key of questions 4 and 5 fixed." in to_reader[0].body
    assert url_before in to_reader[0].body


def test_only_the_regional_qa_pool_may_send_a_published_item_back(published, user_named):
    from workflow.exceptions import PermissionDeniedForTransition

    submission, page = published
    report = file(submission, page)
    for username in ("lrqa.benguet", "als.region", "teacher.benguet"):
        with pytest.raises(services.TriageRefused) as refused:
            services.open_correction(user_named(username), report, public_note="x", message="y")
        assert refused.value.status_code == 403
        with pytest.raises(PermissionDeniedForTransition):
            perform_transition(user_named(username), submission, "request_correction", comment="x")
    submission.refresh_from_db()
    assert submission.journey.state == "published"
    assert not Correction.objects.exists()


def test_report_counts_by_category_and_outcome(published, user_named):
    from django.utils import timezone

    from organisation.models import Division

    submission, page = published
    reviewer = user_named("lrqa.region")
    a = file(submission, page, category="typo")
    file(submission, page, category="typo")
    b = file(submission, page, category="broken_file")
    services.dismiss(reviewer, a, "Fine as it is.")
    services.open_correction(reviewer, b, public_note="File replaced.", message="Re-upload.")
    today = timezone.localdate()
    benguet = Division.objects.get(slug="benguet")
    counts = stats.report_counts([benguet], today, today)
    assert counts["total"] == 3
    assert counts["by_category"]["typo"] == 2 and counts["by_category"]["broken_file"] == 1
    assert counts["by_category"]["copyright"] == 0
    assert counts["by_outcome"] == {"new": 1, "dismissed": 1, "in_revision": 1, "corrected": 0}
    assert counts["by_category_and_outcome"][("typo", "dismissed")] == 1
    abra = Division.objects.get(slug="abra")
    assert stats.report_counts([abra], today, today)["total"] == 0
    yesterday = today - datetime.timedelta(days=1)
    assert stats.report_counts(None, yesterday, yesterday)["total"] == 0
    assert stats.report_counts(None, today, today)["total"] == 3
    # Whole regions: the reports of that region's items only.
    car = benguet.region_id
    assert stats.report_counts(None, today, today, regions=[car])["total"] == 3
    assert stats.report_counts(None, today, today, regions=[car + 1000])["total"] == 0


def test_the_monitoring_report_gets_a_table_of_reports_by_problem_and_outcome(
    published, user_named
):
    from types import SimpleNamespace

    from django.utils import timezone
    from wagtail import hooks

    submission, page = published
    services.dismiss(user_named("lrqa.region"), file(submission, page, category="typo"), "Fine.")
    file(submission, page, category="copyright")
    today = timezone.localdate()
    assert stats.monitoring_sections in hooks.get_hooks("register_monitoring_sections")
    [table] = stats.monitoring_sections(None, SimpleNamespace(start=today, end=today))
    assert table["key"] == "reader_reports"
    assert table["columns"] == [
        "Problem",
        "New: to triage",
        "Dismissed",
        "Correction under way",
        "Corrected",
        "Total",
    ]
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows["Typo or wrong word"] == [0, 1, 0, 0, 1]
    assert rows["Copyright concern"] == [1, 0, 0, 0, 1]
    assert rows["All problems"] == [1, 1, 0, 0, 2]
