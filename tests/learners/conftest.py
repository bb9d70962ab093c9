"""Fixtures for the learners tests: demo region + cycles, and a factory for learners."""

from datetime import date

import pytest


@pytest.fixture
def cycles(db):
    from learners.demo import seed_cycles

    return seed_cycles()


@pytest.fixture
def benguet_clc(demo):
    from organisation.models import CommunityLearningCenter

    return CommunityLearningCenter.objects.get(code="LTR-01", district__division__slug="benguet")


@pytest.fixture
def abra_clc(demo):
    from organisation.models import CommunityLearningCenter

    return CommunityLearningCenter.objects.filter(district__division__slug="abra").first()


@pytest.fixture
def make_learner(db):
    """Create a learner: make_learner("136512250001", "Dela Cruz", "Juan", date(2006, 3, 14))."""
    from learners.models import Learner

    def make(lrn, last, first, birthdate=date(2006, 3, 14), **extra):
        extra.setdefault("sex", "M")
        return Learner.objects.create(
            lrn=lrn, last_name=last, first_name=first, birthdate=birthdate, **extra
        )

    return make


@pytest.fixture
def enrol_at(cycles):
    """Enrol a learner directly (no validation) at a CLC in a cycle (default SY 2025-2026)."""
    from learners.models import Enrolment

    def enrol(learner, clc, *, cycle="SY 2025-2026", program="AE_JHS", status="enrolled", day=None):
        cycle = cycles[cycle]
        if learner.division_id is None:
            # As services.enrol does: the first enrolment makes the CLC's division the holder.
            learner.division_id = clc.district.division_id
            learner.save(update_fields=["division"])
        return Enrolment.objects.create(
            learner=learner,
            cycle=cycle,
            clc=clc,
            program=program,
            delivery_mode="F2F",
            date_first_attendance=day or cycle.start_date,
            status=status,
        )

    return enrol
