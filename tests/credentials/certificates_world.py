"""An issued Benguet batch for the certificate and verification tests (through the services)."""

from datetime import date

# (last, first, CLC index): printed CLC first, then by name; accents and ñ on purpose.
PEOPLE = [
    ("Peñaflor", "Niño", 1),
    ("Añonuevo", "José", 0),
    ("Bagtang", "Ána", 1),
    ("Cosalan", "Ramón", 0),
]


def issued_batch(achievement, division, *, people=PEOPLE, lrn_base=136512270000):
    """Learners enrolled at two CLCs of `division`, awarded `achievement` in one issued batch."""
    from credentials.services import approve_batch, issue_batch, prepare_batch
    from learners.models import Enrolment, Learner, SchoolYearCycle
    from organisation.models import CommunityLearningCenter

    cycle, _created = SchoolYearCycle.objects.get_or_create(
        label="SY 2025-2026",
        defaults={
            "cycle_type": "school_year",
            "start_date": date(2025, 6, 16),
            "end_date": date(2026, 4, 15),
            "enrolment_cutoff": date(2025, 10, 31),
        },
    )
    clcs = list(
        CommunityLearningCenter.objects.filter(district__division=division).order_by("name")[:2]
    )
    members = []
    for number, (last, first, clc_index) in enumerate(people):
        learner = Learner.objects.create(
            lrn=str(lrn_base + number),
            last_name=last,
            first_name=first,
            birthdate=date(2004, 5, 1),
            sex="F",
            division=division,
        )
        Enrolment.objects.create(
            learner=learner,
            cycle=cycle,
            clc=clcs[clc_index],
            program="AE_JHS",
            delivery_mode="F2F",
            date_first_attendance=cycle.start_date,
        )
        members.append((learner, f"{first} {last}", "Led the CLC's clean-up drive."))
    batch = prepare_batch(
        None,
        division=division,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 5),
        venue="La Trinidad Municipal Hall",
        signatories=[
            {"name": "Dr. Estela Cariño", "position": "Schools Division Superintendent"},
            {"name": "Jose Pacaña", "position": "Education Program Specialist II, ALS"},
        ],
        members=members,
    )
    approve_batch(None, batch)
    issue_batch(None, batch)
    return batch, clcs
