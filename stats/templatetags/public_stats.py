"""`{% load public_stats %}{% public_statistics %}`: the CLMD page's public statistics section."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from stats.charts import bar_chart
from stats.public import public_statistics as compute

register = template.Library()


def small_words(threshold):
    """What a count under the threshold says on the public page, in plain words."""
    return gettext("fewer than %(threshold)s — hidden to protect privacy") % {
        "threshold": threshold
    }


def complement_words():
    """What a count hidden only so that a small one cannot be worked out says (the key above
    the tables says why at length)."""
    return gettext("hidden to protect privacy")


def _chart_value(cell, threshold):
    # The chart says why a bar is missing, in the same words as the tables' key.
    if not cell.suppressed:
        return cell.value
    return small_words(threshold) if cell.primary else complement_words()


@register.inclusion_tag("stats/public_statistics.html")
def public_statistics():
    """Enrolment from accepted AF3 snapshots, small cells suppressed (never a count under the
    threshold, STATS_SUPPRESSION_THRESHOLD); each chart has a heading and every hidden count
    says, in plain words, why it is hidden."""
    stats = compute()
    if stats is None:
        return {"stats": None}
    # The threshold the tables were built with: the words can never disagree with the cells.
    threshold = stats.by_sex.threshold
    division_title = gettext("Enrolled ALS learners by division, %(period)s") % {
        "period": stats.period
    }
    trend_title = gettext("Enrolled ALS learners in the region by period")
    unit = gettext("learners")
    division_items = [
        (label, _chart_value(total, threshold)) for label, _cells, total in stats.by_sex.rows
    ]
    trend_items = [(label, _chart_value(total, threshold)) for label, total in stats.trend]
    return {
        "stats": stats,
        "threshold": threshold,
        "small_words": small_words(threshold),
        "division_title": division_title,
        "division_chart": bar_chart(division_title, division_items, unit=unit),
        "trend_title": trend_title,
        "trend_chart": bar_chart(trend_title, trend_items, unit=unit),
    }


@register.filter
def public_cell(cell, threshold):
    """How a table cell prints: its count, or "<threshold" (a small count) or "x" (hidden so
    that a small count cannot be worked out), each followed by its meaning for screen readers."""
    if not cell.suppressed:
        return f"{cell.value:,}"
    if cell.primary:
        return format_html(
            '<span aria-hidden="true">&lt;{}</span><span class="visually-hidden">{}</span>',
            threshold,
            small_words(threshold),
        )
    return format_html(
        '<span aria-hidden="true">x</span><span class="visually-hidden">{}</span>',
        complement_words(),
    )
