"""The Content-Security-Policy in a real Chromium: the main public and admin pages load, run
their scripts and show their images with no violation reported.

A violation shows up twice: the browser's console message ("Refused to ... because it violates
the following Content Security Policy directive") and the page's `securitypolicyviolation`
event; `tests.browser.watch_csp` collects both.
"""

import re

import pytest
from django.conf import settings
from wagtail.models import Page

from cms.publication import publish_submission
from repository.vocabularies import seed_vocabularies
from tests.api.factories import LR_PAYLOAD, pdf_upload
from tests.browser import watch_csp
from tests.public.conftest import make_submission, qa_history  # noqa: F401 (fixtures)
from tests.stats.conftest import period, publish  # noqa: F401 (fixtures)
from tests.stats.test_public_and_dashboard import ABRA, BENGUET
from workflow import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit(page, path):
    """Open `path`, let its scripts run and its requests finish; the response's status."""
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    return response.status


def log_in(page, username):
    page.goto("/admin/login/")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.wait_for_load_state("networkidle")


def test_public_pages_run_under_the_strict_policy(
    make_submission,  # noqa: F811
    qa_history,  # noqa: F811
    period,  # noqa: F811
    publish,  # noqa: F811
    browser_page,
):
    submission = make_submission(
        title="Reading the Weather: Typhoon Signals",
        summary="Learners interpret PAGASA bulletins and plan their barangay evacuation.",
        photo=True,
    )
    qa_history(submission)
    item = publish_submission(submission)
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    page = browser_page
    violations = watch_csp(page)

    for path in (
        "/",
        "/resources/",
        "/resources/?q=typhoon&kind=lr",
        item.url,
        "/clmd/",
        "/issuances/",
        "/directory/",
    ):
        assert visit(page, path) == 200, path
    # The item page's images (the PDF preview, the photo) loaded from this site.
    images = page.locator("img")
    visit(page, item.url)
    assert images.count() >= 1
    for index in range(images.count()):
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    visit(page, "/clmd/")
    assert page.locator("section.public-stats svg.chart").count() >= 1
    # The language switcher posts a form (form-action 'self').
    visit(page, "/resources/")
    page.select_option("#lang-select", "fil")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state("networkidle")
    assert violations == [], "\n".join(violations)


def test_the_watcher_reports_what_the_policy_refuses(demo, browser_page):
    page = browser_page
    violations = watch_csp(page)
    assert visit(page, "/") == 200
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        const img = document.createElement("img");
        img.src = "https://images.example.invalid/tracker.png";
        document.body.append(img);
    }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.injected === undefined")
    text = "\n".join(violations)
    assert "script-src" in text
    assert "img-src" in text


def submitted_lr(teacher):
    # A transactional test starts from a flushed database: put the vocabularies back.
    seed_vocabularies()
    submission = services.create_submission(
        teacher, dict(LR_PAYLOAD), files={"main": pdf_upload(), "ip_declaration": pdf_upload()}
    )
    services.perform_transition(teacher, submission, "submit")
    return submission


def test_admin_pages_run_under_the_admin_policy(
    demo,
    user_named,
    period,  # noqa: F811
    publish,  # noqa: F811
    browser_page,
):
    seed_vocabularies()
    draft = services.create_submission(
        user_named("teacher.benguet"),
        dict(LR_PAYLOAD),
        files={"main": pdf_upload(), "ip_declaration": pdf_upload()},
    )
    submitted = submitted_lr(user_named("teacher.benguet"))
    publish(period, "benguet", BENGUET)
    page = browser_page
    violations = watch_csp(page)

    assert visit(page, "/admin/login/") == 200
    log_in(page, "admin")
    # The dashboard's sidebar menus open (Wagtail's scripts run).
    page.get_by_role("button", name="Learners").click()
    for path in (
        "/admin/submissions/",
        f"/admin/submissions/inspect/{submitted.pk}/",
        f"/admin/submissions/edit/{draft.pk}/",
        "/admin/snapshots/",
        "/admin/snapshots/upload/",
        f"/admin/statistics/?period={period.pk}",
        "/admin/learners/enrol/",
        "/admin/pages/",
        f"/admin/pages/{Page.objects.get(slug='resources').pk}/edit/",
        "/admin/users/",
    ):
        assert visit(page, path) == 200, path

    # The page editor's rich text (Draftail) takes typing; its scripts are all files.
    visit(page, f"/admin/pages/{Page.objects.get(slug='resources').pk}/edit/")
    page.locator(".Draftail-Editor").first.click()
    page.keyboard.type("Free to read. ")
    page.wait_for_load_state("networkidle")

    # The listing's date filters start their pickers from admin-widgets.js, not inline script.
    visit(page, "/admin/submissions/")
    widgets, pickers = page.evaluate(
        """() => [document.querySelectorAll("script[data-chooser]").length,
                  document.querySelectorAll(".xdsoft_datetimepicker").length]"""
    )
    assert widgets >= 1
    assert pickers >= widgets

    # The receipt slip: its Print button works without inline script.
    services.perform_transition(user_named("records.benguet"), submitted, "receive_at_division")
    stamp = submitted.receipts.get()
    assert visit(page, f"/admin/submissions/receipt/{stamp.pk}/") == 200
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("() => window.printed === true")

    # Saving the edit form posts through Wagtail's scripts with the page's CSRF token (the
    # cookie is HttpOnly).
    visit(page, f"/admin/submissions/edit/{draft.pk}/")
    page.fill("#id_title", "Measuring Rice Terraces, revised")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    page.wait_for_load_state("networkidle")
    draft.refresh_from_db()
    assert draft.title == "Measuring Rice Terraces, revised"

    # The learners' enrolment search, step by step, as an EPSA.
    page.context.clear_cookies()
    log_in(page, "epsa.benguet")
    visit(page, "/admin/learners/enrol/")
    page.get_by_label("I confirm the data comes from").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/learners/enrol/search/")
    page.fill("#id_last_name", "Carantes")
    page.fill("#id_first_name", "Lorna")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("No learner found").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations == [], "\n".join(violations)
