"""The submission page in a real browser: log in as a demo user, open a submission, click an
action button, and see the new state and the stamp."""

import re

import pytest
from playwright.sync_api import expect

from repository.vocabularies import seed_vocabularies
from tests.api.factories import LR_PAYLOAD, pdf_upload
from tests.browser import describe_violations, sign_in
from workflow import services
from workflow.models import State


def submitted_lr(teacher):
    # A transactional test starts from a flushed database: the vocabulary migration's rows are
    # gone, so put them back.
    seed_vocabularies()
    submission = services.create_submission(
        teacher, dict(LR_PAYLOAD), files={"main": pdf_upload(), "ip_declaration": pdf_upload()}
    )
    services.perform_transition(teacher, submission, "submit")
    return submission


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_records_section_receives_a_submission_in_the_browser(browser_page, user_named, axe):
    submission = submitted_lr(user_named("teacher.benguet"))
    page = browser_page
    sign_in(page, "records.benguet")

    # The dashboard's "My tasks" lists it; the link opens the submission page.
    tasks = page.locator("#my-tasks-section")
    assert "Measuring Rice Terraces" in tasks.inner_text()
    tasks.get_by_role("link", name=re.compile("Measuring Rice Terraces")).click()
    page.wait_for_url(re.compile(rf"/admin/submissions/inspect/{submission.pk}/$"))
    assert (
        page.get_by_test_id("submission-state").text_content().strip()
        == "Submitted to the division"
    )
    violations = axe(page)
    assert not violations, describe_violations(violations)

    page.get_by_role("button", name="Receive and stamp").click()
    page.wait_for_load_state()
    assert (
        page.get_by_test_id("submission-state").text_content().strip() == "Received by the division"
    )
    stamp = submission.receipts.get()
    assert stamp.control_number in page.locator(".messages").inner_text()
    assert stamp.control_number in page.locator("#stamps-heading + table").inner_text()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.RECEIVED_BY_DIVISION

    # The receipt slip opens from the success message (and from the stamps table) and is ready
    # to print.
    expect(page.locator("#stamps-heading + table").get_by_role("link")).to_have_text(
        "Print receipt slip"
    )
    page.locator(".messages").get_by_role("link", name="Print receipt slip").click()
    # The print style sheet must have loaded before print media is emulated.
    page.wait_for_load_state("load")
    assert page.get_by_test_id("control-number").inner_text() == stamp.control_number
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviewer_fills_the_rating_sheet_in_the_browser(browser_page, user_named, axe):
    submission = submitted_lr(user_named("teacher.benguet"))
    services.perform_transition(user_named("records.benguet"), submission, "receive_at_division")
    services.perform_transition(user_named("lrqa.benguet"), submission, "claim_division_review")

    page = browser_page
    sign_in(page, "lrqa.benguet")
    page.goto(f"/admin/submissions/inspect/{submission.pk}/")
    # The one rating sheet, open: score every item 4 by clicking the radio buttons a reviewer
    # clicks, and choose the outcome on it.
    sheet = page.locator("#review-sheet")
    radios = sheet.locator("input[type=radio][value='4']")
    assert radios.count() == 24
    for index in range(radios.count()):
        radios.nth(index).check()
    sheet.get_by_role("radio", name="Endorse to the region").check()
    violations = axe(page)
    assert not violations, describe_violations(violations)
    sheet.get_by_label("Comment", exact=True).fill("Ready for the region.")
    sheet.get_by_role("button", name="Endorse to the region").click()
    page.wait_for_load_state()
    assert (
        page.get_by_test_id("submission-state").text_content().strip() == "Endorsed to the region"
    )
    assert "Ready for the region." in page.locator("#history-heading + table").inner_text()
