"""The public statistics on a phone, in a real Chromium: readable, no sideways scrolling, no small
count, and no WCAG 2.1 AA violation inside the section."""

import pytest

from tests.browser import describe_violations, guide_screenshot, run_axe

from .test_public_and_dashboard import ABRA, BENGUET

pytestmark = pytest.mark.browser


def test_public_statistics_read_well_on_a_phone(transactional_db, period, publish, phone_page):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    page = phone_page
    page.goto("/clmd/")
    section = page.locator("section.public-stats")
    section.wait_for()
    assert "Benguet" in section.inner_text()
    assert "<5" in section.inner_text()
    # The page itself never scrolls sideways; wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chart = section.locator("svg.chart").first
    box = chart.bounding_box()
    assert box["width"] <= 360 and box["height"] > 50
    # Bar labels stay readable: rendered font size of at least 12 px at 360 px wide.
    size = page.evaluate(
        "() => document.querySelector('svg.chart text').getBoundingClientRect().height"
    )
    assert size >= 12
    assert chart.get_attribute("role") == "img"
    assert page.evaluate("() => document.querySelector('svg.chart title').textContent").startswith(
        "Enrolled ALS learners by division"
    )
    # Only this section is ours; other parts of the page are tested by their owners.
    inside = page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel)).length", "section.public-stats *"
    )
    assert inside > 10
    violations = [
        v
        for v in run_axe(page)
        if any(
            page.evaluate(
                "(t) => !!document.querySelector(t)?.closest('section.public-stats')",
                node["target"][0],
            )
            for node in v["nodes"]
        )
    ]
    assert violations == [], violations


def test_a_table_wider_than_the_phone_shows_that_it_scrolls(
    transactional_db, period, publish, phone_page
):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    page = phone_page
    page.goto("/clmd/")
    region = page.get_by_role("region", name="Enrolment by division and program")
    region.wait_for()
    hint = region.locator(".scroll-hint")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth"), "the table scrolls here"
    # The cue: the caption's hint, and a shadow at the edge with more behind it.
    assert hint.is_visible() and hint.inner_text() == "Scroll sideways for more →"
    assert "radial-gradient" in region.evaluate("box => getComputedStyle(box).backgroundImage")
    guide_screenshot(page, "public-5-statistics-table")
    # A keyboard reaches the region and scrolls it; at the far end the hint has nothing to say.
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("End")
    region.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    page.wait_for_function(
        "(box) => box.scrollLeft + box.clientWidth >= box.scrollWidth - 1",
        arg=region.element_handle(),
    )
    hint.wait_for(state="hidden")
    # A table that fits says nothing.
    narrow = page.get_by_role("region", name="Enrolment by division and sex")
    if not narrow.evaluate("box => box.scrollWidth > box.clientWidth"):
        assert not narrow.locator(".scroll-hint").is_visible()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_clmd_page_with_statistics_is_axe_clean(
    transactional_db, period, publish, new_page, width
):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    publish(period, "ifugao", [("Male", "BLP")] * 3)
    page = new_page(width=width, height=740 if width == 360 else 900)
    page.goto("/clmd/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)
