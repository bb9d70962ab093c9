"""Enrolment validation: dates, cut-off, ages, duplicates and the re-enrolment rules."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from learners import services
from learners.models import Enrolment, SchoolYearCycle

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def errors_of(learner, cycle, program, day, today=TODAY):
    try:
        services.validate_enrolment(learner, cycle, program, day, today=today)
    except ValidationError as error:
        return {k: " ".join(str(m) for m in v) for k, v in error.message_dict.items()}
    return {}


@pytest.fixture
def adult(make_learner):
    return make_learner("136512250001", "Dela Cruz", "Juan", date(1995, 3, 14))


def test_a_valid_enrolment_passes(adult, cycles):
    assert errors_of(adult, cycles["SY 2026-2027"], "AE_JHS", date(2026, 8, 3)) == {}


def test_first_attendance_not_in_the_future(adult, cycles):
    errors = errors_of(
        adult, cycles["SY 2026-2027"], "BLP", date(2026, 10, 1), today=date(2026, 9, 1)
    )
    assert "cannot be in the future" in errors["date_first_attendance"]


def test_first_attendance_within_the_cycle_and_cut_off(adult, cycles):
    sy = cycles["SY 2026-2027"]
    assert (
        "before the cycle starts (2026-06-15)"
        in errors_of(adult, sy, "BLP", date(2026, 6, 1))["date_first_attendance"]
    )
    assert (
        "after the enrolment cut-off of SY 2026-2027 (2026-10-31)"
        in errors_of(adult, sy, "BLP", date(2026, 11, 2))["date_first_attendance"]
    )
    assert errors_of(adult, sy, "BLP", date(2026, 10, 31)) == {}


def test_cut_off_and_cycle_type_are_configurable_per_cycle(adult):
    calendar = SchoolYearCycle.objects.create(
        label="CY 2026",
        cycle_type=SchoolYearCycle.CycleType.CALENDAR_YEAR,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        enrolment_cutoff=date(2026, 11, 30),
    )
    assert errors_of(adult, calendar, "BLP", date(2026, 11, 15)) == {}
    bad = SchoolYearCycle(
        label="CY 2027",
        cycle_type="calendar",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        enrolment_cutoff=date(2028, 1, 31),
    )
    with pytest.raises(ValidationError, match="cut-off must fall within the cycle"):
        bad.full_clean()


def test_closed_cycle_refuses_enrolment(adult, cycles):
    assert (
        "closed for enrolment"
        in errors_of(adult, cycles["CY 2024"], "BLP", date(2024, 3, 1))["cycle"]
    )


def test_not_before_the_learner_could_attend(make_learner, cycles):
    baby = make_learner("136512250009", "Bayang", "Ana", date(2024, 1, 5), sex="F")
    errors = errors_of(baby, cycles["SY 2026-2027"], "BLP", date(2026, 8, 3))
    assert "would be 2 years old on that date; ALS starts at 6" in errors["date_first_attendance"]


def test_minimum_ages_for_a_and_e(make_learner, cycles):
    sy = cycles["SY 2026-2027"]
    eleven = make_learner("136512250010", "Bayang", "Ben", date(2015, 1, 1))
    assert (
        "A&E Elementary requires age 12; the learner is 11"
        in errors_of(eleven, sy, "AE_ELEM", date(2026, 8, 3))["program"]
    )
    assert errors_of(eleven, sy, "BLP", date(2026, 8, 3)) == {}
    fifteen = make_learner("136512250011", "Bayang", "Carl", date(2011, 1, 1))
    assert errors_of(fifteen, sy, "AE_ELEM", date(2026, 8, 3)) == {}
    assert (
        "A&E Secondary (JHS) requires age 16; the learner is 15"
        in errors_of(fifteen, sy, "AE_JHS", date(2026, 8, 3))["program"]
    )


def test_one_enrolment_per_learner_per_cycle(adult, cycles, benguet_clc, enrol_at):
    enrol_at(adult, benguet_clc, cycle="SY 2026-2027", program="BLP")
    assert (
        "already enrolled in SY 2026-2027"
        in errors_of(adult, cycles["SY 2026-2027"], "BLP", date(2026, 8, 3))["cycle"]
    )
    with pytest.raises(IntegrityError):
        enrol_at(adult, benguet_clc, cycle="SY 2026-2027", program="BLP")


@pytest.mark.parametrize(
    "completed,program,allowed",
    [
        ("BLP", "BLP", True),
        ("BLP", "AE_ELEM", True),
        ("AE_ELEM", "AE_ELEM", True),
        ("AE_ELEM", "BLP", False),
        ("AE_ELEM", "AE_JHS", True),
        ("AE_JHS", "AE_JHS", True),
        ("AE_JHS", "AE_ELEM", False),
        ("AE_JHS", "BLP", False),
    ],
)
def test_re_enrolment_rules(adult, cycles, benguet_clc, enrol_at, completed, program, allowed):
    enrol_at(adult, benguet_clc, program=completed, status=Enrolment.Status.COMPLETED)
    errors = errors_of(adult, cycles["SY 2026-2027"], program, date(2026, 8, 3))
    if allowed:
        assert errors == {}
    else:
        assert "cannot enrol in" in errors["program"]


def test_enrol_service_saves_and_logs(adult, cycles, benguet_clc, user_named):
    from wagtail.models import ModelLogEntry

    user = user_named("epsa.benguet")
    enrolment = services.enrol(
        adult,
        cycle=cycles["SY 2026-2027"],
        clc=benguet_clc,
        program="AE_JHS",
        delivery_mode="CBI",
        date_first_attendance=date(2026, 8, 3),
        user=user,
        channel="admin",
    )
    assert enrolment.enrolled_by == user
    assert ModelLogEntry.objects.filter(action="learners.enrol", object_id=str(adult.pk)).exists()
    with pytest.raises(ValidationError):
        services.enrol(
            adult,
            cycle=cycles["SY 2026-2027"],
            clc=benguet_clc,
            program="AE_JHS",
            delivery_mode="CBI",
            date_first_attendance=date(2026, 8, 4),
            user=user,
            channel="admin",
        )
    assert adult.enrolments.count() == 1
