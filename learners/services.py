"""Learner operations: finding (by LRN, alias or near-matching name), enrolling, merging, logging access.

Views, the API and management commands call these functions; they hold the rules so that every
channel applies the same ones.
"""

import difflib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz.distance import OSA, Indel
from wagtail.log_actions import log

from organisation.models import District, Role
from organisation.roles import LEARNER_DATA_ROLES  # noqa: F401 (re-exported: the one list)
from organisation.scope import scope_for

from .models import Enrolment, Learner, LearnerAccessLog, LearnerAlias, LearnerMerge
from .search_keys import fold_name, phonetic
from .vocab import Program

#: Roles that may enrol learners (teachers in their district's CLCs, the others in their division).
ENROL_ROLES = (Role.ALS_TEACHER, Role.EPSA, Role.DIVISION_FOCAL, Role.ENCODER)
#: Roles that may merge duplicate records and review the access log.
OVERSIGHT_ROLES = (Role.DIVISION_FOCAL, Role.SYSTEM_ADMINISTRATOR)

#: Program order: a completer never goes back down (DOMAIN.md re-enrolment rules).
PROGRAM_RANK = {
    Program.BLP: 0,
    Program.AE_ELEMENTARY: 1,
    Program.AE_SECONDARY: 2,
    Program.ALS_SHS: 3,
}
#: Minimum age on the date of first attendance, per program (DOMAIN.md: 12 Elementary, 16 JHS).
PROGRAM_MINIMUM_AGE = {Program.AE_ELEMENTARY: 12, Program.AE_SECONDARY: 16}

#: Only these columns are read while searching, so no encrypted value is decrypted for a search.
SEARCH_COLUMNS = (
    "pk",
    "lrn",
    "last_name",
    "first_name",
    "middle_name",
    "name_extension",
    "sex",
    "birthdate",
    "search_last",
    "search_first",
    "phonetic_last",
    "phonetic_first",
    "created_at",
)

NEAR_MATCH = 0.85


def minimum_attendance_age():
    """Youngest age at which anyone can attend ALS (setting LEARNERS_MIN_ATTENDANCE_AGE)."""
    return getattr(settings, "LEARNERS_MIN_ATTENDANCE_AGE", 6)


# --- scope -------------------------------------------------------------------------------------


def learners_visible_to(user, roles=None):
    """Learners whose full record the user may see: those their division holds now.

    A division- or region-level role sees every learner whose current division it covers; a
    district-level role (ALS teacher) those of its division enrolled at one of its CLCs. A learner
    transferred away is no longer visible to the old division, whatever enrolments it keeps there;
    another division sees name, LRN and birthdate only (``learners.transfers``). A record with no
    division yet (created, never enrolled) is visible to whoever created it.
    """
    queryset = Learner.objects.all()
    scope = scope_for(user, roles)
    if scope.is_global:
        return queryset
    district_divisions = District.objects.filter(pk__in=scope.district_ids).values("division_id")
    return queryset.filter(
        Q(division_id__in=scope.division_ids)
        | Q(
            division_id__in=district_divisions,
            enrolments__clc__district_id__in=scope.district_ids,
        )
        | Q(division__isnull=True, created_by=user, enrolments__isnull=True)
    ).distinct()


def can_see_learner(user, learner, roles=None):
    """Whether ``learner`` is inside the user's scope."""
    return learners_visible_to(user, roles).filter(pk=learner.pk).exists()


def enrolment_clcs_for(user):
    """The CLCs where this user may enrol learners."""
    return scope_for(user, ENROL_ROLES).clcs().select_related("district__division")


def may_enrol(user):
    """Whether the user holds an enrolling role (or is a superuser) and the permission."""
    if not user.has_perm("learners.enrol_learner"):
        return False
    return user.is_superuser or not scope_for(user, ENROL_ROLES).is_empty


def enrolment_division_ids(user):
    """The divisions in which the user may enrol learners (those of their enrolment CLCs)."""
    return set(enrolment_clcs_for(user).values_list("district__division_id", flat=True))


def may_enrol_here(user, learner):
    """Whether the learner belongs to a division where the user enrols (or to none yet).

    A learner held by another division is enrolled only after a transfer (learners.transfers).
    """
    if user.is_superuser:
        return True
    return learner.division_id is None or learner.division_id in enrolment_division_ids(user)


def may_oversee(user):
    """Whether the user may merge records and review the access log."""
    return user.has_perm("learners.merge_learner") and (
        user.is_superuser or not scope_for(user, OVERSIGHT_ROLES).is_empty
    )


# --- finding -----------------------------------------------------------------------------------


def find_by_lrn(lrn, queryset=None):
    """The learner holding ``lrn``, directly or as a merged-away alias; None when there is none."""
    lrn = (lrn or "").strip()
    queryset = Learner.objects.all() if queryset is None else queryset
    learner = queryset.filter(lrn=lrn).first()
    if learner is None:
        alias = LearnerAlias.objects.filter(lrn=lrn).first()
        if alias is not None:
            learner = queryset.filter(pk=alias.learner_id).first()
    return learner


def registry_for_lrns(lrns, *, chunk=5000):
    """The registry's answer for many LRNs at once (e.g. every row of an AF snapshot).

    Returns (learners, aliases): ``learners`` maps each LRN held by a learner to that Learner
    (search columns and division only: nothing encrypted is read), ``aliases`` maps each merged
    LRN to the Learner it now belongs to. Two queries per ``chunk`` LRNs, whatever their number.
    """
    unique = list(dict.fromkeys(str(lrn) for lrn in lrns if lrn))
    columns = (*(c for c in SEARCH_COLUMNS if c != "pk"), "division_id")
    learners, aliases = {}, {}
    for start in range(0, len(unique), chunk):
        part = unique[start : start + chunk]
        for learner in Learner.objects.filter(lrn__in=part).only(*columns):
            learners[learner.lrn] = learner
        rest = [lrn for lrn in part if lrn not in learners]
        if rest:
            found = LearnerAlias.objects.filter(lrn__in=rest).select_related("learner")
            for alias in found.only("lrn", *(f"learner__{c}" for c in columns)):
                aliases[alias.lrn] = alias.learner
    return learners, aliases


def name_differs(learner, last, first, middle=""):
    """Whether a name written on a form is another name than the learner's in the registry.

    Compared on the folded keys (``search_keys.fold_name``), so case, accents and spacing make no
    difference; the middle name counts only when both give one and neither is the other's
    initial ("M." and "Mendoza" agree).
    """
    if fold_name(last) != learner.search_last or fold_name(first) != learner.search_first:
        return True
    ours, theirs = fold_name(middle), fold_name(learner.middle_name)
    if ours and theirs:
        return not (ours.startswith(theirs) or theirs.startswith(ours))
    return False


def enrolled_in(cycle, *, division_id, district_id=None):
    """(learner id, LRN) of every learner enrolled in ``cycle`` at a CLC of the division (or of
    the district), in one query."""
    enrolments = Enrolment.objects.filter(cycle=cycle, clc__district__division_id=division_id)
    if district_id is not None:
        enrolments = enrolments.filter(clc__district_id=district_id)
    return list(enrolments.values_list("learner_id", "learner__lrn"))


def lrn_in_use(lrn):
    """Whether the LRN already belongs to a learner or an alias."""
    return Learner.objects.filter(lrn=lrn).exists() or LearnerAlias.objects.filter(lrn=lrn).exists()


@dataclass
class Match:
    """One candidate of a name search, with a score and the reasons it matched."""

    learner: Learner
    score: float
    reasons: list = field(default_factory=list)

    @property
    def is_near_duplicate(self):
        return self.score >= NEAR_MATCH


def _sequence_ratio(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def _similarity(a, b, phonetic_a, phonetic_b, ratio=_sequence_ratio):
    """How alike two folded names are, 0–1, and why (phonetic keys passed in, computed once).

    ``ratio`` is difflib's; ``learners.duplicates`` passes rapidfuzz's LCS ratio (never below
    difflib's, and much faster) to rule out pairs cheaply before scoring them for real."""
    if not a or not b:
        return 0.0, None
    if a == b:
        return 1.0, "same"
    # Optimal string alignment: a swap of two adjacent letters ("Jaun") is one edit, too.
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return 0.9, _("differs by one letter")
    if phonetic_a == phonetic_b:
        return 0.88, _("sounds alike")
    if len(a) >= 3 and len(b) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 0.86, _("first given name matches")
    return ratio(a, b) * 0.8, None


class _Query:
    """A searched name folded once: keys and phonetic keys of the last and first name."""

    def __init__(self, last, first):
        self.last, self.first = fold_name(last), fold_name(first)
        self.phonetic_last, self.phonetic_first = phonetic(self.last), phonetic(self.first)


def score_candidate(learner, last, first, birthdate=None, query=None, similarity=None):
    """Score a learner against a searched name (and birthdate); see ``Match``.

    ``similarity`` stands in for ``_similarity`` (same arguments, same answers), e.g. one that
    remembers its answers across the many pairs of ``learners.duplicates``."""
    similar = similarity or _similarity
    q = query or _Query(last, first)
    clast, cfirst = learner.search_last, learner.search_first
    plast, pfirst = learner.phonetic_last, learner.phonetic_first
    reasons = []
    last_sim, last_why = similar(q.last, clast, q.phonetic_last, plast)
    if q.first:
        first_sim, first_why = similar(q.first, cfirst, q.phonetic_first, pfirst)
        direct = (last_sim + first_sim) / 2
        swap_a, _w1 = similar(q.last, cfirst, q.phonetic_last, pfirst)
        swap_b, _w2 = similar(q.first, clast, q.phonetic_first, plast)
        swapped = (swap_a + swap_b) / 2
    else:
        first_sim, first_why = 0.0, None
        direct = last_sim
        swapped = similar(q.last, cfirst, q.phonetic_last, pfirst)[0]
    if swapped > direct and swapped >= NEAR_MATCH:
        name_score = swapped
        reasons.append(_("first and last name swapped"))
    else:
        name_score = direct
        for why in (last_why, first_why):
            if why and why != "same" and why not in reasons:
                reasons.append(why)
        if last_why == "same" and (first_why == "same" or not q.first):
            reasons.insert(0, _("same name"))
    score = name_score
    if birthdate is not None and learner.birthdate == birthdate:
        reasons.append(_("same birthdate"))
        # The same birthdate with one name part matching is a strong hint of the same person.
        if max(last_sim, first_sim, swapped) >= NEAR_MATCH:
            score = max(score, NEAR_MATCH) + 0.1
    return Match(learner=learner, score=round(score, 3), reasons=reasons)


def _candidate_condition(q, birthdate):
    """SQL narrowing on the search keys: anything that could score as a match, little else.

    A one-letter typo leaves either the first two letters or the phonetic key intact, or the
    other name part matches exactly; swapped names are the same conditions with the parts crossed.
    """
    condition = Q(pk__in=[])
    pairs = [(q.last, q.phonetic_last, q.first, "search_last", "phonetic_last", "search_first")]
    pairs.append(
        (q.last, q.phonetic_last, q.first, "search_first", "phonetic_first", "search_last")
    )
    if q.first:
        pairs.append(
            (q.first, q.phonetic_first, q.last, "search_first", "phonetic_first", "search_last")
        )
        pairs.append(
            (q.first, q.phonetic_first, q.last, "search_last", "phonetic_last", "search_first")
        )
    for key, sound, other, key_field, sound_field, other_field in pairs:
        if not key:
            continue
        prefix = Q(**{f"{key_field}__startswith": key[:2]})
        if other:
            prefix &= Q(**{f"{other_field}__startswith": other[:1]})
        condition |= prefix | Q(**{key_field: key}) | Q(**{sound_field: sound})
    if birthdate is not None:
        condition |= Q(birthdate=birthdate)
    return condition


def blocking_keys(learner):
    """Keys that two records of one person very likely share, for comparing a whole division.

    The enrolment search narrows candidates on one name part (``_candidate_condition``); in a
    division of 20,000 that leaves millions of pairs to score. A near duplicate with different
    birthdates needs both name parts alike (``score_candidate``), so these keys pair one part
    with a piece of the other, in both orders (swapped names meet too): one part's key with the
    other's first letter, or with its second and third letters (a typo in the first letter),
    each also with the part's phonetic key; both phonetic keys; and the birthdate alone (the same birthdate with one name part alike is
    a near duplicate). Learners sharing a key are scored by the enrolment's rule (``pair_score``).
    """
    keys = set()
    if learner.birthdate is not None:
        keys.add(("born", learner.birthdate))
    parts = (
        (learner.search_last, learner.search_first, learner.phonetic_last, learner.phonetic_first),
        (learner.search_first, learner.search_last, learner.phonetic_first, learner.phonetic_last),
    )
    for one, other, sound_one, sound_other in parts:
        if not one:
            continue
        keys.add(("start", one, other[:1]))
        keys.add(("middle", one, other[1:3]))
        keys.add(("sound", sound_one, sound_other))
        keys.add(("sound-start", sound_one, other[:1]))
        keys.add(("sound-middle", sound_one, other[1:3]))
    return keys


def name_query(learner):
    """A learner's name folded once, for scoring many candidates against it (``pair_score``)."""
    return _Query(learner.last_name, learner.first_name)


def remembering_similarity(*, bound=False):
    """``_similarity`` with a memory: names repeat across a division, and so do their pairs.

    With ``bound``, an upper bound of it instead: the difflib ratio is replaced by rapidfuzz's
    LCS ratio, which is never lower (difflib's matching blocks are one common subsequence). A
    score is never lower for higher similarities, so a pair whose bounded ``pair_score`` stays
    under ``NEAR_MATCH`` is not a near duplicate, without computing difflib's ratio."""
    memory = {}
    ratio = Indel.normalized_similarity if bound else _sequence_ratio

    def similarity(a, b, phonetic_a, phonetic_b):
        key = (a, b)
        if key not in memory:
            memory[key] = _similarity(a, b, phonetic_a, phonetic_b, ratio)
        return memory[key]

    return similarity


def pair_score(a, b, query_a=None, query_b=None, similarity=None):
    """How likely two learner records are one person (the enrolment's near-duplicate rule, in
    both directions): the better ``Match`` of each searched against the other. ``query_a`` and
    ``query_b`` are their ``name_query``, ``similarity`` a ``remembering_similarity``, when the
    caller keeps them."""
    one = score_candidate(
        b, a.last_name, a.first_name, a.birthdate, query=query_a, similarity=similarity
    )
    other = score_candidate(
        a, b.last_name, b.first_name, b.birthdate, query=query_b, similarity=similarity
    )
    return one if one.score >= other.score else other


def search_by_name(last, first="", birthdate=None, queryset=None, minimum=0.6, limit=50):
    """Learners whose name is like ``last``/``first`` (case, accents, spacing, one typo, swapped).

    Candidates are narrowed in SQL on the non-sensitive search keys (prefixes, phonetic keys,
    birthdate) and scored in Python, so this behaves the same on SQLite and PostgreSQL.
    """
    q = _Query(last, first)
    if not q.last and not q.first:
        return []
    if not q.last:
        q = _Query(first, "")
    queryset = Learner.objects.all() if queryset is None else queryset
    candidates = queryset.filter(_candidate_condition(q, birthdate)).only(*SEARCH_COLUMNS)
    matches = [score_candidate(c, last, first, birthdate, query=q) for c in candidates]
    matches = [m for m in matches if m.score >= minimum]
    matches.sort(key=lambda m: (-m.score, m.learner.search_last, m.learner.lrn))
    return matches[:limit]


def near_duplicates(last, first, birthdate=None, exclude_pk=None):
    """Existing records (in any scope) that nearly match a new learner's name and birthdate."""
    queryset = Learner.objects.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return [
        m for m in search_by_name(last, first, birthdate, queryset=queryset) if m.is_near_duplicate
    ]


# --- enrolment ---------------------------------------------------------------------------------


def validate_enrolment(learner, cycle, program, date_first_attendance, *, today=None, exclude=None):
    """Raise ValidationError (keyed by form field) unless this enrolment is allowed."""
    today = today or timezone.localdate()
    errors = {}
    day = date_first_attendance
    if not cycle.is_open:
        errors.setdefault("cycle", []).append(_("This cycle is closed for enrolment."))
    if day > today:
        errors.setdefault("date_first_attendance", []).append(
            _("The date of first attendance cannot be in the future.")
        )
    if day < cycle.start_date:
        errors.setdefault("date_first_attendance", []).append(
            _("The date of first attendance is before the cycle starts (%(start)s).")
            % {"start": cycle.start_date.isoformat()}
        )
    if day > cycle.enrolment_cutoff:
        errors.setdefault("date_first_attendance", []).append(
            _(
                "The date of first attendance is after the enrolment cut-off of %(cycle)s (%(cutoff)s)."
            )
            % {"cycle": cycle.label, "cutoff": cycle.enrolment_cutoff.isoformat()}
        )
    if learner.birthdate:
        age = learner.age_on(day)
        if day <= learner.birthdate or age < minimum_attendance_age():
            errors.setdefault("date_first_attendance", []).append(
                _("The learner would be %(age)s years old on that date; ALS starts at %(min)s.")
                % {"age": max(age, 0), "min": minimum_attendance_age()}
            )
        else:
            minimum = PROGRAM_MINIMUM_AGE.get(program)
            if minimum and age < minimum:
                errors.setdefault("program", []).append(
                    _("%(program)s requires age %(min)s; the learner is %(age)s on %(day)s.")
                    % {
                        "program": Program(program).label,
                        "min": minimum,
                        "age": age,
                        "day": day.isoformat(),
                    }
                )
    if learner.pk:
        others = Enrolment.objects.filter(learner=learner)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        if others.filter(cycle=cycle).exists():
            errors.setdefault("cycle", []).append(
                _("This learner is already enrolled in %(cycle)s.") % {"cycle": cycle.label}
            )
        completed = list(
            others.filter(status=Enrolment.Status.COMPLETED).values_list("program", flat=True)
        )
        for done in completed:
            if PROGRAM_RANK[Program(program)] < PROGRAM_RANK[Program(done)]:
                errors.setdefault("program", []).append(
                    _("The learner completed %(done)s and cannot enrol in %(program)s.")
                    % {"done": Program(done).label, "program": Program(program).label}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enrol(learner, *, cycle, clc, program, delivery_mode, date_first_attendance, user, channel):
    """Validate and save one enrolment; logs it (Wagtail log + learner access log).

    The first enrolment makes the CLC's division the learner's current division; a learner held
    by another division is refused (the receiving division requests a transfer instead).
    """
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    clc_division_id = clc.district.division_id
    if learner.division_id is not None and learner.division_id != clc_division_id:
        refusal = _(
            "This learner belongs to another division. Request a transfer; you can enrol them "
            "once their division (or the region) accepts it."
        )
        raise ValidationError({"clc": ValidationError(refusal, code="transfer_required")})
    validate_enrolment(learner, cycle, program, date_first_attendance)
    if learner.division_id is None:
        learner.division_id = clc_division_id
        learner.save(update_fields=["division"])
    enrolment = Enrolment.objects.create(
        learner=learner,
        cycle=cycle,
        clc=clc,
        program=program,
        delivery_mode=delivery_mode,
        date_first_attendance=date_first_attendance,
        enrolled_by=user,
    )
    log(instance=learner, action="learners.enrol", user=user, data={"enrolment": enrolment.pk})
    log_access(user, learner, LearnerAccessLog.Action.ENROL, [], channel)
    return enrolment


@transaction.atomic
def set_enrolment_status(enrolment, status, *, user, channel):
    """Record that the learner completed the program or stopped attending (or is enrolled again)."""
    if status not in Enrolment.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    previous = enrolment.status
    enrolment.status = status
    enrolment.save(update_fields=["status"])
    log(
        instance=enrolment.learner,
        action="learners.enrolment_status",
        user=user,
        data={"enrolment": enrolment.pk, "from": previous, "to": status},
    )
    log_access(
        user, enrolment.learner, LearnerAccessLog.Action.UPDATE, ["enrolment.status"], channel
    )
    return enrolment


@transaction.atomic
def create_learner(data, *, user, channel):
    """Create a learner from cleaned AF2 data (LRN must be free, including aliases)."""
    if lrn_in_use(data["lrn"]):
        raise ValidationError({"lrn": _("This LRN already belongs to a learner.")})
    learner = Learner(created_by=user, **data)
    learner.full_clean()
    learner.save()
    log(instance=learner, action="wagtail.create", user=user)
    log_access(user, learner, LearnerAccessLog.Action.CREATE, sorted(data), channel)
    return learner


@transaction.atomic
def update_learner(learner, changed_fields, *, user, channel):
    """Save changes already set on ``learner``; logs which fields changed (names only)."""
    learner.full_clean()
    learner.save()
    log(instance=learner, action="wagtail.edit", user=user, data={"fields": sorted(changed_fields)})
    log_access(user, learner, LearnerAccessLog.Action.UPDATE, sorted(changed_fields), channel)
    return learner


# --- merging -----------------------------------------------------------------------------------


def learner_record(learner):
    """Every stored field of a learner, decrypted, as JSON-ready values."""
    record = {}
    for f in Learner._meta.concrete_fields:
        value = getattr(learner, f.attname)
        if isinstance(value, date):
            value = value.isoformat()
        record[f.attname] = value
    return record


@transaction.atomic
def merge_learners(first, second, *, user, reason="", channel=LearnerAccessLog.Channel.ADMIN):
    """Merge two records of one person; the earlier registered record (oldest LRN) survives.

    The other LRN becomes an alias of the survivor, its enrolments move over (a cycle both were
    enrolled in keeps the survivor's enrolment), its full record is kept encrypted in the
    ``LearnerMerge`` row, and the merge is logged.
    """
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different learner records."))
    survivor, merged = sorted((first, second), key=lambda lr: (lr.created_at, lr.pk))
    survivor = Learner.objects.select_for_update().get(pk=survivor.pk)
    merged = Learner.objects.select_for_update().get(pk=merged.pk)
    survivor_cycles = set(survivor.enrolments.values_list("cycle_id", flat=True))
    moving = merged.enrolments.exclude(cycle_id__in=survivor_cycles)
    moved = moving.update(learner=survivor)
    merged_lrn = merged.lrn
    record = learner_record(merged)
    record["enrolments"] = [
        {
            "cycle": e.cycle.label,
            "clc": e.clc.name,
            "program": e.program,
            "delivery_mode": e.delivery_mode,
            "date_first_attendance": e.date_first_attendance.isoformat(),
            "status": e.status,
        }
        for e in merged.enrolments.select_related("cycle", "clc")
    ]
    old_aliases = list(merged.aliases.values_list("lrn", flat=True))
    LearnerAccessLog.objects.filter(learner=merged).update(learner=survivor)
    # Earlier merges into the record going away now belong to the survivor (not cascade-deleted).
    LearnerMerge.objects.filter(surviving=merged).update(surviving=survivor)
    merged_division_id = merged.division_id
    merged.delete()
    if survivor.division_id is None and merged_division_id is not None:
        survivor.division_id = merged_division_id
        survivor.save(update_fields=["division"])
    LearnerAlias.objects.create(lrn=merged_lrn, learner=survivor)
    for lrn in old_aliases:
        LearnerAlias.objects.update_or_create(lrn=lrn, defaults={"learner": survivor})
    merge = LearnerMerge.objects.create(
        surviving=survivor,
        merged_lrn=merged_lrn,
        merged_record=record,
        enrolments_moved=moved,
        reason=reason,
        merged_by=user,
    )
    log(
        instance=survivor,
        action="learners.merge",
        user=user,
        data={"merged_lrn": merged_lrn, "enrolments_moved": moved, "merge": merge.pk},
    )
    log_access(user, survivor, LearnerAccessLog.Action.MERGE, ["merged_lrn"], channel)
    return merge


# --- privacy -----------------------------------------------------------------------------------


def _learner_division_id(learner):
    """The learner's current division (else that of the latest enrolment), or None."""
    if learner.division_id is not None:
        return learner.division_id
    return (
        learner.enrolments.order_by("-created_at", "-pk")
        .values_list("clc__district__division_id", flat=True)
        .first()
    )


def log_access(user, learner, action, fields, channel, username="", division=None):
    """Record one access to a learner's personal data (who, which learner, what, how).

    ``username`` names who acted when there is no user (e.g. the requester of a command's report).
    ``division`` defaults to the division of the learner's latest enrolment.
    """
    authenticated = user is not None and user.is_authenticated
    division_id = division.pk if division is not None else _learner_division_id(learner)
    return LearnerAccessLog.objects.create(
        learner=learner,
        lrn=learner.lrn,
        user=user if authenticated else None,
        username=user.get_username() if authenticated else username[:150],
        action=action,
        fields=list(fields),
        channel=channel,
        division_id=division_id,
    )


def log_shown(user, learners, fields, channel, division=None):
    """Record that these learners' personal data (`fields`) appeared on a page: one VIEW entry
    per learner, in one query. For learners already loaded; `log_bulk_access` takes LRNs."""
    LearnerAccessLog.objects.bulk_create(
        LearnerAccessLog(
            learner=learner,
            lrn=learner.lrn,
            user=user,
            username=user.get_username(),
            action=LearnerAccessLog.Action.VIEW,
            fields=list(fields),
            channel=channel,
            division=division,
        )
        for learner in learners
    )


BULK_LOG_BATCH = 5000


def log_bulk_access(user, lrns, action, fields, channel, division=None, username=""):
    """Record one access-log entry per distinct LRN (e.g. every learner in an exported snapshot).

    Entries link the Learner whose LRN (or alias LRN) matches, resolved in two queries for the
    whole set rather than per row; LRNs with no Learner record are logged by LRN alone, and all
    records without an LRN (e.g. AF1 rows) share one entry with a blank LRN. Returns the number
    of entries written.
    """
    authenticated = user is not None and user.is_authenticated
    unique = list(dict.fromkeys(str(lrn or "") for lrn in lrns))
    if not unique:
        return 0
    learner_ids = dict(Learner.objects.filter(lrn__in=unique).values_list("lrn", "pk"))
    learner_ids.update(
        LearnerAlias.objects.filter(lrn__in=unique)
        .exclude(lrn__in=list(learner_ids))
        .values_list("lrn", "learner_id")
    )
    common = {
        "user": user if authenticated else None,
        "username": user.get_username() if authenticated else username[:150],
        "action": action,
        "fields": list(fields),
        "channel": channel,
        "division": division,
    }
    LearnerAccessLog.objects.bulk_create(
        (
            LearnerAccessLog(learner_id=learner_ids.get(lrn), lrn=lrn[:12], **common)
            for lrn in unique
        ),
        batch_size=BULK_LOG_BATCH,
    )
    return len(unique)


def access_log_visible_to(user):
    """Access log entries about learners, or data of a division, in the user's oversight scope.

    A division focal sees entries about learners enrolled in their scope and entries recorded
    against one of their divisions (e.g. snapshot exports); a system administrator sees all.
    """
    queryset = LearnerAccessLog.objects.select_related("learner")
    scope = scope_for(user, OVERSIGHT_ROLES)
    if scope.is_global:
        return queryset
    visible = learners_visible_to(user, OVERSIGHT_ROLES).values("pk")
    # Only whole divisions in scope (covers_division): a district-level role sees no division data.
    return queryset.filter(Q(learner__in=visible) | Q(division_id__in=scope.division_ids))


def learner_report(learner):
    """A learner's complete record for a data-subject access request (RA 10173 s. 16)."""
    record = learner_record(learner)
    return {
        "learner": record,
        "aliases": list(learner.aliases.order_by("lrn").values_list("lrn", flat=True)),
        "enrolments": [
            {
                "cycle": e.cycle.label,
                "cycle_type": e.cycle.get_cycle_type_display(),
                "clc": e.clc.name,
                "district": e.clc.district.name,
                "division": e.clc.district.division.name,
                "program": e.get_program_display(),
                "delivery_mode": e.get_delivery_mode_display(),
                "date_first_attendance": e.date_first_attendance.isoformat(),
                "status": e.get_status_display(),
                "enrolled_at": e.created_at.isoformat(),
            }
            for e in learner.enrolments.select_related("cycle", "clc__district__division")
        ],
        "merges": [
            {
                "merged_lrn": m.merged_lrn,
                "merged_at": m.merged_at.isoformat(),
                "merged_by": m.merged_by.get_username() if m.merged_by else "",
                "reason": m.reason,
                "merged_record": m.merged_record,
            }
            for m in learner.merges.select_related("merged_by")
        ],
        "transfers": [
            {
                "from_division": t.from_division.name,
                "to_division": t.to_division.name,
                "state": t.get_state_display(),
                "requested_at": t.requested_at.isoformat(),
                "requested_by": t.requested_by.get_username() if t.requested_by else "",
                "reason": t.reason,
                "decided_at": t.decided_at.isoformat() if t.decided_at else "",
                "decided_by": t.decided_by.get_username() if t.decided_by else "",
                "note": t.note,
            }
            for t in learner.transfer_requests.select_related(
                "from_division", "to_division", "requested_by", "decided_by"
            ).order_by("requested_at", "pk")
        ],
        "access_log": [
            {
                "at": entry.at.isoformat(),
                "user": entry.username,
                "action": entry.get_action_display(),
                "fields": entry.fields,
                "channel": entry.get_channel_display(),
            }
            for entry in learner.access_log.order_by("at", "pk")
        ],
    }
