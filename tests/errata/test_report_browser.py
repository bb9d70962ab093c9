"""A reader reports a problem from an item's page on a phone, in a real Chromium; and the form
is never kept by the HTTP cache in front (Varnish with the repository's VCL)."""

import pytest
from playwright.sync_api import expect

from errata.models import ProblemReport
from tests.browser import describe_violations

pytestmark = pytest.mark.browser


def test_a_reader_reports_a_wrong_answer_key_from_the_item_page(published, phone_page, axe):
    submission, item = published
    page = phone_page
    page.goto(item.url)
    page.get_by_role("link", name="Report a problem").click()
    page.wait_for_url(f"**/report-a-problem/{item.pk}/")
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    page.get_by_label("Wrong answer key").check()
    page.get_by_label("What is wrong?").fill("Question 4 on page 2: the key says 2/3, it is 3/4.")
    page.get_by_label("Your email (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#report-sent")).to_contain_text("Thank you")
    report = ProblemReport.objects.get()
    main = submission.files.get(role="main", is_current=True)
    assert (report.category, report.submission_file_id, report.page_id) == (
        "answer_key",
        main.pk,
        item.pk,
    )
    assert report.email == "reader@example.org"
    # Back to the item.
    page.get_by_role("link", name="Back to “Fractions in the Market”").click()
    page.wait_for_url(f"**{item.url}")


def test_the_form_is_never_served_from_the_http_cache(cached_site, published):
    item = published[1]
    path = f"/report-a-problem/{item.pk}/"
    answers = [cached_site.get(path) for _ in range(2)]
    assert [answer.status for answer in answers] == [200, 200]
    assert "hit" not in [answer.cache for answer in answers]
    assert all("no-store" in answer.headers["cache-control"] for answer in answers)
    # The item's page itself is cached, as before.
    cached_site.get(item.url)
    assert cached_site.get(item.url).cache == "hit"
