"""The division-wide report of likely duplicate learners (issue 16, part 5): pairs the
enrolment's near-duplicate rule calls alike, ranked, scoped to the divisions a user oversees,
logged, with the registry's merge one link away."""

from datetime import date

import pytest
from django.core.cache import cache

from learners import duplicates, services
from learners.models import Learner, LearnerAccessLog, LearnerAlias

pytestmark = pytest.mark.django_db

VARIANTS = [
    # lrn, last, first, birthdate: each of the first eight is a near match of the first.
    ("136512700001", "Dela Cruz", "Juan", date(2006, 3, 14)),
    ("136512700002", "de la CRUZ", "Juán", date(2007, 1, 1)),  # case, spacing, accents
    ("136512700003", "Juan", "Dela Cruz", date(2007, 2, 2)),  # swapped
    ("136512700004", "Dela Crus", "Juan", date(2007, 3, 3)),  # one letter
    ("136512700005", "Dela Cruz", "Jaun", date(2007, 4, 4)),  # transposed
    ("136512700006", "Gela Cruz", "Juan", date(2007, 5, 5)),  # first-letter typo
    ("136512700007", "Dela Cruz", "Pedro", date(2006, 3, 14)),  # same birthdate
    ("136512700008", "Bayang", "Maria", date(2010, 9, 2)),
    ("136512700009", "Bayang", "Marya", date(2011, 9, 2)),  # sounds alike
    ("136512700010", "Tindaan", "Grace", date(1990, 1, 1)),  # nobody's duplicate
]


@pytest.fixture
def benguet_learners(benguet_clc, abra_clc):
    made = [
        Learner.objects.create(
            lrn=lrn,
            last_name=last,
            first_name=first,
            birthdate=born,
            sex="M",
            division=benguet_clc.district.division,
        )
        for lrn, last, first, born in VARIANTS
    ]
    # Abra's near twin of Juan is another division's record: never paired with Benguet's.
    Learner.objects.create(
        lrn="136512700011",
        last_name="Dela Cruz",
        first_name="Juan",
        birthdate=date(2006, 3, 14),
        sex="M",
        division=abra_clc.district.division,
    )
    cache.clear()
    return made


def lrn_pairs(pairs):
    return {frozenset((p.first.lrn, p.second.lrn)) for p in pairs}


def test_the_report_finds_what_the_enrolment_rule_finds_in_the_division(benguet_learners):
    division = benguet_learners[0].division
    found = duplicates.find_pairs(Learner.objects.filter(division=division))
    # The enrolment's warning, searched for every learner, restricted to the division.
    expected = set()
    for learner in benguet_learners:
        for match in services.near_duplicates(
            learner.last_name, learner.first_name, learner.birthdate, exclude_pk=learner.pk
        ):
            if match.learner.division_id == division.pk:
                expected.add(frozenset((learner.lrn, match.learner.lrn)))
    assert lrn_pairs(found) == expected
    juan = "136512700001"
    for lrn in ("136512700002", "136512700003", "136512700004", "136512700005"):
        assert frozenset((juan, lrn)) in expected
    assert frozenset((juan, "136512700006")) in expected
    assert frozenset((juan, "136512700007")) in expected
    assert frozenset(("136512700008", "136512700009")) in expected
    assert not any("136512700010" in pair for pair in expected)
    # Most alike first; the record registered first is the one that prevails.
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    assert all(p.first.created_at <= p.second.created_at for p in found)


def letters(number, length):
    """A made-up name part from a number ("baba", "babe", ...): names fold to letters only."""
    syllables = ["ba", "ke", "li", "mo", "nu", "pa", "ri", "so", "tu", "wa"]
    return "".join(syllables[(number // 10**i) % 10] for i in range(length)).capitalize()


def test_blocking_scores_few_of_the_possible_pairs(monkeypatch):
    learners = []
    for index in range(400):
        learner = Learner(
            pk=index + 1,
            lrn=str(136512800000 + index),
            last_name=letters(index * 7919 % 1000, 3),
            first_name=letters(index % 13, 2),
            birthdate=date(1980, 1, 1).replace(day=1 + index % 28, month=1 + index % 12),
        )
        learner.refresh_search_keys()
        learners.append(learner)
    scored = []
    real = services.pair_score
    monkeypatch.setattr(services, "pair_score", lambda *args: scored.append(1) or real(*args))
    duplicates.find_pairs(learners)
    # Two scorings (bound, then the rule) per pair at most; far from 400 * 399 / 2 = 79,800.
    assert len(scored) < 79800 / 10


def test_the_focal_person_sees_the_divisions_pairs_and_merges_one(
    client, user_named, benguet_learners
):
    focal = user_named("focal.benguet")
    client.force_login(focal)
    html = client.get("/admin/learners/duplicates/").content.decode()
    assert 'data-testid="duplicate-pairs"' in html
    assert "136512700011" not in html  # Abra's record
    merge_link = "/admin/learners/merge/?lrn_a=136512700001&amp;lrn_b=136512700002"
    assert merge_link in html
    logged = set(
        LearnerAccessLog.objects.filter(username="focal.benguet").values_list("lrn", flat=True)
    )
    assert {"136512700001", "136512700002", "136512700009"} <= logged

    form = client.get(merge_link.replace("&amp;", "&")).content.decode()
    assert 'value="136512700001"' in form and 'value="136512700002"' in form
    response = client.post(
        "/admin/learners/merge/",
        {"lrn_a": "136512700001", "lrn_b": "136512700002", "reason": "RF01-7", "confirmed": "on"},
    )
    assert response.status_code == 302
    assert LearnerAlias.objects.get(lrn="136512700002").learner.lrn == "136512700001"
    after = client.get("/admin/learners/duplicates/").content.decode()
    assert "lrn_b=136512700002" not in after and "lrn_b=136512700003" in after


def test_the_report_is_scoped_like_the_merge(client, user_named, benguet_learners):
    client.force_login(user_named("focal.benguet"))
    assert client.get("/admin/learners/duplicates/?division=abra").status_code == 404
    # EPSA enrols but does not merge: no report.
    client.force_login(user_named("epsa.benguet"))
    assert client.get("/admin/learners/duplicates/").status_code in (302, 403)
    # The system administrator chooses among the region's divisions.
    client.force_login(user_named("sysadmin.region"))
    html = client.get("/admin/learners/duplicates/?division=benguet").content.decode()
    assert 'id="duplicates-division"' in html and "136512700003" in html
