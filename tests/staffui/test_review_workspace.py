"""The submission page as a workspace: the action that fits the state first, the claimed review's
file beside one rating sheet, the route with who has the item since when, the main file shown
inline, what publishing makes public, and the receipt slip linked from the success message."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.text import slugify

from cms.models import ResourcePage
from repository.models import ReturnReason
from tests.api.factories import PDF_BYTES
from tests.journeys import APPROVAL_STEPS, REVIEWED, approve
from tests.journeys import pdf_upload as titled_pdf
from workflow.demo import lr_data, passing_review, sample_pdf
from workflow.downloads import INLINE_CSP
from workflow.models import Journey, State
from workflow.review import sheet_for
from workflow.services import create_submission, perform_transition, upload_file

INSPECT = "/admin/submissions/inspect/{}/"


def district_lr(user_named, title="Fractions in the market", pages=2, main=None):
    """A complete Benguet district learning resource; its main file a PDF of `pages` pages."""
    teacher = user_named("teacher.benguet")
    submission = create_submission(teacher, lr_data(title))
    main = main or SimpleUploadedFile(
        "module.pdf", sample_pdf(title, pages=pages), content_type="application/pdf"
    )
    upload_file(teacher, submission, main, "main")
    upload_file(teacher, submission, titled_pdf("IP", "ip.pdf"), "ip_declaration")
    return submission


def walk(submission, user_named, until):
    """Take the submission along APPROVAL_STEPS up to and including transition `until`."""
    for username, name in APPROVAL_STEPS:
        review = passing_review(submission) if name in REVIEWED else None
        perform_transition(user_named(username), submission, name, review=review)
        if name == until:
            return submission
    raise AssertionError(f"{until} is not on the path")


def page_of(client, submission):
    response = client.get(INSPECT.format(submission.pk))
    assert response.status_code == 200
    return response.content.decode()


def first_action(page):
    """The name of the first action offered on the page (the review sheet's is "review")."""
    return re.search(r'data-action-name="([a-z_]+)"', page).group(1)


def route_html(page):
    return re.search(r'<nav class="route[^"]*".*?</nav>', page, re.S).group(0)


def route_steps(page):
    """[(label, status)] of the route's steps, in order."""
    return [
        (label.strip(), status)
        for status, label in re.findall(
            r'class="route__step route__step--(\w+)"[^>]*>\s*<span[^>]*>.</span>\s*([^<]+)',
            route_html(page),
        )
    ]


def date_text(moment):
    return format_date(timezone.localtime(moment), get_format("DATE_FORMAT"))


def review_post(submission, decision, low=None, **extra):
    """The one rating sheet as the page posts it: every item 4 except `low` {key: (score,
    note)}, with the outcome chosen."""
    low = low or {}
    data = {"review-version": Journey.objects.get(pk=submission.pk).version}
    if decision:
        data["review-decision"] = decision
    for factor in sheet_for(submission)["factors"]:
        for item in factor["items"]:
            score, note = low.get(item["key"], (4, ""))
            data[f"review-item_{item['key']}"] = score
            data[f"review-note_{item['key']}"] = note
    data.update(extra)
    return data


def checked(page, name, value):
    """Whether the radio or checkbox `name` with `value` is checked on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no input {name}={value}")


# --------------------------------------------------------------------------------------------
# The action that fits the state comes first
# --------------------------------------------------------------------------------------------


def test_each_role_sees_the_step_that_fits_first(login, user_named):
    submission = district_lr(user_named)
    perform_transition(user_named("teacher.benguet"), submission, "submit")
    cases = [
        ("records.benguet", "receive_at_division", "receive_at_division"),
        ("lrqa.benguet", "claim_division_review", "claim_division_review"),
        ("lrqa.benguet", "endorse_to_region", "review"),
        ("records.region", "receive_at_region", "receive_at_region"),
        ("lrqa.region", "claim_regional_review", "claim_regional_review"),
        ("lrqa.region", "approve", "review"),
        ("als.region", "publish", "publish"),
    ]
    for username, next_step, first in cases:
        page = page_of(login(username), submission)
        assert first_action(page) == first, (username, next_step)
        review = passing_review(submission) if next_step in REVIEWED else None
        perform_transition(user_named(username), submission, next_step, review=review)


def test_claiming_is_one_click_then_the_sheet_comes_before_releasing(login, user_named):
    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    client = login("lrqa.benguet")
    page = page_of(client, submission)
    # One click: the claim form carries the version it was seen at and nothing to fill in.
    claim = re.search(r'<form[^>]*id="action-claim_division_review".*?</form>', page, re.S)
    assert claim and "<textarea" not in claim.group(0) and "<details" not in page[: claim.start()]
    response = client.post(
        f"/admin/submissions/action/{submission.pk}/claim_division_review/",
        {"claim_division_review-version": submission.journey.version},
    )
    assert response.status_code == 302
    journey = Journey.objects.get(pk=submission.pk)
    assert journey.state == State.UNDER_DIVISION_REVIEW
    assert journey.claimed_by == user_named("lrqa.benguet")

    page = page_of(client, submission)
    # The rating sheet first, "Release my claim" after it; one sheet, not one per outcome.
    assert first_action(page) == "review"
    assert page.index('id="review-sheet"') < page.index('data-action-name="release_claim"')
    assert page.count('id="review-sheet"') == 1
    assert page.count('name="review-item_content_1"') == 4  # the radios 4, 3, 2, 1, once
    assert 'id="action-endorse_to_region"' not in page
    assert 'id="action-return_for_revision"' not in page
    assert 'value="endorse_to_region"' in page and 'value="return_for_revision"' in page
    # Beside the sheet (in the same workspace): the main file's two pages, drawn as images.
    workspace = page[page.index('class="review-workspace"') : page.index('id="review-sheet"')]
    main = submission.files.get(role="main")
    for number in (1, 2):
        assert f"/admin/submissions/file/{submission.pk}/{main.pk}/page/{number}/" in workspace
    assert "Page 2 of 2" in workspace and "(2 pages)" in workspace
    assert f"/admin/submissions/file/{submission.pk}/{main.pk}/?inline=1" in workspace
    # The live outcome's script comes from a static file (the admin's CSP: no inline script).
    assert "js/review-sheet.js" in page


def test_a_review_outcome_is_not_taken_through_the_single_action_form(login, user_named):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    response = login("lrqa.benguet").post(
        f"/admin/submissions/action/{submission.pk}/endorse_to_region/",
        {"endorse_to_region-version": submission.journey.version},
        follow=True,
    )
    assert "Give the review on the rating sheet of the submission." in response.content.decode()
    assert Journey.objects.get(pk=submission.pk).state == State.UNDER_DIVISION_REVIEW


# --------------------------------------------------------------------------------------------
# One rating sheet
# --------------------------------------------------------------------------------------------


def test_the_sheet_keeps_its_scores_when_it_comes_back_and_when_the_outcome_changes(
    login, user_named
):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    client = login("lrqa.benguet")
    url = f"/admin/submissions/review/{submission.pk}/"

    # A score below 4 without its comment: the sheet comes back with every score still set.
    bad = client.post(
        url,
        review_post(
            submission, "endorse_to_region", {"content_3": (2, "")}, **{"review-comment": "Mine"}
        ),
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "A rating below 4 needs a comment." in page
    assert checked(page, "review-item_content_3", 2)
    assert checked(page, "review-item_accuracy_5", 4)
    assert checked(page, "review-decision", "endorse_to_region")
    assert "Mine</textarea>" in page
    assert page.count('id="review-sheet"') == 1

    # A conditional pass cannot be endorsed: refused beside the choice, the scores kept.
    low = {key: (2, "Needs more reasoning.") for key in ("content_4", "content_5", "content_6")}
    low["content_7"] = (2, "No safety note.")
    refused = client.post(url, review_post(submission, "endorse_to_region", low))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Only a submission that passed the review can be endorsed or approved." in page
    assert "This sheet&#x27;s outcome: Conditional pass (revise)." in page
    assert all(checked(page, f"review-item_{key}", 2) for key in low)
    assert Journey.objects.get(pk=submission.pk).state == State.UNDER_DIVISION_REVIEW
    assert not submission.reviews.exists()

    # The same scores, the other outcome: returned for revision with them.
    reason = ReturnReason.objects.filter(applies_to="revision", is_active=True).first()
    done = client.post(
        url,
        review_post(
            submission,
            "return_for_revision",
            low,
            **{"review-reasons": [reason.code], "review-comment": "Revise Factor 1."},
        ),
    )
    assert done.status_code == 302
    journey = Journey.objects.get(pk=submission.pk)
    assert journey.state == State.RETURNED_FOR_REVISION
    review = submission.reviews.get()
    assert review.outcome == "conditional_pass"
    assert review.answers["items"]["content_4"] == 2
    assert review.answers["factors"]["content"]["score"] == 20
    record = submission.history.get(name="return_for_revision")
    assert record.reasons == [{"code": reason.code, "name": reason.name}]
    assert record.comment == "Revise Factor 1."


def test_an_outcome_must_be_chosen_and_endorsing_takes_no_reasons(login, user_named):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    client = login("lrqa.benguet")
    url = f"/admin/submissions/review/{submission.pk}/"
    unchosen = client.post(url, review_post(submission, None))
    assert unchosen.status_code == 400
    assert "Choose what happens to the submission." in unchosen.content.decode()
    assert checked(unchosen.content.decode(), "review-item_format_2", 4)

    reason = ReturnReason.objects.filter(applies_to="revision", is_active=True).first()
    endorsed = client.post(
        url, review_post(submission, "endorse_to_region", **{"review-reasons": [reason.code]})
    )
    assert endorsed.status_code == 302
    assert Journey.objects.get(pk=submission.pk).state == State.ENDORSED_TO_REGION
    assert submission.history.get(name="endorse_to_region").reasons == []


def test_only_the_reviewer_holding_the_claim_may_post_the_sheet(login, user_named):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    url = f"/admin/submissions/review/{submission.pk}/"
    response = login("records.benguet").post(url, review_post(submission, "endorse_to_region"))
    assert response.status_code == 302
    assert Journey.objects.get(pk=submission.pk).state == State.UNDER_DIVISION_REVIEW
    # Outside the scope: not even found.
    assert (
        login("lrqa.abra").post(url, review_post(submission, "endorse_to_region")).status_code
        == 404
    )


def test_the_regional_sheet_shows_the_division_answers_beside_each_item(login, user_named):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    division_review = passing_review(submission)
    division_review["items"]["content_3"] = 3
    division_review["item_comments"] = {"content_3": "Add problems that need more reasoning."}
    perform_transition(
        user_named("lrqa.benguet"), submission, "endorse_to_region", review=division_review
    )
    for username, name in (
        ("records.region", "receive_at_region"),
        ("lrqa.region", "claim_regional_review"),
    ):
        perform_transition(user_named(username), submission, name)

    page = page_of(login("lrqa.region"), submission)
    items = sum(len(f["items"]) for f in sheet_for(submission)["factors"])
    assert page.count('data-testid="earlier-answer"') == items
    item = re.search(
        r'name="review-item_content_3".*?data-testid="earlier-answer">(.*?)</span>', page, re.S
    )
    assert "<strong>3</strong>" in item.group(1)
    assert "Add problems that need more reasoning." in item.group(1)
    assert "Division: 27 of 28" in page
    assert 'value="approve"' in page and 'value="return_for_revision"' in page
    # The division's reviewer sees no such column on their own sheet.
    other = walk(district_lr(user_named, "Second module"), user_named, "claim_division_review")
    assert 'data-testid="earlier-answer"' not in page_of(login("lrqa.benguet"), other)


# --------------------------------------------------------------------------------------------
# The route
# --------------------------------------------------------------------------------------------

DISTRICT_ROUTE = [
    "Submitter",
    "Division records",
    "Division QA",
    "Region records",
    "Regional QA",
    "Publish",
]


def test_the_route_marks_the_current_step_and_says_who_has_it_since_when(login, user_named):
    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    received = submission.history.get(name="receive_at_division").at
    # The date comes from the history, not from the journey's own timestamp.
    Journey.objects.filter(pk=submission.pk).update(state_changed_at=received - timedelta(days=400))
    page = page_of(login("teacher.benguet"), submission)
    assert route_steps(page) == [
        ("Submitter", "done"),
        ("Division records", "done"),
        ("Division QA", "current"),
        ("Region records", "pending"),
        ("Regional QA", "pending"),
        ("Publish", "pending"),
    ]
    nav = route_html(page)
    assert nav.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">\s*<span[^>]*>●</span>\s*Division QA', nav)
    where = (
        f"Waiting for LR QA reviewer, Benguet Schools Division Office since {date_text(received)}."
    )
    assert where in nav

    perform_transition(user_named("lrqa.benguet"), submission, "claim_division_review")
    nav = route_html(page_of(login("records.benguet"), submission))
    assert where in nav
    reviewer = user_named("lrqa.benguet")
    name = reviewer.get_full_name() or reviewer.get_username()
    assert f"Claimed by {name} on" in nav


def test_the_route_of_division_and_region_items_skips_the_steps_before_them(login, user_named):
    epsa = user_named("epsa.benguet")
    division_item = create_submission(epsa, lr_data("Division-made module"))
    upload_file(epsa, division_item, titled_pdf("Division-made module"), "main")
    upload_file(epsa, division_item, titled_pdf("IP", "ip.pdf"), "ip_declaration")
    perform_transition(epsa, division_item, "submit")
    steps = [label for label, _status in route_steps(page_of(login("epsa.benguet"), division_item))]
    assert steps == ["Submitter", "Division QA", "Region records", "Regional QA", "Publish"]

    als = user_named("als.region")
    region_item = create_submission(als, lr_data("Regional module"))
    upload_file(als, region_item, titled_pdf("Regional module"), "main")
    upload_file(als, region_item, titled_pdf("IP", "ip.pdf"), "ip_declaration")
    perform_transition(als, region_item, "submit")
    page = page_of(login("als.region"), region_item)
    assert route_steps(page) == [
        ("Submitter", "done"),
        ("Regional QA", "current"),
        ("Publish", "pending"),
    ]
    assert "Waiting for LR QA reviewer, Cordillera Administrative Region Regional Office" in page


def test_a_returned_item_is_with_its_submitter_and_says_where_it_goes_back(login, user_named):
    submission = walk(district_lr(user_named), user_named, "claim_division_review")
    perform_transition(
        user_named("lrqa.benguet"),
        submission,
        "return_for_revision",
        review=passing_review(submission),
        comment="Please revise.",
    )
    returned = submission.history.get(name="return_for_revision").at
    page = page_of(login("teacher.benguet"), submission)
    assert route_steps(page) == [
        ("Submitter", "current"),
        ("Division records", "done"),
        ("Division QA", "pending"),
        ("Region records", "pending"),
        ("Regional QA", "pending"),
        ("Publish", "pending"),
    ]
    teacher = user_named("teacher.benguet")
    who = teacher.get_full_name() or teacher.get_username()
    nav = route_html(page)
    assert f"Waiting for {who} since {date_text(returned)}." in nav
    assert "When resubmitted, it goes back to Division QA." in nav


def test_a_published_item_has_done_every_step(login, user_named, site_tree):
    submission = approve(district_lr(user_named), user_named)
    perform_transition(user_named("als.region"), submission, "publish")
    page = page_of(login("teacher.benguet"), submission)
    assert {status for _label, status in route_steps(page)} == {"done"}
    assert "aria-current" not in route_html(page)
    assert "Published on" in route_html(page)


def test_the_teachers_dashboard_lists_their_items_in_progress_with_the_route(login, user_named):
    in_progress = walk(district_lr(user_named), user_named, "receive_at_division")
    create_submission(user_named("teacher.benguet"), lr_data("Still a draft"))
    dashboard = login("teacher.benguet").get("/admin/").content.decode()
    panel = dashboard[dashboard.index('id="my-items-section"') :]
    panel = panel[: panel.index("</section>")]
    assert "My items in progress" in dashboard
    assert in_progress.title in panel and "Still a draft" not in panel
    assert re.search(r'aria-current="step">\s*<span[^>]*>●</span>\s*Division QA', panel)
    assert "Waiting for LR QA reviewer, Benguet Schools Division Office since" in panel
    # The records section, who submits nothing, has no such panel.
    assert 'id="my-items-section"' not in login("records.benguet").get("/admin/").content.decode()


# --------------------------------------------------------------------------------------------
# The main file inline
# --------------------------------------------------------------------------------------------


def docx_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def test_the_main_file_is_served_inline_only_for_pdfs_and_photos(login, user_named):
    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    main = submission.files.get(role="main")
    url = f"/admin/submissions/file/{submission.pk}/{main.pk}/"
    client = login("lrqa.benguet")

    inline = client.get(url, {"inline": "1"})
    assert inline.status_code == 200
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline;")
    assert 'filename="module.pdf"' in inline["Content-Disposition"]
    assert inline["X-Content-Type-Options"] == "nosniff"
    assert inline["Cache-Control"] == "private, no-store"
    # Its own policy: nothing in it runs, and only this site may frame it.
    assert inline["Content-Security-Policy"] == INLINE_CSP
    assert "frame-ancestors 'self'" in INLINE_CSP and "default-src 'none'" in INLINE_CSP
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(inline.streaming_content).startswith(b"%PDF-")

    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment;")
    # Another division's reviewer cannot reach it, inline or not.
    assert login("lrqa.abra").get(url, {"inline": "1"}).status_code == 404

    # A Word document is never shown in the browser, whatever is asked.
    docx = district_lr(
        user_named,
        "Word module",
        main=SimpleUploadedFile("module.docx", docx_bytes()),
    )
    word = docx.files.get(role="main")
    response = login("teacher.benguet").get(
        f"/admin/submissions/file/{docx.pk}/{word.pk}/", {"inline": "1"}
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "Content-Security-Policy" not in response
        or response["Content-Security-Policy"] != INLINE_CSP
    )
    page = page_of(login("teacher.benguet"), docx)
    assert "cannot be shown in the page; download it to read it." in page


def test_pdf_pages_are_drawn_as_images_for_those_who_may_see_the_file(
    login, user_named, monkeypatch
):
    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    main = submission.files.get(role="main")
    base = f"/admin/submissions/file/{submission.pk}/{main.pk}/page/"
    client = login("lrqa.benguet")
    page = client.get(base + "2/")
    assert page.status_code == 200
    assert page["Content-Type"] == "image/png"
    assert page.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert page["Cache-Control"].startswith("private")
    assert client.get(base + "0/").status_code == 404
    # The page count is remembered: a page that does not exist is refused without drawing.
    monkeypatch.setattr(
        "workflow.downloads.render_stored_pdf_page",
        lambda *args: pytest.fail("drew a page that does not exist"),
    )
    assert client.get(base + "3/").status_code == 404
    assert login("records.abra").get(base + "1/").status_code == 404


def test_a_pdf_that_cannot_be_drawn_leaves_the_page_working(login, user_named):
    broken = district_lr(
        user_named,
        "No pages",
        main=SimpleUploadedFile("empty.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    main = broken.files.get(role="main")
    page = page_of(login("teacher.benguet"), broken)
    assert "This PDF cannot be shown in the page now" in page
    assert f"/admin/submissions/file/{broken.pk}/{main.pk}/" in page
    response = login("teacher.benguet").get(
        f"/admin/submissions/file/{broken.pk}/{main.pk}/page/1/"
    )
    assert response.status_code == 404


# --------------------------------------------------------------------------------------------
# Receipts and publishing
# --------------------------------------------------------------------------------------------


def test_the_receipt_message_links_the_printable_slip(login, user_named):
    submission = district_lr(user_named)
    perform_transition(user_named("teacher.benguet"), submission, "submit")
    response = login("records.benguet").post(
        f"/admin/submissions/action/{submission.pk}/receive_at_division/",
        {"receive_at_division-version": Journey.objects.get(pk=submission.pk).version},
        follow=True,
    )
    stamp = submission.receipts.get()
    page = response.content.decode()
    messages = page[page.index('class="messages') :]
    messages = messages[: messages.index("</ul>")]
    assert stamp.control_number in messages
    assert re.search(
        rf'href="/admin/submissions/receipt/{stamp.pk}/"[^>]*>\s*Print receipt slip', messages
    )


def test_publishing_shows_the_page_and_which_files_become_public_first(
    login, user_named, site_tree
):
    submission = approve(district_lr(user_named), user_named)
    client = login("als.region")
    page = page_of(client, submission)
    preview = page.index('data-testid="publication-preview"')
    assert preview < page.index('data-action-name="publish"')
    shown = page[preview : page.index('data-action-name="publish"')]
    assert submission.title in shown and submission.summary in shown
    assert f"/resources/{slugify(submission.title)}-{submission.pk}/" in shown
    assert re.search(r'data-testid="public-file"><td>module.pdf</td>', shown)
    assert re.search(r'data-testid="private-file"><td>ip.pdf</td>', shown)
    assert "Kept private: staff only" in shown
    assert "Quality assured by the Schools Division of Benguet" in shown
    # Nothing became public by looking.
    assert not ResourcePage.objects.filter(submission=submission).exists()

    response = client.post(
        f"/admin/submissions/action/{submission.pk}/publish/",
        {"publish-version": Journey.objects.get(pk=submission.pk).version},
    )
    assert response.status_code == 302
    assert Journey.objects.get(pk=submission.pk).state == State.PUBLISHED
    # The regional reviewer, who does not publish, is shown no preview.
    other = approve(district_lr(user_named, "Another module"), user_named)
    assert 'data-testid="publication-preview"' not in page_of(login("lrqa.region"), other)


def test_each_item_received_in_bulk_links_its_slip(login, user_named):
    first, second = district_lr(user_named, "First module"), district_lr(user_named, "Second one")
    for submission in (first, second):
        perform_transition(user_named("teacher.benguet"), submission, "submit")
    url = f"/admin/bulk/repository/submission/receive/?id={first.pk}&id={second.pk}"
    page = login("records.benguet").post(url, {}, follow=True).content.decode()
    for submission in (first, second):
        stamp = submission.receipts.get()
        assert re.search(
            rf'href="/admin/submissions/receipt/{stamp.pk}/"[^>]*>\s*Print receipt slip', page
        )


def test_with_the_file_store_down_the_page_still_works_and_pages_are_503(login, user_named):
    from tests.test_faults import STORAGE_DOWN_MESSAGE, storage_down

    submission = walk(district_lr(user_named), user_named, "receive_at_division")
    main = submission.files.get(role="main")
    client = login("lrqa.benguet")
    with storage_down():
        page = client.get(INSPECT.format(submission.pk))
        image = client.get(f"/admin/submissions/file/{submission.pk}/{main.pk}/page/1/")
    assert page.status_code == 200
    assert "This PDF cannot be shown in the page now" in page.content.decode()
    assert 'data-action-name="claim_division_review"' in page.content.decode()
    assert image.status_code == 503
    assert STORAGE_DOWN_MESSAGE in image.content.decode()
