"""Fixtures for the micro-credentials tests: an achievement, Benguet learners, a prepared batch."""

from datetime import date

import pytest


@pytest.fixture
def achievement(db):
    """A 360° life-skill achievement with three competency elements, pass 3 each and mean 3."""
    from credentials.models import Achievement

    return Achievement.objects.create(
        slug="test-communication",
        name="Communication",
        description="Communicates clearly.",
        competency_elements="Listens actively\nSpeaks clearly\nWrites a short letter",
        learning_strand="LS1 Communication Skills",
        pqf_level=1,
        criteria_narrative="Rated 3 or more on every element by every rater.",
        assessment_method="360° assessment",
        raters=["self", "teacher", "community"],
        pass_minimum=3,
        pass_mean=3,
        certificate_wording="has demonstrated communication skills",
    )


@pytest.fixture
def benguet(demo):
    from organisation.models import Division

    return Division.objects.get(slug="benguet")


@pytest.fixture
def benguet_learners(benguet):
    """Three learners held by Benguet."""
    from learners.models import Learner

    people = [
        ("136512259001", "Bagtang", "Maria"),
        ("136512259002", "Dalisay", "Pedro"),
        ("136512259003", "Cosalan", "Ana"),
    ]
    return [
        Learner.objects.create(
            lrn=lrn,
            last_name=last,
            first_name=first,
            birthdate=date(2004, 5, 1),
            sex="F",
            division=benguet,
        )
        for lrn, last, first in people
    ]


@pytest.fixture
def rate(user_named):
    """Rate a learner on every element of an achievement: rate(learner, achievement, 4, 3, 3)."""
    from credentials.services import record_assessment

    def rate_all(learner, achievement, self_rating, teacher_rating, community_rating, user=None):
        user = user or user_named("focal.benguet")
        for element in achievement.elements:
            record_assessment(
                user,
                learner,
                achievement,
                element,
                self_rating=self_rating,
                teacher_rating=teacher_rating,
                community_rating=community_rating,
                assessed_on=date(2025, 11, 20),
            )

    return rate_all


@pytest.fixture
def batch(user_named, benguet, achievement, benguet_learners):
    """A batch prepared by focal.benguet: the three learners, each with a narrative."""
    from credentials.services import prepare_batch

    return prepare_batch(
        user_named("focal.benguet"),
        division=benguet,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 19),
        venue="La Trinidad Municipal Gym",
        signatories=[{"name": "Juana Santos", "position": "Schools Division Superintendent"}],
        members=[
            (learner, f"{learner.first_name} {learner.last_name}", "Led the barangay clean-up.")
            for learner in benguet_learners
        ],
    )


@pytest.fixture
def merged_rosa(benguet, user_named):
    """Rosa Tindaan of Benguet, whose second record (LRN 136512259050) was merged into hers:
    (the surviving learner, the merged-away LRN)."""
    from learners.models import Learner
    from learners.services import merge_learners

    survivor = Learner.objects.create(
        lrn="136512259040",
        last_name="Tindaan",
        first_name="Rosa",
        birthdate=date(2002, 7, 7),
        sex="F",
        division=benguet,
    )
    duplicate = Learner.objects.create(
        lrn="136512259050",
        last_name="Tindaan",
        first_name="Rosa",
        birthdate=date(2002, 7, 7),
        sex="F",
        division=benguet,
    )
    merge_learners(survivor, duplicate, user=user_named("focal.benguet"), reason="RF01 test")
    return Learner.objects.get(pk=survivor.pk), "136512259050"
