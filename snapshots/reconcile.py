"""How a snapshot agrees with the learner registry: the registry check of an AF import.

When a snapshot's rows are stored, each row's LRN is looked up in the registry (``learners``):
an LRN no learner holds, an LRN whose learner has another name or birthdate, and an LRN merged
into another learner (an alias) each become a ``RegistryFinding``; on an AF3, so do the learners
the registry has enrolled in the period's enrolment cycle at the snapshot's unit whom the form
does not list. Findings are warnings for the reviewer and never stop an import.

The check is bounded whatever the file's size: the registry is asked for all LRNs at once
(``learners.services.registry_for_lrns``, two queries per 5,000 LRNs), the enrolments in one
query, and the findings are written with bulk inserts; rows are compared in memory.
"""

import json

from learners.models import SchoolYearCycle
from learners.services import enrolled_in, name_differs, registry_for_lrns

from . import forms_spec
from .models import RegistryFinding, ReportingPeriod, Snapshot

Kind = RegistryFinding.Kind
NAME_KEYS = ("last_name", "first_name", "middle_name", "name_extension")
INSERT_BATCH = 5000


def checks_registry(form):
    """Whether rows of `form` name learners by LRN (AF2 to AF5; AF1 maps people without one)."""
    return "lrn" in {column.key for column in forms_spec.columns(form)}


def enrolment_cycle(period):
    """The registry's enrolment cycle a reporting period speaks of: the cycle of the same kind
    (calendar or school year) starting in the period's start year, else the cycle running on the
    period's cut-off date (31 December, or 31 October of a school year); None when there is none."""
    cycle_type = (
        SchoolYearCycle.CycleType.CALENDAR_YEAR
        if period.cycle == ReportingPeriod.Cycle.CALENDAR_YEAR
        else SchoolYearCycle.CycleType.SCHOOL_YEAR
    )
    cycles = SchoolYearCycle.objects.order_by("start_date", "pk")
    found = cycles.filter(cycle_type=cycle_type, start_date__year=period.start_year).first()
    if found is None:
        day = period.reference_date
        found = cycles.filter(start_date__lte=day, end_date__gte=day).last()
    return found


def _positions(form):
    keys = [column.key for column in forms_spec.columns(form)]
    wanted = ("lrn", "birthdate", *NAME_KEYS)
    return {key: keys.index(key) for key in wanted if key in keys}


def _identity(payload, positions):
    """(lrn, last, first, middle, birthdate) of one row's values (None where the form has none)."""

    def get(key):
        index = positions.get(key)
        return payload[index] if index is not None and index < len(payload) else None

    return (
        get("lrn"),
        get("last_name") or "",
        get("first_name") or "",
        get("middle_name") or "",
        get("birthdate"),
    )


def form_identity(form, payload):
    """What a row of `form` says of the learner: LRN, name parts and birthdate (for the report)."""
    positions = _positions(form)
    get = lambda key: payload[positions[key]] if key in positions else None  # noqa: E731
    return {
        "lrn": get("lrn") or "",
        "name": _full_name(*(get(key) or "" for key in NAME_KEYS)),
        "birthdate": get("birthdate") or "",
    }


def _full_name(last, first, middle, extension):
    given = " ".join(part for part in (first, middle, extension) if part)
    return f"{last}, {given}" if last or given else ""


def check(snapshot, rows):
    """Compare `rows` ((row number, payload values) pairs) with the registry and store the
    findings and their counts on `snapshot`, replacing any earlier check. Returns the counts."""
    positions = _positions(snapshot.form)
    identities = [(number, *_identity(payload, positions)) for number, payload in rows]
    learners, aliases = registry_for_lrns(lrn for _n, lrn, *_rest in identities)
    findings, present = [], set()

    def found(kind, number, lrn, learner=None, surviving=""):
        findings.append(
            RegistryFinding(
                snapshot_id=snapshot.pk,
                kind=kind,
                row_number=number,
                lrn=lrn,
                learner_id=learner.pk if learner is not None else None,
                surviving_lrn=surviving,
            )
        )

    checked = 0
    for number, lrn, last, first, middle, born in identities:
        if not lrn:
            continue
        checked += 1
        learner = learners.get(lrn)
        if learner is None:
            survivor = aliases.get(lrn)
            if survivor is None:
                found(Kind.UNKNOWN, number, lrn)
            else:
                present.add(survivor.pk)
                found(Kind.ALIAS, number, lrn, survivor, survivor.lrn)
            continue
        present.add(learner.pk)
        if name_differs(learner, last, first, middle):
            found(Kind.NAME, number, lrn, learner)
        if born and born != learner.birthdate.isoformat():
            found(Kind.BIRTHDATE, number, lrn, learner)
    cycle = enrolment_cycle(snapshot.period) if snapshot.form == "AF3" else None
    if cycle is not None:
        for learner_id, lrn in enrolled_in(
            cycle, division_id=snapshot.division_id, district_id=snapshot.district_id
        ):
            if learner_id not in present:
                findings.append(
                    RegistryFinding(
                        snapshot_id=snapshot.pk, kind=Kind.MISSING, lrn=lrn, learner_id=learner_id
                    )
                )
    RegistryFinding.objects.filter(snapshot_id=snapshot.pk).delete()
    RegistryFinding.objects.bulk_create(findings, batch_size=INSERT_BATCH)
    counts = dict.fromkeys(Kind.values, 0)
    for finding in findings:
        counts[finding.kind] += 1
    snapshot.registry_check = {
        "checked": checked,
        "counts": counts,
        "cycle": cycle.label if cycle is not None else None,
    }
    Snapshot.objects.filter(pk=snapshot.pk).update(registry_check=snapshot.registry_check)
    return snapshot.registry_check


def check_prepared(snapshot, prepared_rows):
    """The registry check of rows as the importer prepared them (JSON text, not yet encrypted)."""
    return check(snapshot, ((row[0], json.loads(row[1])) for row in prepared_rows))


def check_stored(snapshot):
    """The registry check of a snapshot's stored rows (decrypts them; a consolidated snapshot, or
    one stored before the check existed)."""
    # With its snapshot_id: a related manager's rows read it to attach the snapshot, one query
    # per row when it is deferred.
    rows = snapshot.rows.order_by("row_number").only("snapshot_id", "row_number", "payload")
    return check(snapshot, ((row.row_number, row.payload) for row in rows.iterator(2000)))


def registry_check(snapshot):
    """The counts of the snapshot's registry check, running it once if it never ran; None for a
    form without LRNs (AF1)."""
    if not checks_registry(snapshot.form):
        return None
    if snapshot.registry_check is None:
        check_stored(snapshot)
    return snapshot.registry_check
