"""The public site in a real headless Chromium: phone width, WCAG 2.1 AA (axe-core), and a walk
from search to item to download."""

import pytest

from cms.publication import publish_submission
from tests.browser import describe_violations


@pytest.fixture
def published_item(make_submission, qa_history):
    submission = make_submission(
        title="Reading the Weather: Typhoon Signals",
        summary="Learners interpret PAGASA bulletins and plan their barangay evacuation.",
    )
    qa_history(submission)
    make_submission("story", title="From Farm to Diploma", summary="A farmer finishes A&E.")
    return publish_submission(submission)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/resources/", "item", "/resources/?q=typhoon&kind=lr"])
def test_public_pages_fit_a_phone_and_have_no_wcag_aa_violations(
    published_item, phone_page, axe, path
):
    url = published_item.url if path == "item" else path
    response = phone_page.goto(url)
    assert response.status == 200
    # Nothing wider than the 360 px screen: no sideways scrolling.
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"page is {scroll_width}px wide"
    violations = axe(phone_page)
    assert violations == [], describe_violations(violations)


@pytest.mark.browser
def test_walk_from_search_to_item_to_download(published_item, phone_page):
    phone_page.goto("/")
    phone_page.get_by_role("link", name="Resources").first.click()
    phone_page.get_by_label("Search the resources").fill("evacuation")
    phone_page.get_by_role("button", name="Search").click()
    phone_page.wait_for_url("**/resources/?q=evacuation")
    assert phone_page.get_by_role("heading", name="1 result").is_visible()
    phone_page.get_by_role("link", name="Reading the Weather: Typhoon Signals").click()
    phone_page.wait_for_url(f"**{published_item.url}")
    assert "Quality assured by" in phone_page.locator(".qa-note").inner_text()
    # The preview image of the PDF's first page loaded.
    phone_page.wait_for_function("document.querySelector('figure.preview img').complete")
    assert phone_page.locator("figure.preview img").evaluate("img => img.naturalWidth") == 640
    with phone_page.expect_download() as download_info:
        phone_page.get_by_role("link", name="Download (PDF,").click()
    download = download_info.value
    assert download.suggested_filename == "Typhoon-Module-(final).pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    published_item.files.get().refresh_from_db()
    assert published_item.files.get().download_count == 1


@pytest.mark.browser
def test_axe_helper_reports_real_violations(phone_page, axe):
    """The axe fixture is not a rubber stamp: a page without lang or alt text fails."""
    phone_page.set_content("<html><body><img src='data:,'><p>text</p></body></html>")
    found = {violation["id"] for violation in axe(phone_page)}
    assert {"html-has-lang", "image-alt"} <= found
