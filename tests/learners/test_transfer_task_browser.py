"""Issue 14 in a real Chromium at 1280 px: a transfer request waits in the My tasks of the focal
person of the learner's division, who opens it from there and accepts it; the requesting EPSA
has no such task. With ALSMIS_GUIDE_SCREENSHOTS=1 the steps are saved as focal-*.png."""

from datetime import date

import pytest
from playwright.sync_api import expect

from learners import transfers
from learners.models import LearnerAccessLog, TransferRequest
from organisation.models import Division
from tests.browser import assert_accessible, guide_screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_focal_person_answers_a_transfer_request_from_my_tasks(
    demo, user_named, make_learner, enrol_at, abra_clc, browser_page, axe
):
    learner = make_learner("140112250093", "Bersamin", "Ana", date(2004, 7, 21), sex="F")
    enrol_at(learner, abra_clc)
    transfer = transfers.request_transfer(
        user_named("epsa.benguet"),
        learner,
        Division.objects.get(slug="benguet"),
        reason="The family moved to La Trinidad.",
        channel=LearnerAccessLog.Channel.ADMIN,
    )
    page = browser_page
    sign_in(page, "focal.abra")
    tasks = page.locator('[data-task-group="transfers-to-answer"]')
    title = "Transfer of Bersamin, Ana (LRN 140112250093)"
    expect(tasks).to_contain_text(title)
    expect(tasks).to_contain_text("Benguet asks for this learner of Abra")
    expect(
        page.get_by_test_id("role-shortcuts").get_by_role("link", name="Transfer requests")
    ).to_be_visible()
    assert_accessible(page, axe)
    guide_screenshot(page, "focal-2-my-tasks-transfer")

    tasks.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/admin/learners/transfers/{transfer.pk}/")
    assert_accessible(page, axe)
    guide_screenshot(page, "focal-3-transfer-request")
    page.get_by_role("button", name="Accept the transfer").click()
    page.wait_for_load_state()
    transfer.refresh_from_db()
    assert transfer.state == "accepted"
    page.goto("/admin/")
    expect(page.locator('[data-task-group="transfers-to-answer"]')).to_have_count(0)

    # The requesting EPSA waits for the answer: it was never in their tasks.
    assert TransferRequest.objects.filter(requested_by__username="epsa.benguet").exists()
    page.context.clear_cookies()
    sign_in(page, "epsa.benguet")
    expect(page.locator('[data-task-group="transfers-to-answer"]')).to_have_count(0)
