"""Issue 14's review journeys in a real Chromium at 1280 px, axe-clean and without CSP violations:
the division LR QA reviewer claims with one click, reads the file beside the one rating sheet
whose totals and outcome follow the clicks, and endorses; the regional reviewer sees the
division's answers beside the sheet and approves; regional ALS personnel see what becomes public
and publish; the records section receives and opens the slip from the success message.

With ALSMIS_GUIDE_SCREENSHOTS=1 the steps are saved for the training guide (lrqa-division-*,
lrqa-region-*, records-*).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, guide_screenshot, sign_in, watch_csp
from tests.staffui.test_review_workspace import district_lr, walk
from workflow.demo import passing_review
from workflow.models import Journey, State
from workflow.review import sheet_for
from workflow.services import perform_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settle(page):
    """Wait until the page's animations are over (a message fades in) and its images in view
    have loaded, so that the guide's screenshot shows the page as people see it."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')"
        " && [...document.images].every("
        "i => i.complete || i.getBoundingClientRect().top > window.innerHeight)"
    )


def screenshot(page, name):
    settle(page)
    guide_screenshot(page, name)


def state_of(page):
    return page.get_by_test_id("submission-state")


def score(page, key, value):
    page.locator(f"input[name='review-item_{key}'][value='{value}']").check()


def score_everything(page, submission, value=4):
    for factor in sheet_for(submission)["factors"]:
        for item in factor["items"]:
            score(page, item["key"], value)


def test_division_reviewer_claims_reads_the_file_beside_the_sheet_and_endorses(
    browser_page, user_named, axe
):
    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    page = browser_page
    csp = watch_csp(page)
    sign_in(page, "lrqa.benguet")
    page.goto(f"/admin/submissions/inspect/{submission.pk}/")

    # The route says where it is; claiming is the first button, one click, nothing to fill in.
    route = page.get_by_test_id("route")
    expect(route.locator("[aria-current=step]")).to_contain_text("Division QA")
    claim = page.get_by_role("button", name="Claim for division review")
    expect(claim).to_be_visible()
    assert page.locator("#action-claim_division_review textarea").count() == 0
    screenshot(page, "lrqa-division-1-claim")
    assert_accessible(page, axe)
    claim.click()
    expect(state_of(page)).to_have_text("Under division review")

    # The file and the sheet side by side; the PDF's first page drawn in the page.
    viewer = page.get_by_test_id("file-viewer")
    sheet = page.locator("#review-sheet")
    first_page = viewer.get_by_role("img", name="Page 1 of 2")
    expect(first_page).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first_page.element_handle()
    )
    file_box, sheet_box = viewer.bounding_box(), sheet.bounding_box()
    assert file_box["x"] + file_box["width"] <= sheet_box["x"]
    assert abs(file_box["y"] - sheet_box["y"]) < 80
    assert sheet_box["width"] > 400 and file_box["width"] > 400
    # "Release my claim" comes after the sheet.
    release = page.get_by_role("button", name="Release my claim")
    assert release.bounding_box()["y"] > sheet_box["y"] + sheet_box["height"]
    page.locator("#review-heading").scroll_into_view_if_needed()
    screenshot(page, "lrqa-division-2-sheet-beside-file")

    # Totals and the outcome follow the clicks.
    content = page.locator("[data-factor=content] [data-factor-total]")
    accuracy = page.locator("[data-factor=accuracy] [data-factor-total]")
    outcome = page.locator("output[data-outcome]")
    expect(outcome).to_have_text("Score every item to see the outcome")
    score(page, "content_1", 4)
    expect(content).to_have_text("4 / 28 (1 / 7 scored)")
    score_everything(page, submission)
    expect(content).to_have_text("28 / 28 — Passed")
    expect(outcome).to_have_text("Passed")
    for key in ("content_4", "content_5", "content_6", "content_7"):
        score(page, key, 2)
    expect(content).to_have_text("20 / 28 — Conditional pass (revise)")
    expect(outcome).to_have_text("Conditional pass (revise)")
    # Endorsing a sheet that did not pass is flagged before it is sent.
    page.get_by_role("radio", name="Endorse to the region").check()
    warning = page.locator("[data-decision-warning]")
    expect(warning).to_be_visible()
    score(page, "accuracy_2", 1)
    expect(accuracy).to_have_text("17 / 20 — Failed")
    expect(outcome).to_have_text("Failed")
    score_everything(page, submission)
    expect(outcome).to_have_text("Passed")
    expect(warning).to_be_hidden()
    # Endorsing takes no reasons: they are shown only for a return.
    expect(page.get_by_text("Reasons for returning it")).to_be_hidden()
    page.get_by_role("radio", name="Return for revision").check()
    expect(page.get_by_text("Reasons for returning it")).to_be_visible()
    page.get_by_role("radio", name="Endorse to the region").check()

    sheet.get_by_label("Comment", exact=True).fill("Ready for the region.")
    sheet.scroll_into_view_if_needed()
    screenshot(page, "lrqa-division-3-outcome-and-decision")
    assert_accessible(page, axe)
    button = sheet.locator("button[data-action-name=review]")
    expect(button).to_have_text("Endorse to the region")
    button.click()
    expect(state_of(page)).to_have_text("Endorsed to the region")
    expect(page.get_by_test_id("route").locator("[aria-current=step]")).to_contain_text(
        "Region records"
    )
    assert "Ready for the region." in page.locator("#history-heading + table").inner_text()
    screenshot(page, "lrqa-division-4-endorsed")
    assert_accessible(page, axe)
    assert Journey.objects.get(pk=submission.pk).state == State.ENDORSED_TO_REGION
    assert not csp, csp


def test_regional_reviewer_sees_the_division_scores_approves_and_als_publishes(
    browser_page, new_page, user_named, axe
):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    division_review = passing_review(submission)
    division_review["items"]["format_3"] = 3
    division_review["item_comments"] = {"format_3": "The map on page 2 is small."}
    perform_transition(
        user_named("lrqa.benguet"), submission, "endorse_to_region", review=division_review
    )
    perform_transition(user_named("records.region"), submission, "receive_at_region")

    page = browser_page
    csp = watch_csp(page)
    sign_in(page, "lrqa.region")
    page.goto(f"/admin/submissions/inspect/{submission.pk}/")
    page.get_by_role("button", name="Claim for regional review").click()
    expect(state_of(page)).to_have_text("Under regional review")

    # The division's answer beside each item, read-only.
    item = page.locator(
        "fieldset.sheet-item", has=page.locator("input[name='review-item_format_3']")
    )
    earlier = item.get_by_test_id("earlier-answer")
    expect(earlier).to_contain_text("Division: 3")
    expect(earlier).to_contain_text("The map on page 2 is small.")
    assert earlier.locator("input").count() == 0
    expect(page.locator("[data-factor=format] .sheet-earlier").first).to_have_text(
        "Division: 27 of 28"
    )
    item.scroll_into_view_if_needed()
    screenshot(page, "lrqa-region-1-division-scores-beside-the-sheet")
    score_everything(page, submission)
    expect(page.locator("output[data-outcome]")).to_have_text("Passed")
    page.get_by_role("radio", name="Approve").check()
    assert_accessible(page, axe)
    page.locator("#review-sheet button[data-action-name=review]").click()
    expect(state_of(page)).to_have_text("Approved")
    screenshot(page, "lrqa-region-2-approved")
    assert not csp, csp

    # Regional ALS personnel: what becomes public, then publish.
    als = new_page()
    als_csp = watch_csp(als)
    sign_in(als, "als.region")
    als.goto(f"/admin/submissions/inspect/{submission.pk}/")
    preview = als.get_by_test_id("publication-preview")
    expect(preview).to_contain_text(submission.title)
    expect(preview).to_contain_text(submission.summary)
    expect(preview.get_by_test_id("public-file")).to_contain_text("module.pdf")
    expect(preview.get_by_test_id("private-file")).to_contain_text("ip.pdf")
    publish = als.get_by_role("button", name="Publish", exact=True)
    assert publish.bounding_box()["y"] > preview.bounding_box()["y"]
    screenshot(als, "lrqa-region-3-publish-preview")
    assert_accessible(als, axe)
    publish.click()
    expect(state_of(als)).to_have_text("Published")
    expect(als.get_by_role("link", name="View the public page")).to_be_visible()
    screenshot(als, "lrqa-region-4-published")
    assert not als_csp, als_csp


def test_records_section_receives_and_prints_the_slip_from_the_message(
    browser_page, user_named, axe
):
    submission = district_lr(user_named)
    perform_transition(user_named("teacher.benguet"), submission, "submit")
    page = browser_page
    csp = watch_csp(page)
    sign_in(page, "records.benguet")
    page.locator("#my-tasks-section").get_by_role("link", name=re.compile(submission.title)).click()
    expect(state_of(page)).to_have_text("Submitted to the division")
    # Receiving is the first action; the main file can be read on the page before it.
    assert page.locator("[data-action-name]").first.get_attribute("data-action-name") == (
        "receive_at_division"
    )
    expect(
        page.get_by_test_id("file-viewer").get_by_role("img", name="Page 1 of 2")
    ).to_be_visible()
    screenshot(page, "records-1-submitted")
    page.get_by_role("button", name="Receive and stamp").click()
    expect(state_of(page)).to_have_text("Received by the division")
    stamp = submission.receipts.get()
    message = page.locator(".messages")
    expect(message).to_contain_text(stamp.control_number)
    slip = message.get_by_role("link", name="Print receipt slip")
    expect(slip).to_be_visible()
    screenshot(page, "records-2-received-with-slip-link")
    assert_accessible(page, axe)
    slip.click()
    expect(page.get_by_test_id("control-number")).to_have_text(stamp.control_number)
    screenshot(page, "records-3-receipt-slip")
    assert not csp, csp
