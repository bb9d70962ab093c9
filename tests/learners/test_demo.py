"""The demo learners: idempotent, in Benguet, with one near-duplicate pair."""

import pytest

from learners import services
from learners.demo import seed_learners
from learners.models import Enrolment, Learner

pytestmark = pytest.mark.django_db


def test_seed_learners_is_idempotent_and_has_a_near_duplicate_pair(demo):
    seed_learners()
    counts = (Learner.objects.count(), Enrolment.objects.count())
    seed_learners()
    assert (Learner.objects.count(), Enrolment.objects.count()) == counts == (5, 5)
    assert set(Enrolment.objects.values_list("clc__district__division__slug", flat=True)) == {
        "benguet"
    }
    juan = Learner.objects.get(lrn="136512250001")
    near = services.near_duplicates(
        juan.last_name, juan.first_name, juan.birthdate, exclude_pk=juan.pk
    )
    assert [m.learner.lrn for m in near] == ["136512250104"]
