"""The CLMD page's statistics in plain words (issue 14, part D): a heading over each chart, hidden
counts explained as "fewer than N — hidden to protect privacy" with N the threshold that hid
them (never "suppressed"), and tables that say they scroll."""

import re
from html import unescape

import pytest

from .test_public_and_dashboard import ABRA, BENGUET, clmd_html, row_cells, table_after

pytestmark = pytest.mark.django_db


def visible_text(html):
    """The text a sighted reader sees: tags, and the screen readers' own words, left out."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S)
    html = re.sub(r"<(title|desc)\b.*?</\1>", "", html, flags=re.S)  # inside the SVG charts
    return unescape(re.sub(r"<[^>]+>", " ", html))


def statistics_section(html):
    start = html.index('<section class="public-stats"')
    return html[start : html.index("</section>", start)]


def test_each_chart_has_a_heading_over_it(client, demo, period, publish):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    section = statistics_section(clmd_html(client))
    heading = re.search(
        r'<h3 id="division-chart-heading">Enrolled ALS learners by division, CY 2026</h3>\s*'
        r'<figure aria-labelledby="division-chart-heading"><svg class="chart"',
        section,
    )
    assert heading, section[:600]


def test_a_second_period_adds_the_trend_chart_under_its_heading(client, demo, period, publish):
    from snapshots.models import ReportingPeriod

    earlier = ReportingPeriod.objects.create(
        code="2025", cycle="calendar", start_year=2025, deadline=period.deadline.replace(year=2025)
    )
    publish(earlier, "abra", ABRA, lrn_start=200000000000)
    publish(period, "abra", ABRA)
    section = statistics_section(clmd_html(client))
    assert re.search(
        r'<h3 id="trend-chart-heading">Enrolled ALS learners in the region by period</h3>\s*'
        r'<figure aria-labelledby="trend-chart-heading"><svg',
        section,
    )


def test_hidden_counts_are_said_in_plain_words_with_the_real_threshold(
    client, demo, period, publish, settings
):
    # Ifugao: 3 learners, under the threshold, so its total hides in the chart and the tables.
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    publish(period, "ifugao", [("Male", "BLP")] * 3)
    section = statistics_section(clmd_html(client))
    text = visible_text(section)

    assert "suppressed" not in text.lower()
    assert "fewer than 5 — hidden to protect privacy" in text  # the key and the chart's bar
    chart = section[section.index("<svg") : section.index("</svg>")]
    assert ">fewer than 5 — hidden to protect privacy</text>" in chart
    assert "Ifugao: fewer than 5 — hidden to protect privacy" in chart  # the chart's description
    # The table cells stay short ("<5", "x") and carry the words for screen readers.
    assert row_cells(table_after(section, "Enrolment by division and sex"), "Ifugao")[-1] == "&lt;5"
    assert (
        '<span aria-hidden="true">&lt;5</span>'
        '<span class="visually-hidden">fewer than 5 — hidden to protect privacy</span>'
    ) in section
    assert '<span class="visually-hidden">hidden to protect privacy</span>' in section

    # One source: the threshold the tables are built with (STATS_SUPPRESSION_THRESHOLD).
    settings.STATS_SUPPRESSION_THRESHOLD = 7
    section = statistics_section(clmd_html(client))
    assert "fewer than 7 — hidden to protect privacy" in visible_text(section)
    assert "fewer than 5" not in section
    assert row_cells(table_after(section, "Enrolment by division and sex"), "Ifugao")[-1] == "&lt;7"


def test_hidden_counts_in_filipino(client, demo, period, publish):
    publish(period, "abra", ABRA)
    publish(period, "ifugao", [("Male", "BLP")] * 3)
    html = client.get("/fil/clmd/").content.decode()
    assert "mas kaunti sa 5 — itinago upang protektahan ang privacy" in html
    assert "Mga naka-enrol na mag-aaral ng ALS ayon sa dibisyon, CY 2026" in html


def test_tables_are_labelled_focusable_regions_with_a_scroll_hint(client, demo, period, publish):
    publish(period, "abra", ABRA)
    section = statistics_section(clmd_html(client))
    regions = re.findall(
        r'<div class="table-scroll" ([^>]*)>\s*<table class="stats-table">\s*'
        r"<caption>(.*?)</caption>",
        section,
        re.S,
    )
    assert len(regions) == 2
    for attributes, caption in regions:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes
        assert re.search(r'aria-label="Enrolment by division and (sex|program)"', attributes)
        assert '<span class="scroll-hint" aria-hidden="true">Scroll sideways for more →</span>' in (
            caption
        )
