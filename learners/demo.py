"""Demo learners for `make run`: a few Benguet learners with enrolments, and one near-duplicate pair.

Idempotent: records are looked up by LRN and enrolments by (learner, cycle), so re-running changes
nothing. The pair "Dela Cruz, Juan" / "de la Cruz, Jaun" (same birthdate, different LRNs) shows the
near-duplicate warning when enrolling and can be merged by focal.benguet.
"""

from datetime import date

from organisation.models import CommunityLearningCenter

from .models import Enrolment, Learner, SchoolYearCycle
from .vocab import CivilStatus, DeliveryMode, MotherTongue, Program, Sex

CYCLES = [
    (
        "CY 2024",
        SchoolYearCycle.CycleType.CALENDAR_YEAR,
        date(2024, 1, 1),
        date(2024, 12, 31),
        date(2024, 10, 31),
        False,
    ),
    (
        "SY 2025-2026",
        SchoolYearCycle.CycleType.SCHOOL_YEAR,
        date(2025, 6, 16),
        date(2026, 4, 30),
        date(2025, 10, 31),
        True,
    ),
    (
        "SY 2026-2027",
        SchoolYearCycle.CycleType.SCHOOL_YEAR,
        date(2026, 6, 15),
        date(2027, 4, 30),
        date(2026, 10, 31),
        True,
    ),
]

LEARNERS = [
    # lrn, last, first, middle, sex, birthdate, mother tongue, sensitive data, enrolment
    (
        "136512250001",
        "Dela Cruz",
        "Juan",
        "Santos",
        Sex.MALE,
        date(2006, 3, 14),
        MotherTongue.ILOKO,
        {
            "civil_status": CivilStatus.SINGLE,
            "religion": "Roman Catholic",
            "ethnic_group": "Ibaloi",
            "contact_number": "09171234501",
            "birthplace": "La Trinidad",
            "mothers_maiden_name": "Santos, Rosa",
            "address": {
                "street": "Purok 3",
                "barangay": "Poblacion",
                "municipality": "La Trinidad",
                "province": "Benguet",
            },
            "is_4ps_beneficiary": True,
        },
        (
            "SY 2025-2026",
            "LTR-01",
            Program.AE_SECONDARY,
            DeliveryMode.FACE_TO_FACE,
            date(2025, 7, 7),
        ),
    ),
    (
        "136512250002",
        "Bayang",
        "Maria",
        "Dulnuan",
        Sex.FEMALE,
        date(2010, 9, 2),
        MotherTongue.ILOKO,
        {
            "civil_status": CivilStatus.SINGLE,
            "religion": "Anglican",
            "ethnic_group": "Kankanaey",
            "birthplace": "Itogon",
            "address": {"barangay": "Ucab", "municipality": "Itogon", "province": "Benguet"},
            "is_4ps_beneficiary": False,
        },
        (
            "SY 2025-2026",
            "ITG-01",
            Program.AE_ELEMENTARY,
            DeliveryMode.INDEPENDENT_LEARNING,
            date(2025, 8, 4),
        ),
    ),
    (
        "136512250003",
        "Palasi",
        "Pedro",
        "Cosalan",
        Sex.MALE,
        date(1998, 1, 20),
        MotherTongue.ILOKO,
        {
            "civil_status": CivilStatus.MARRIED,
            "disability": "Hearing impaired",
            "birthplace": "Tuba",
            "address": {"barangay": "Camp 3", "municipality": "Tuba", "province": "Benguet"},
        },
        ("SY 2026-2027", "TUB-01", Program.BLP, DeliveryMode.FACE_TO_FACE, date(2026, 7, 6)),
    ),
    (
        "136512250004",
        "Tindaan",
        "Grace",
        "",
        Sex.FEMALE,
        date(2004, 11, 30),
        MotherTongue.TAGALOG,
        {
            "civil_status": CivilStatus.SINGLE,
            "religion": "Iglesia ni Cristo",
            "contact_number": "09181234504",
            "address": {"barangay": "Balili", "municipality": "La Trinidad", "province": "Benguet"},
        },
        ("SY 2026-2027", "LTR-02", Program.AE_SECONDARY, DeliveryMode.RBI, date(2026, 8, 3)),
    ),
    # The near-duplicate of 136512250001: spacing, one transposed letter, same birthdate.
    (
        "136512250104",
        "de la Cruz",
        "Jaun",
        "Santos",
        Sex.MALE,
        date(2006, 3, 14),
        MotherTongue.ILOKO,
        {"civil_status": CivilStatus.SINGLE, "birthplace": "La Trinidad"},
        (
            "SY 2026-2027",
            "LTR-02",
            Program.AE_SECONDARY,
            DeliveryMode.FACE_TO_FACE,
            date(2026, 9, 1),
        ),
    ),
]


def seed_cycles():
    """The demo enrolment cycles (a closed calendar year and two school years)."""
    cycles = {}
    for label, cycle_type, start, end, cutoff, is_open in CYCLES:
        cycles[label], _created = SchoolYearCycle.objects.get_or_create(
            label=label,
            defaults={
                "cycle_type": cycle_type,
                "start_date": start,
                "end_date": end,
                "enrolment_cutoff": cutoff,
                "is_open": is_open,
            },
        )
    return cycles


def seed_learners():
    """Create the demo learners and their enrolments (Benguet). Returns the learners."""
    cycles = seed_cycles()
    learners = []
    for lrn, last, first, middle, sex, born, tongue, sensitive, enrolment in LEARNERS:
        learner = Learner.objects.filter(lrn=lrn).first()
        if learner is None:
            learner = Learner.objects.create(
                lrn=lrn,
                last_name=last,
                first_name=first,
                middle_name=middle,
                sex=sex,
                birthdate=born,
                mother_tongue=tongue,
                **sensitive,
            )
        cycle_label, clc_code, program, mode, first_day = enrolment
        clc = CommunityLearningCenter.objects.get(code=clc_code, district__division__slug="benguet")
        Enrolment.objects.get_or_create(
            learner=learner,
            cycle=cycles[cycle_label],
            defaults={
                "clc": clc,
                "program": program,
                "delivery_mode": mode,
                "date_first_attendance": first_day,
            },
        )
        if learner.division_id is None:
            learner.division_id = clc.district.division_id
            learner.save(update_fields=["division"])
        learners.append(learner)
    return learners
