"""Name search ignores case, accents and spacing, and finds near matches; LRN search uses aliases."""

from datetime import date

import pytest

from learners import services
from learners.models import LearnerAlias
from learners.search_keys import fold_name, phonetic

pytestmark = pytest.mark.django_db


def lrns(matches):
    return [m.learner.lrn for m in matches]


@pytest.fixture
def juan(make_learner):
    return make_learner("136512250001", "Dela Cruz", "Juan", date(2006, 3, 14))


@pytest.fixture
def others(make_learner):
    make_learner("136512250002", "Bayang", "Maria", date(2010, 9, 2), sex="F")
    make_learner("136512250003", "Delos Santos", "Jose", date(1999, 1, 1))
    make_learner("136512250004", "Cruz", "Juana", date(1980, 5, 5), sex="F")


def test_keys_fold_case_accents_and_spacing():
    assert fold_name("Dela Cruz") == fold_name("de la Cruz") == fold_name("DelaCruz") == "delacruz"
    assert fold_name("Peña-Niño") == "penanino"
    assert phonetic("Rodriguez") == phonetic("Rodrigues")


def test_one_edit_or_one_swap_of_adjacent_letters_differs_by_one_letter(juan, others):
    for last, first in [("Dela Crus", "Juan"), ("Dela Cruz", "Jaun"), ("Dela Cruz", "Jua")]:
        assert "differs by one letter" in services.search_by_name(last, first)[0].reasons
    # Two edits (r moved two places) are not "one letter", and the keys do not sound alike.
    reasons = services.search_by_name("Dela Cuzr", "Juan")[0].reasons
    assert "differs by one letter" not in reasons and "sounds alike" not in reasons


@pytest.mark.parametrize(
    "last,first",
    [
        ("Dela Cruz", "Juan"),
        ("de la cruz", "JUAN"),
        ("DelaCruz", "Juan"),
        ("Déla Crúz", "Juán"),
        ("Juan", "Dela Cruz"),  # swapped first and last name
        ("Dela Crus", "Juan"),  # one-letter typo
        ("Dela Cruz", "Jaun"),  # transposed letters
        ("Gela Cruz", "Juan"),  # typo in the first letter
        ("Dela Cruz", ""),  # last name only
    ],
)
def test_name_variants_find_the_learner_first(juan, others, last, first):
    matches = services.search_by_name(last, first)
    assert lrns(matches)[0] == "136512250001"
    assert matches[0].is_near_duplicate


def test_reasons_explain_the_match(juan, others):
    assert "first and last name swapped" in services.search_by_name("Juan", "Dela Cruz")[0].reasons
    assert "differs by one letter" in services.search_by_name("Dela Crus", "Juan")[0].reasons
    best = services.search_by_name("Dela Cruz", "Juan", date(2006, 3, 14))[0]
    assert best.reasons == ["same name", "same birthdate"]


def test_same_birthdate_with_a_matching_name_part_is_a_near_duplicate(juan, others):
    # A different first name alone is not enough; with the same birthdate it is flagged.
    assert not [m for m in services.search_by_name("Dela Cruz", "Pedro") if m.is_near_duplicate]
    near = services.near_duplicates("Dela Cruz", "Pedro", date(2006, 3, 14))
    assert lrns(near) == ["136512250001"]
    assert "same birthdate" in near[0].reasons


def test_unrelated_names_are_not_near_duplicates(juan, others):
    assert services.near_duplicates("Bayang", "Pedro", date(2001, 1, 1)) == []
    assert services.near_duplicates("Tindaan", "Grace") == []


def test_search_reads_no_encrypted_column(juan, django_assert_num_queries):
    juan.religion = "Anglican"
    juan.save()
    with django_assert_num_queries(1) as captured:
        services.search_by_name("Dela Cruz", "Juan")
    sql = captured.captured_queries[0]["sql"]
    assert "religion" not in sql and "address" not in sql


def test_search_by_lrn_and_by_alias(juan):
    assert services.find_by_lrn("136512250001") == juan
    LearnerAlias.objects.create(lrn="136512250104", learner=juan)
    assert services.find_by_lrn("136512250104") == juan
    assert services.find_by_lrn("999999999999") is None
    assert services.lrn_in_use("136512250104")


def test_search_is_limited_to_the_queryset_given(juan, others):
    from learners.models import Learner

    only_others = Learner.objects.exclude(pk=juan.pk)
    assert "136512250001" not in lrns(
        services.search_by_name("Dela Cruz", "Juan", queryset=only_others)
    )
