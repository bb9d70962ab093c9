"""The public statistics: aggregates of accepted AF3 snapshots with small cells suppressed."""

from dataclasses import dataclass

from django.conf import settings

from learners import vocab

from . import queries
from .suppression import DEFAULT_THRESHOLD, suppress_linked
from .suppression import build as build_table


def threshold():
    """The smallest count the public may see (STATS_SUPPRESSION_THRESHOLD); smaller ones hide."""
    return getattr(settings, "STATS_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD)


@dataclass
class PublicStatistics:
    period: object
    by_sex: object
    by_program: object
    trend: list  # [(period label, the region's total: a suppression Cell)]


def _division_tables(period):
    rows = queries.rows_for("AF3", period)
    divisions = queries.division_choices(rows)
    programs = [(v, label) for v, label in vocab.PROGRAMS if v != "ALS_SHS"]
    limit = threshold()
    by_sex = build_table(
        queries.cross_count(rows, "division_id", "sex", divisions, queries.SEXES),
        [name for _pk, name in divisions],
        [label for _v, label in queries.SEXES],
        limit,
    )
    by_program = build_table(
        queries.cross_count(rows, "division_id", "program", divisions, programs),
        [name for _pk, name in divisions],
        [label for _v, label in programs],
        limit,
    )
    # Both tables print the same division totals and grand total: suppress them together.
    suppress_linked([by_sex, by_program])
    return by_sex, by_program


def public_statistics():
    """The latest period's suppressed tables and the regional totals across periods, or None."""
    periods = list(queries.periods_with_data("AF3"))
    if not periods:
        return None
    trend = []
    latest = None
    for period in periods:
        by_sex, by_program = _division_tables(period)
        trend.append((str(period), by_sex.grand_total))
        latest = (period, by_sex, by_program)
    period, by_sex, by_program = latest
    return PublicStatistics(period, by_sex, by_program, trend)
