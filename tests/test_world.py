"""The test world (tests/conftest.py): seeded once, the same at the start of every test.

Each check runs twice in a row (parametrised, one worker: `xdist_group`): the second run starts
after the first changed the world, or after pytest-django emptied the database behind it.
"""

import pytest
from django.core.cache import cache

from home.models import HomePage
from organisation.models import Division, Region
from repository.models import Language

pytestmark = pytest.mark.xdist_group("test_world")
RUNS = pytest.mark.parametrize("run", ["first", "second"])


def assert_whole_world(django_user_model):
    assert Region.objects.filter(code="CAR").exists()
    assert Division.objects.get(slug="abra").name == "Abra"
    assert Division.objects.filter(region__code="CAR").count() == 8
    assert django_user_model.objects.filter(username__endswith=".benguet").count() == 5
    assert django_user_model.objects.get(username="epsa.benguet").role_assignments.exists()
    assert Language.objects.filter(code="english").exists()
    home = HomePage.objects.get()
    assert [page.slug for page in home.get_children().live()] == [
        "resources",
        "clmd",
        "issuances",
        "directory",
    ]


@RUNS
@pytest.mark.django_db
def test_a_test_changes_the_world_and_the_next_one_starts_from_it_again(run, django_user_model):
    assert_whole_world(django_user_model)
    assert Division.objects.get(slug="benguet").name == "Benguet"
    Division.objects.filter(slug="benguet").update(name="Changed by the first run")
    django_user_model.objects.filter(username="epsa.abra").delete()


@RUNS
@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_starts_with_the_whole_world(run, django_user_model):
    # The first run's database is emptied after it (pytest-django's flush, by DELETE here); the
    # second run finds the world seeded again, and nothing else.
    assert_whole_world(django_user_model)
    assert not django_user_model.objects.filter(username="left.behind").exists()
    django_user_model.objects.create_user("left.behind")
    Division.objects.filter(slug="abra").update(name="Committed by the first run")
    assert Division.objects.get(slug="abra").name == "Committed by the first run"


@RUNS
def test_the_default_cache_starts_empty(run):
    assert cache.get("tests.world") is None
    cache.set("tests.world", run)


def test_the_lookup_fixtures_return_the_seeded_objects(demo, site_tree, user_named):
    assert demo.code == "CAR"
    assert site_tree.get_parent().depth == 1
    assert user_named("teacher.benguet").role_assignments.get().district.division.slug == "benguet"


@RUNS
@pytest.mark.django_db
def test_each_test_starts_in_the_default_language(run, client):
    from django.utils import translation

    assert translation.get_language() == "en"
    # A request for a Filipino page leaves Filipino active in this thread after it.
    client.get("/fil/")
    assert translation.get_language() == "fil"
