"""The public on a 360 x 740 phone, in a real Chromium (issue 14, part D): from the home page's
search box to an item whose download button is on the first screen; the filters folded behind a
toggle with the results first; and at 1280 px the filters open beside the results. Every page is
axe clean. With ALSMIS_GUIDE_SCREENSHOTS=1 the steps are saved for the guide (public-*.png)."""

import pytest

from cms.publication import publish_submission
from tests.browser import PHONE, describe_violations, guide_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def shelf(make_submission, qa_history):
    submission = make_submission(
        title="Reading the Weather: Typhoon Signals",
        summary="Learners interpret PAGASA bulletins and plan their barangay evacuation.",
        keywords="typhoon, weather, evacuation",
    )
    qa_history(submission)
    item = publish_submission(submission)
    for number, strand in enumerate(["ls1", "ls3", "ls4"], start=1):
        publish_submission(
            make_submission(
                title=f"Typhoon Drill {number}",
                summary="What a barangay does before, during and after a typhoon.",
                strand=strand,
                division=["abra", "ifugao", "kalinga"][number - 1],
            )
        )
    return item


def assert_axe_clean(page, axe):
    violations = axe(page)
    assert violations == [], describe_violations(violations)


def on_first_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_from_the_home_search_to_an_item_downloaded_from_the_first_screen(shelf, phone_page, axe):
    page = phone_page
    page.goto("/")
    box = page.get_by_role("search").get_by_label("Search the resources")
    assert on_first_screen(box)
    assert_axe_clean(page, axe)
    guide_screenshot(page, "public-1-home-search")

    box.fill("typhoons bulletin")  # word forms: "typhoons" finds "Typhoon", "bulletin" "bulletins"
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/resources/?q=typhoons+bulletin")
    assert page.get_by_role("heading", name="1 result").is_visible()
    result = page.get_by_role("link", name="Reading the Weather: Typhoon Signals")
    assert on_first_screen(result)
    result.click()
    page.wait_for_url(f"**{shelf.url}")

    button = page.get_by_role("link", name="Download (PDF,")
    assert on_first_screen(button), button.bounding_box()
    # Right under the title: nothing between the heading and the button.
    assert page.evaluate(
        "() => document.querySelector('h1').nextElementSibling.matches('p.download')"
    )
    assert_axe_clean(page, axe)
    guide_screenshot(page, "public-2-item-download")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "Typhoon-Module-(final).pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_on_a_phone_the_results_come_first_and_the_filters_fold_away(shelf, phone_page, axe):
    page = phone_page
    page.goto("/resources/?q=typhoon")
    toggle = page.locator("summary", has_text="Show filters")
    first_facet = page.locator(".facet a").first
    assert toggle.is_visible() and on_first_screen(toggle)
    assert not first_facet.is_visible()
    # The results start on the first screen: the heading and the first result.
    assert on_first_screen(page.get_by_role("heading", name="4 results"))
    assert on_first_screen(page.locator(".result h3 a").first)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_axe_clean(page, axe)
    guide_screenshot(page, "public-3-results-first")

    toggle.click()
    assert first_facet.is_visible()
    page.get_by_role("link", name="Abra (1)").click()
    page.wait_for_url("**/resources/?q=typhoon&division=abra")
    assert page.get_by_role("heading", name="1 result").is_visible()
    # The fold closes again, and says what is chosen.
    assert page.locator("summary").inner_text() == "Show filters (1 chosen)"
    assert not page.locator(".facet a").first.is_visible()
    page.locator("summary").click()
    assert_axe_clean(page, axe)
    guide_screenshot(page, "public-4-filters-open")


def test_on_a_desktop_the_filters_stand_open_beside_the_results(shelf, browser_page, axe):
    page = browser_page
    page.goto("/resources/?q=typhoon")
    assert not page.locator("summary").is_visible()
    facets = page.locator("aside.facets")
    results = page.locator("section.results")
    assert page.locator(".facet a").first.is_visible()
    assert page.get_by_role("heading", name="Filter").is_visible()
    facet_box, results_box = facets.bounding_box(), results.bounding_box()
    assert facet_box["x"] + facet_box["width"] <= results_box["x"]  # beside, to the left
    assert abs(facet_box["y"] - results_box["y"]) < 5
    assert_axe_clean(page, axe)


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
@pytest.mark.parametrize("path", ["/", "/resources/?q=typhoon", "item", "/clmd/", "/fil/"])
def test_public_pages_are_axe_clean_on_a_phone_and_a_desktop(shelf, new_page, axe, path, width):
    page = new_page(width=width, height=PHONE["height"] if width == PHONE["width"] else 900)
    response = page.goto(shelf.url if path == "item" else path)
    assert response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_axe_clean(page, axe)
