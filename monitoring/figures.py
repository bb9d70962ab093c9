"""The monitoring figures of the submission flow, computed from the workflow's own records.

Everything comes from two queries, whatever the number of submissions: the state-change log
(`TransitionRecord`) of the submissions in scope that moved during the period, read once in order,
and the journeys overdue now (`workflow.services.overdue_q`, the rule the staff lists flag with).
Reports from readers (errata) are added by other apps through the `register_monitoring_sections`
hook, so this module imports none of them.

Definitions (docs/monitoring.md):

- an **event** counts in the period when its record's time falls in it, for the office that took
  it: received (`receive_at_division`, `receive_at_region`), endorsed, approved, published,
  returned (`return_incomplete`, `return_for_revision`);
- a **stay** is the time between the record that put a submission in a state and the record that
  moved it on; it counts in the period in which it ended. Its office is the one the state waits
  for (`workflow.route.route_steps`); while a submission is back with its submitter, the stay
  belongs to the submission's own office;
- **on time**: a stay in a state that waits for a receipt (submitted, endorsed to the region) or a
  review decision (under division / regional review), ended by that step, lasted no longer than the
  configured days for the state (`workflow.services.overdue_days`, setting WORKFLOW_OVERDUE_DAYS);
- **median** is the middle value (the mean of the two middle ones); **p90** the nearest-rank 90th
  percentile: the smallest stay that at least 90% of the stays do not exceed.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from organisation.models import Level
from repository.models import Submission
from workflow.models import EDITABLE_STATES, WAITING_STATES, Journey, State, TransitionRecord
from workflow.route import route_steps
from workflow.rules import next_steps
from workflow.services import overdue_days, overdue_q

S = State
#: Apps that add sections to the report (reports from readers) register, under this hook name,
#: a function ``(divisions, period, regions) -> list of tables``: `divisions` is the list of
#: Division ids the report covers, or None when it covers whole regions, which `regions` then
#: lists (Region ids; the regional office's own items included), or None for every region (a
#: global scope); `period.start` and `period.end` are dates, both included (Asia/Manila). A table is
#: a dict with "key", "title", "columns" and "rows" (lists of cells, the first labelling the
#: row), and optionally "note". Such apps never import this one: the hook name is the contract.
SECTIONS_HOOK = "register_monitoring_sections"

#: The events counted per office, and the transitions that make each.
EVENTS = [
    ("received", gettext_lazy("Received"), {"receive_at_division", "receive_at_region"}),
    ("endorsed", gettext_lazy("Endorsed"), {"endorse_to_region"}),
    ("approved", gettext_lazy("Approved"), {"approve"}),
    ("published", gettext_lazy("Published"), {"publish"}),
    ("returned", gettext_lazy("Returned"), {"return_incomplete", "return_for_revision"}),
]
RETURNS = {"return_incomplete", "return_for_revision"}
#: The states whose stays are timed: those waiting for an office, and those back with the
#: submitter after a return.
TIMED_STATES = [
    state
    for state in S
    if state in WAITING_STATES or state in (S.RETURNED_INCOMPLETE, S.RETURNED_FOR_REVISION)
]
#: What the on-time rates measure: the states that wait for a receipt or a review decision. The
#: steps that end such a stay are the ones the state waits for (`workflow.rules.next_steps`).
ON_TIME = [
    ("receipts", gettext_lazy("Receipts"), [S.SUBMITTED, S.ENDORSED_TO_REGION]),
    ("reviews", gettext_lazy("Reviews"), [S.UNDER_DIVISION_REVIEW, S.UNDER_REGIONAL_REVIEW]),
]
DAY = 86400.0


@dataclass
class Table:
    """One table of the report, shown, charted and exported alike: `rows` are lists of cells
    under `columns` (the first column labels the row)."""

    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    note: str = ""

    def column(self, name):
        """The cells of one column, by its header."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass
class Report:
    """Every figure of one period and scope."""

    period: object
    tables: dict
    #: Tables other apps add through SECTIONS_HOOK (reports from readers go here).
    reader_reports: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    overdue_total: int = 0

    def all_tables(self):
        return [*self.tables.values(), *self.reader_reports]


@cache
def office_levels():
    """{state: level of the office it waits for}, read from the route of a district item (the
    longest, through every office)."""
    levels = {}
    for step in route_steps(Level.DISTRICT):
        _role, level = step.actor
        for state in step.states:
            levels[state] = level
    return levels


class Offices:
    """The office that holds a submission in each state: the region's office for regional states,
    its division's for divisional ones, its own office while it is with the submitter. Labels are
    made once per office (a report reads thousands of records)."""

    def __init__(self):
        self.labels = {}  # sort key -> label

    def of(self, state, division_id, division_name, region_id, region_name):
        """The sort key of the office; its label is in `self.labels`."""
        level = office_levels().get(state)
        if level == Level.REGION or (level is None and division_id is None):
            key = (0, region_name or "", region_id or 0)
            if key not in self.labels:
                self.labels[key] = _("%(region)s Regional Office") % {"region": region_name}
        else:
            key = (1, division_name or "", division_id)
            if key not in self.labels:
                self.labels[key] = _("%(division)s Schools Division Office") % {
                    "division": division_name
                }
        return key


def scope_q(scope, division=None):
    """A Q over Submission for what a monitor with `scope` sees: submissions of the divisions and
    regions it covers (a division sees its own only); narrowed to one division when given."""
    if division is not None:
        return Q(division_id=division.pk)
    if scope.is_global:
        return Q()
    return Q(division_id__in=scope.division_ids) | Q(region_id__in=scope.region_ids)


def _median(values):
    return statistics.median(values) if values else None


def p90(values):
    """The nearest-rank 90th percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _days(value):
    return None if value is None else round(value, 1)


def _rate(on_time, total):
    return None if not total else round(100 * on_time / total)


LOG_FIELDS = (
    "submission_id",
    "name",
    "from_state",
    "to_state",
    "at",
    "reasons",
    "submission__kind",
    "submission__division_id",
    "submission__division__name",
    "submission__region_id",
    "submission__region__name",
)


def _log(condition, period):
    """Query 1: the records, oldest first per submission, of the submissions in scope that moved
    during the period, up to its end (the earlier ones say since when each stay ran)."""
    moved = TransitionRecord.objects.filter(
        at__gte=period.starts_at, at__lt=period.ends_before
    ).values("submission_id")
    in_scope = Submission.objects.filter(condition, pk__in=moved).values("pk")
    return (
        TransitionRecord.objects.filter(submission_id__in=in_scope, at__lt=period.ends_before)
        .order_by("submission_id", "at", "pk")
        .values_list(*LOG_FIELDS)
    )


def _overdue(condition, now):
    """Query 2: the journeys overdue now, in scope, with their office and reviewer."""
    return (
        Journey.objects.filter(overdue_q(now, prefix=""))
        .filter(submission__in=Submission.objects.filter(condition).values("pk"))
        .values_list(
            "state",
            "state_changed_at",
            "submission__division_id",
            "submission__division__name",
            "submission__region_id",
            "submission__region__name",
            "claimed_by__username",
            "claimed_by__first_name",
            "claimed_by__last_name",
        )
    )


def build_report(scope, period, *, division=None, now=None):
    """The Report of `period` for a monitor with `scope` (optionally one division of it).

    Runs two queries, plus whatever SECTIONS_HOOK providers run."""
    now = now or timezone.now()
    condition = scope_q(scope, division)
    days = overdue_days()
    waits_for = next_steps()
    kinds = {value: str(label) for value, label in Submission.Kind.choices}
    no_reason = [{"code": "", "name": _("No reason ticked (comment only)")}]
    office_of = Offices()

    events = defaultdict(Counter)  # office -> Counter(event key)
    stays = defaultdict(list)  # (office, state) -> [days]
    on_time = defaultdict(lambda: [0, 0])  # (office, measure key) -> [on time, total]
    reasons_by_division = defaultdict(Counter)  # reason -> Counter(division label)
    reasons_by_kind = defaultdict(Counter)  # reason -> Counter(kind label)
    event_of = {name: key for key, _label, names in EVENTS for name in names}
    measure_of = {state: key for key, _label, states in ON_TIME for state in states}

    starts_at = period.starts_at
    previous = None
    for row in _log(condition, period):
        sid, name, source, _target, at, reasons, kind, div_id, div_name, reg_id, reg_name = row
        entered = previous[4] if previous is not None and previous[0] == sid else None
        previous = row
        if at < starts_at:
            continue
        office = office_of.of(source, div_id, div_name, reg_id, reg_name)
        if name in event_of:
            events[office][event_of[name]] += 1
        if entered is not None and source in TIMED_STATES:
            spent = (at - entered).total_seconds() / DAY
            stays[(office, source)].append(spent)
            if source in measure_of and name in waits_for.get(source, []):
                counts = on_time[(office, measure_of[source])]
                counts[0] += spent <= days[str(source)]
                counts[1] += 1
        if name in RETURNS:
            home = office_of.labels[office_of.of(S.DRAFT, div_id, div_name, reg_id, reg_name)]
            for reason in reasons or no_reason:
                reasons_by_division[reason["name"]][home] += 1
                reasons_by_kind[reason["name"]][kinds.get(kind, kind)] += 1

    labels = office_of.labels
    offices = sorted(set(events) | {office for office, _state in stays})
    tables = {}
    event_columns = [str(label) for _key, label, _names in EVENTS]
    tables["flow"] = Table(
        "flow",
        _("Submissions handled, by office"),
        [_("Office"), *event_columns],
        [[labels[o], *(events[o][key] for key, _l, _n in EVENTS)] for o in offices],
    )
    state_order = {state: index for index, state in enumerate(TIMED_STATES)}
    tables["time_in_state"] = Table(
        "time_in_state",
        _("Days spent in each state, by office"),
        [_("Office"), _("State"), _("Stays"), _("Median days"), _("p90 days")],
        [
            [labels[o], str(S(state).label), len(v), _days(_median(v)), _days(p90(v))]
            for (o, state), v in sorted(
                stays.items(), key=lambda i: (i[0][0], state_order[i[0][1]])
            )
        ],
        _("Stays that ended in the period; p90 is the nearest-rank 90th percentile."),
    )
    on_time_rows = []
    for o in offices:
        for key, label, _states in ON_TIME:
            done, total = on_time.get((o, key), (0, 0))
            if total:
                on_time_rows.append([labels[o], str(label), done, total, _rate(done, total)])
    tables["on_time"] = Table(
        "on_time",
        _("On-time receipts and reviews, by office"),
        [_("Office"), _("Step"), _("On time"), _("Total"), _("On-time rate (%)")],
        on_time_rows,
        _("Within the configured days: %(days)s.")
        % {
            "days": ", ".join(
                f"{S(state).label} {days[str(state)]}"
                for _k, _l, states in ON_TIME
                for state in states
            )
        },
    )
    tables["overdue"], overdue_total = _overdue_table(condition, now)
    tables["reasons_by_division"] = _reasons_table(
        "reasons_by_division", _("Return reasons, by division"), reasons_by_division
    )
    tables["reasons_by_kind"] = _reasons_table(
        "reasons_by_kind", _("Return reasons, by kind of submission"), reasons_by_kind
    )

    report = Report(period, tables, overdue_total=overdue_total)
    report.totals = {key: sum(events[o][key] for o in offices) for key, _label, _names in EVENTS}
    divisions, regions = _units_covered(scope, division)
    for provider in hooks.get_hooks(SECTIONS_HOOK):
        sections = provider(divisions, period, regions)
        report.reader_reports.extend(_table(section) for section in sections)
    return report


def _units_covered(scope, division):
    """(divisions, regions): what SECTIONS_HOOK providers are told the report covers (see
    there)."""
    if division is not None:
        return [division.pk], None
    if scope.is_global:
        return None, None
    if scope.region_ids:
        return None, sorted(scope.region_ids)
    return sorted(scope.division_ids), None


def _table(section):
    if isinstance(section, Table):
        return section
    return Table(
        section["key"],
        section["title"],
        list(section["columns"]),
        list(section["rows"]),
        section.get("note", ""),
    )


def _overdue_table(condition, now):
    groups = defaultdict(lambda: [0, 0.0])  # (office, holder) -> [count, longest wait in days]
    office_of = Offices()
    for state, since, div_id, div_name, reg_id, reg_name, username, first, last in _overdue(
        condition, now
    ):
        office = office_of.of(state, div_id, div_name, reg_id, reg_name)
        if state in EDITABLE_STATES:
            holder = _("The submitter")
        else:
            name = " ".join(part for part in (first, last) if part)
            holder = name or username or _("Not claimed (the office's pool)")
        group = groups[(office, holder)]
        group[0] += 1
        group[1] = max(group[1], (now - since).total_seconds() / DAY)
    rows = [
        [office_of.labels[office], holder, count, _days(longest)]
        for (office, holder), (count, longest) in sorted(groups.items())
    ]
    table = Table(
        "overdue",
        _("Overdue now, by office and reviewer"),
        [_("Office"), _("Held by"), _("Overdue items"), _("Longest wait (days)")],
        rows,
        _("Waiting longer than the configured days for their state, at the time of the report."),
    )
    return table, sum(row[2] for row in rows)


def _reasons_table(key, title, counts):
    """Reasons ranked by how often they were given, with a column per division (or kind)."""
    columns = sorted({column for counter in counts.values() for column in counter})
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return Table(
        key,
        title,
        [_("Reason"), *columns, _("Total")],
        [
            [reason, *(counter[c] for c in columns), sum(counter.values())]
            for reason, counter in ranked
        ],
    )
