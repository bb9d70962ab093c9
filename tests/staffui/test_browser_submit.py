"""The teacher's and the records section's journeys in a real browser at 1280 px: a draft that
is refused until complete, the checklist's links to the fields, recalling and submitting again;
and the records section returning an incomplete item with its reasons ticked. With
ALSMIS_GUIDE_SCREENSHOTS=1 the steps are saved for the training guide (teacher-*.png,
records-*.png)."""

import re

import pytest
from playwright.sync_api import expect

from repository.models import Submission
from tests.api.factories import pdf_upload
from tests.browser import assert_accessible, guide_screenshot, sign_in
from tests.journeys import submit_before_the_rule
from workflow import services
from workflow.demo import lr_data, sample_pdf
from workflow.models import State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Counting Rice Terraces"


def docx_bytes():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def pdf(name):
    # A real PDF with a page, so the submission page can draw it as reviewers see it.
    return {"name": name, "mimeType": "application/pdf", "buffer": sample_pdf(name)}


def state_shown(page):
    return page.get_by_test_id("submission-state").text_content().strip()


def take(page, name):
    """Take the action `name` from the submission page, as a person clicks it."""
    button = page.locator(f"button[data-action-name={name}]")
    if not button.is_visible():
        page.locator(f"#action-{name} > summary").click()
    button.click()
    page.wait_for_load_state()


def test_teacher_completes_submits_recalls_and_submits_again(browser_page, axe, csp_violations):
    page = browser_page
    sign_in(page, "teacher.benguet")
    page.goto("/admin/submissions/new/")

    # The kind decides which fields show: none of a kind's own before it is chosen.
    expect(page.locator("#field-program")).to_be_hidden()
    page.locator("[name=kind]").select_option("lr")
    expect(page.locator("#field-program")).to_be_visible()
    expect(page.locator("#field-adviser")).to_be_hidden()
    expect(page.locator("#field-learner_featured")).to_be_hidden()

    for name, value in {
        "title": TITLE,
        "keywords": "area, terraces",
        "content_topic": "Area and perimeter",
        "competencies": "Solves problems involving area.",
        "authors": "Teacher Benguet",
        "copyright": "No copyright: work of the Government (RA 8293 s. 176)",
        "copyright_owner": "DepEd CAR",
        "school_year": "2025-2026",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    for name, label in {
        "program": "A&E Elementary",
        "curriculum_level": "Advanced Elementary",
        "material_type": "Print",
        "resource_type": "Learning activity sheet",
        "education_type": "Alternative Learning System",
    }.items():
        page.locator(f"[name={name}]").select_option(label=label)
    page.get_by_label("LS3 Mathematical and Problem-Solving Skills").check()
    page.get_by_role("checkbox", name="Learners", exact=True).check()

    # The language list: type to find, Enter goes to the term, Space ticks it.
    finder = page.get_by_label("Find in the list")
    finder.fill("ilok")
    expect(page.get_by_label("English", exact=True)).to_be_hidden()
    finder.press("Enter")
    expect(page.get_by_label("Iloko (Ilokano)")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("[data-term-picker-chosen]")).to_have_text("Chosen: Iloko (Ilokano)")
    finder.fill("")
    page.get_by_label("English", exact=True).check()
    page.locator("[name=main_file]").set_input_files(pdf("terraces.pdf"))
    assert_accessible(page, axe)
    guide_screenshot(page, "teacher-1-new-submission-form")

    # Saved as a draft without the summary and the IP declaration.
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/admin/submissions/inspect/\d+/$"))
    submission = Submission.objects.get(title=TITLE)
    assert state_shown(page) == "Draft"
    assert sorted(submission.languages.values_list("code", flat=True)) == ["english", "iloko"]

    # Trying to submit: refused, and the checklist says what is missing.
    take(page, "submit")
    expect(page.locator(".messages")).to_contain_text("Complete the submission before")
    assert state_shown(page) == "Draft"
    checklist = page.get_by_test_id("submit-checklist")
    expect(checklist).to_contain_text("Before you can submit: 2 things are missing")
    expect(checklist.get_by_role("link")).to_have_text(
        ["Summary / description is required.", "The IP / copyright declaration is missing."]
    )
    assert_accessible(page, axe)
    guide_screenshot(page, "teacher-2-submit-checklist")

    # Following a link lands in that field, ready to type.
    checklist.get_by_role("link", name="Summary / description is required.").click()
    page.wait_for_url(re.compile(rf"/admin/submissions/edit/{submission.pk}/#field-summary$"))
    expect(page.locator("[name=summary]")).to_be_focused()
    # Attached files are listed on the form, with their download links.
    expect(page.get_by_test_id("current-files-main_file")).to_contain_text("terraces.pdf")
    guide_screenshot(page, "teacher-3-checklist-link-to-field")
    page.keyboard.type("Learning activity sheets on area using Benguet's terraces.")

    # A Word file renamed .pdf is not an IP declaration.
    page.locator("[name=ip_declaration_file]").set_input_files(
        {"name": "declaration.pdf", "mimeType": "application/pdf", "buffer": docx_bytes()}
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    declaration = page.locator("#field-ip_declaration_file")
    expect(declaration).to_contain_text("must be a PDF or an image")
    expect(declaration).to_contain_text("Word document (DOCX)")
    assert_accessible(page, axe)
    guide_screenshot(page, "teacher-4-declaration-must-be-pdf-or-image")
    page.locator("[name=ip_declaration_file]").set_input_files(pdf("declaration.pdf"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/admin/submissions/inspect/{submission.pk}/$"))
    expect(page.get_by_test_id("submit-checklist")).to_have_count(0)

    take(page, "submit")
    assert state_shown(page) == "Submitted to the division"
    guide_screenshot(page, "teacher-5-submitted-can-recall")

    # Recalled before the records section received it: a draft again, to edit.
    take(page, "recall")
    assert state_shown(page) == "Draft"
    expect(page.get_by_role("link", name="Edit and upload files")).to_be_visible()
    guide_screenshot(page, "teacher-6-recalled-to-draft")
    take(page, "submit")
    assert state_shown(page) == "Submitted to the division"
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.SUBMITTED
    assert list(submission.history.values_list("name", flat=True)) == [
        "submit",
        "recall",
        "submit",
    ]
    assert csp_violations == []


def test_records_section_returns_an_incomplete_item_with_reasons_ticked(
    browser_page, axe, user_named
):
    teacher = user_named("teacher.benguet")
    # An item that arrived incomplete (submitted before submitting needed a complete item).
    submission = services.create_submission(
        teacher,
        lr_data("Fractions at the Market", summary=""),
        files={"main": pdf_upload(content=sample_pdf("Fractions at the Market"))},
    )
    submit_before_the_rule(teacher, submission)

    page = browser_page
    sign_in(page, "records.benguet")
    page.locator("#my-tasks-section").get_by_role("link", name="Fractions at the Market").click()
    page.wait_for_url(re.compile(rf"/admin/submissions/inspect/{submission.pk}/$"))

    # The return comes first and open, its reasons ticked from what is missing.
    first = page.locator("details.submission-action").first
    expect(first).to_have_attribute("id", "action-return_incomplete")
    expect(first).to_have_attribute("open", "")
    expect(first.get_by_label("Required details not filled in")).to_be_checked()
    expect(first.get_by_label("IP / copyright declaration missing")).to_be_checked()
    expect(first.get_by_label("Main file (scanned soft copy) missing")).not_to_be_checked()
    expect(first).to_contain_text("Summary / description is required.")
    assert_accessible(page, axe)
    guide_screenshot(page, "records-1-return-incomplete-first")

    first.get_by_label("Comment").fill("Please add the summary and the signed IP declaration.")
    first.get_by_role("button", name="Return as incomplete").click()
    page.wait_for_load_state()
    assert state_shown(page) == "Returned incomplete"
    guide_screenshot(page, "records-2-returned-incomplete")
    record = submission.history.get(name="return_incomplete")
    assert {r["code"] for r in record.reasons} == {"incomplete-metadata", "missing-ip-declaration"}
    assert record.details["missing"] == [
        "Summary / description is required.",
        "The IP / copyright declaration is missing.",
    ]


def test_story_form_follows_the_kind_and_the_consent_box(browser_page, axe):
    page = browser_page
    sign_in(page, "teacher.benguet")
    page.goto("/admin/submissions/new/")
    page.locator("[name=kind]").select_option("story")
    expect(page.locator("#field-learner_featured")).to_be_visible()
    expect(page.locator("#field-consent_file")).to_be_visible()
    expect(page.locator("#field-photo_file")).to_be_visible()
    for name in ("program", "ip_declaration_file", "adviser", "copyright"):
        expect(page.locator(f"#field-{name}")).to_be_hidden()

    # The consent is needed (*) while the learner is named or pictured.
    consent_mark = page.locator("#field-consent_file .w-required-mark")
    expect(consent_mark).to_be_hidden()
    page.locator("[name=learner_named_or_pictured]").check()
    expect(consent_mark).to_be_visible()

    # The language list says when nothing matches, and Escape brings the list back.
    finder = page.get_by_label("Find in the list")
    finder.fill("klingon")
    expect(page.get_by_text("Nothing matches.")).to_be_visible()
    finder.press("Escape")
    expect(finder).to_have_value("")
    expect(page.get_by_label("Kankanaey")).to_be_visible()
    assert_accessible(page, axe)

    # Switching kind again shows the other kind's fields.
    page.locator("[name=kind]").select_option("research")
    expect(page.locator("#field-adviser")).to_be_visible()
    expect(page.locator("#field-learner_featured")).to_be_hidden()
