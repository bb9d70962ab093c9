"""Counts of readers' reports for the monitoring and evaluation dashboard (monitoring/)."""

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import Category, ProblemReport, Status


def report_counts(divisions, start, end, regions=None):
    """Reports filed from `start` to `end` (dates, both included, in the local time zone) on
    items of `divisions` (Division objects or ids), or, when `divisions` is None, on the items
    of `regions` (Region ids: their divisions and the regional office's own items; None = every
    region), counted by category and by outcome.

    Returns {"total": n, "by_category": {code: n}, "by_outcome": {status: n},
    "by_category_and_outcome": {(code, status): n}}; every category and outcome is present
    (0 when none). Outcomes are the report's status: new (not triaged yet), dismissed,
    in_revision (a correction under way), corrected (published again).
    """
    reports = ProblemReport.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    if divisions is not None:
        ids = [getattr(division, "pk", division) for division in divisions]
        reports = reports.filter(division_id__in=ids)
    elif regions is not None:
        reports = reports.filter(region_id__in=regions)
    rows = reports.values("category", "status").annotate(n=Count("pk")).order_by()
    by_pair = {(row["category"], row["status"]): row["n"] for row in rows}
    by_category = {code: 0 for code in Category.values}
    by_outcome = {status: 0 for status in Status.values}
    for (category, status), n in by_pair.items():
        by_category[category] = by_category.get(category, 0) + n
        by_outcome[status] = by_outcome.get(status, 0) + n
    return {
        "total": sum(by_pair.values()),
        "by_category": by_category,
        "by_outcome": by_outcome,
        "by_category_and_outcome": by_pair,
    }


def monitoring_sections(divisions, period, regions=None):
    """The "Reports from readers" table of the monitoring report (registered under the hook name
    `register_monitoring_sections`, the monitoring app's contract): one row per kind of problem,
    its reports by outcome, and a total row. `divisions`: Division ids or None (whole regions:
    `regions`, Region ids or None for every region); `period.start`, `period.end`: dates, both
    included."""
    counts = report_counts(divisions, period.start, period.end, regions)
    pairs = counts["by_category_and_outcome"]
    columns = [str(_("Problem")), *(str(label) for label in Status.labels), str(_("Total"))]
    rows = []
    for category in Category:
        cells = [pairs.get((category.value, status), 0) for status in Status.values]
        rows.append([str(category.label), *cells, sum(cells)])
    totals = [counts["by_outcome"][status] for status in Status.values]
    rows.append([str(_("All problems")), *totals, counts["total"]])
    return [
        {
            "key": "reader_reports",
            "title": str(_("Problems reported by readers, by outcome")),
            "columns": columns,
            "rows": rows,
            "note": str(
                _(
                    "Reports filed in the period on the items of these divisions, counted by "
                    "where they stand now."
                )
            ),
        }
    ]
