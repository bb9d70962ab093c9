"""The demo: the four life skills and a small issued Benguet batch, idempotent."""

import pytest

from credentials.demo import DEMO_BATCH_FILE, seed_credentials
from credentials.models import Achievement, Award, AwardBatch, BatchState

pytestmark = pytest.mark.django_db


def test_the_four_life_skills_and_an_issued_batch_idempotently(demo):
    from learners.demo import seed_learners

    seed_learners()
    seed_credentials()
    seed_credentials()
    skills = Achievement.objects.filter(
        slug__in=["communication", "collaboration", "problem-solving", "leadership"]
    )
    assert skills.count() == 4
    for skill in skills:
        assert skill.raters == ["self", "teacher", "community"]
        assert skill.name_fil and skill.certificate_wording_fil and skill.description_fil
        assert len(skill.elements) == 3
        assert skill.learning_strand.startswith("LS")
    assert Achievement.objects.get(slug="leadership").name_fil == "Pamumuno"
    batch = AwardBatch.objects.get(source_name=DEMO_BATCH_FILE)
    assert batch.state == BatchState.ISSUED
    assert batch.division.slug == "benguet"
    awards = Award.objects.filter(batch=batch)
    assert awards.count() == 3
    assert sum(award.evidence.startswith("Assessed by self") for award in awards) == 1
