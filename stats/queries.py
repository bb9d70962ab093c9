"""Aggregates over ACCEPTED division snapshots only.

For each division, form and period the newest accepted division-level version counts; district
snapshots feed statistics only through the division snapshot consolidated from them, so nothing
is counted twice. Only the plain statistics columns of `SnapshotRow` are read, never the
encrypted payload.
"""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from learners import vocab
from organisation.models import District, Division
from snapshots.models import AEStatus, AgeBand, Level, ReportingPeriod, Snapshot, SnapshotRow

SEXES = [("M", "Male"), ("F", "Female")]
CLC_TYPES = [(t, f"Type {t}") for t in range(1, 6)]
FLT_BINS = [(1, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60), (61, 70), (71, 79)]


@dataclass
class Table:
    """A table for the dashboard: labelled rows × columns of counts, with row totals."""

    key: str
    title: str
    row_header: str
    columns: list
    rows: list = field(default_factory=list)  # [(label, [values])]
    # False where the columns measure different things and a row total would mean nothing.
    additive: bool = True

    @property
    def totals(self):
        return [sum(r[1][j] for r in self.rows) for j in range(len(self.columns))]

    @property
    def grand_total(self):
        return sum(self.totals)

    def rows_with_totals(self):
        return [
            (label, values, sum(values) if self.additive else None) for label, values in self.rows
        ]

    def chart_items(self):
        """(label, value) per row: the row total, or the first column when not additive."""
        return [(label, sum(values) if self.additive else values[0]) for label, values in self.rows]


def accepted_snapshot_ids(form, period, *, division_ids=None):
    """Ids of the newest accepted division snapshot of `form` per division for `period`."""
    queryset = Snapshot.objects.filter(
        form=form, period=period, level=Level.DIVISION, state="accepted"
    )
    if division_ids is not None:
        queryset = queryset.filter(division_id__in=division_ids)
    newest = {}
    for pk, division_id, version in queryset.values_list("pk", "division_id", "version"):
        if division_id not in newest or version > newest[division_id][1]:
            newest[division_id] = (pk, version)
    return [pk for pk, _v in newest.values()]


def rows_for(form, period, scope=None):
    """SnapshotRows of the accepted snapshots of `form` and `period`, limited to `scope`."""
    queryset = SnapshotRow.objects.filter(snapshot_id__in=accepted_snapshot_ids(form, period))
    if scope is not None and not scope.is_global:
        queryset = queryset.filter(
            Q(division_id__in=scope.division_ids) | Q(district_id__in=scope.district_ids)
        )
    return queryset


def periods_with_data(form="AF3"):
    ids = Snapshot.objects.filter(form=form, level=Level.DIVISION, state="accepted").values(
        "period_id"
    )
    return ReportingPeriod.objects.filter(pk__in=ids).order_by("start_year", "cycle", "phase")


def cross_count(queryset, row_field, col_field, row_choices, col_choices):
    """An R×C matrix of row counts grouped by two plain columns, in the given label orders."""
    counts = {
        (r[row_field], r[col_field]): r["n"]
        for r in queryset.values(row_field, col_field).annotate(n=Count("id")).order_by()
    }
    return [[counts.get((rv, cv), 0) for cv, _cl in col_choices] for rv, _rl in row_choices]


def _table(
    key, title, row_header, queryset, row_field, row_choices, col_field="sex", col_choices=SEXES
):
    matrix = cross_count(queryset, row_field, col_field, row_choices, col_choices)
    table = Table(key, title, row_header, [label for _v, label in col_choices])
    table.rows = [(label, matrix[i]) for i, (_v, label) in enumerate(row_choices)]
    return table


def division_choices(queryset):
    ids = set(queryset.values_list("division_id", flat=True).distinct().order_by())
    return [(d.pk, d.name) for d in Division.objects.filter(pk__in=ids).order_by("name")]


def district_choices(queryset):
    ids = set(queryset.values_list("district_id", flat=True).distinct().order_by())
    districts = District.objects.filter(pk__in=ids).select_related("division")
    choices = [
        (d.pk, f"{d.division.name} — {d.name}")
        for d in sorted(districts, key=lambda d: (d.division.name, d.name))
    ]
    if None in ids:
        choices.append((None, "District not given"))
    return choices


def enrolment_tables(period, scope=None):
    """Enrolment (AF3) by division, district, age band, program, delivery mode and CLC type × sex."""
    rows = rows_for("AF3", period, scope)
    programs = [(v, label) for v, label in vocab.PROGRAMS if v != "ALS_SHS"]
    return [
        _table(
            "division",
            "Enrolment by division and sex",
            "Division",
            rows,
            "division_id",
            division_choices(rows),
        ),
        _table(
            "district",
            "Enrolment by district and sex",
            "District",
            rows,
            "district_id",
            district_choices(rows),
        ),
        _table(
            "age_band",
            "Enrolment by age band and sex",
            "Age band",
            rows,
            "age_band",
            AgeBand.choices,
        ),
        _table("program", "Enrolment by program and sex", "Program", rows, "program", programs),
        _table(
            "delivery_mode",
            "Enrolment by delivery mode and sex",
            "Delivery mode",
            rows,
            "delivery_mode",
            vocab.DELIVERY_MODES,
        ),
        _table(
            "clc_type", "Enrolment by CLC type and sex", "CLC type", rows, "clc_type", CLC_TYPES
        ),
    ]


def assessment_tables(period, scope=None):
    """Literacy levels and the FLT overall score distribution (AF3), and mean FLT part scores."""
    rows = rows_for("AF3", period, scope)
    literacy = _table(
        "literacy",
        "Literacy level by sex",
        "Literacy level",
        rows,
        "literacy_level",
        vocab.LITERACY_LEVELS,
    )
    bins = Table("flt_overall", "FLT overall score distribution", "Overall score", ["Learners"])
    for low, high in FLT_BINS:
        count = rows.filter(flt_overall__gte=low, flt_overall__lte=high).count()
        bins.rows.append((f"{low}–{high}", [count]))
    means = rows.filter(flt_overall__isnull=False).aggregate(
        reading=Avg("flt_reading"),
        numeracy=Avg("flt_numeracy"),
        writing=Avg("flt_writing"),
        listening=Avg("flt_listening"),
        overall=Avg("flt_overall"),
        n=Count("id"),
    )
    return [literacy, bins], means


def ae_table(period, scope=None):
    """A&E registrants and actual takers (AF4) and results (AF5) by division."""
    registrants = rows_for("AF4", period, scope)
    results = rows_for("AF5", period, scope)
    ids = set(registrants.values_list("division_id", flat=True).order_by()) | set(
        results.values_list("division_id", flat=True).order_by()
    )
    table = Table(
        "ae",
        "A&E registrants, takers and passers by division",
        "Division",
        ["Registrants", "Takers", "Passed", "Conditional pass"],
        additive=False,
    )
    reg = dict(
        registrants.values("division_id")
        .annotate(n=Count("id"))
        .values_list("division_id", "n")
        .order_by()
    )
    took = dict(
        registrants.filter(ae_taker=True)
        .values("division_id")
        .annotate(n=Count("id"))
        .values_list("division_id", "n")
        .order_by()
    )
    status = {
        (r["division_id"], r["ae_status"]): r["n"]
        for r in results.values("division_id", "ae_status").annotate(n=Count("id")).order_by()
    }
    for division in Division.objects.filter(pk__in=ids).order_by("name"):
        table.rows.append(
            (
                division.name,
                [
                    reg.get(division.pk, 0),
                    took.get(division.pk, 0),
                    status.get((division.pk, AEStatus.PASSED), 0),
                    status.get((division.pk, AEStatus.CONDITIONAL), 0),
                ],
            )
        )
    return table


def trend_table(scope=None):
    """Totals per period: enrolment (AF3), A&E registrants (AF4) and passers (AF5)."""
    table = Table(
        "trend",
        "Trends across reporting periods",
        "Period",
        ["Enrolled", "A&E registrants", "A&E passers"],
        additive=False,
    )
    period_ids = Snapshot.objects.filter(level=Level.DIVISION, state="accepted").values("period_id")
    for period in ReportingPeriod.objects.filter(pk__in=period_ids).order_by(
        "start_year", "cycle", "phase"
    ):
        table.rows.append(
            (
                str(period),
                [
                    rows_for("AF3", period, scope).count(),
                    rows_for("AF4", period, scope).count(),
                    rows_for("AF5", period, scope).filter(ae_status=AEStatus.PASSED).count(),
                ],
            )
        )
    return table


def dashboard(period, scope):
    """Every table of the staff dashboard for one period."""
    assessment, means = assessment_tables(period, scope)
    return {
        "tables": [
            *enrolment_tables(period, scope),
            *assessment,
            ae_table(period, scope),
            trend_table(scope),
        ],
        "flt_means": means,
    }
