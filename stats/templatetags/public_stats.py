"""`{% load public_stats %}{% public_statistics %}`: the CLMD page's public statistics section."""

from django import template

from stats.charts import bar_chart
from stats.public import public_statistics as compute

register = template.Library()


@register.inclusion_tag("stats/public_statistics.html")
def public_statistics():
    """Enrolment from accepted AF3 snapshots, small cells suppressed (never a count under 5)."""
    stats = compute()
    if stats is None:
        return {"stats": None}
    chart_items = [
        (label, None if total.suppressed else total.value)
        for label, _cells, total in stats.by_sex.rows
    ]
    return {
        "stats": stats,
        "division_chart": bar_chart(
            f"Enrolled ALS learners by division, {stats.period}", chart_items
        ),
        "trend_chart": bar_chart("Enrolled ALS learners in the region by period", stats.trend),
    }


@register.filter
def public_cell(cell):
    """How a suppressed-table cell prints: its count, "<5" (small) or "x" (hidden complement)."""
    if not cell.suppressed:
        return f"{cell.value:,}"
    return f"<{cell_threshold(cell)}" if cell.primary else "x"


def cell_threshold(_cell):
    from stats.public import threshold

    return threshold()
