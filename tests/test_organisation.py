"""The organisation, roles as Wagtail groups, and the one scope helper everything asks."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from organisation.models import (
    CommunityLearningCenter,
    District,
    Division,
    Region,
    Role,
    RoleAssignment,
)
from organisation.scope import scope_for


def test_demo_has_car_with_its_eight_divisions_and_their_units(demo):
    assert demo.code == "CAR"
    assert sorted(Division.objects.values_list("slug", flat=True)) == sorted(
        ["abra", "apayao", "baguio", "benguet", "ifugao", "kalinga", "mountain-province", "tabuk"]
    )
    for division in Division.objects.all():
        assert 2 <= division.districts.count() <= 3
    assert CommunityLearningCenter.objects.filter(district__division__slug="benguet").count() >= 3
    assert set(CommunityLearningCenter.objects.values_list("clc_type", flat=True)) == {
        1,
        2,
        3,
        4,
        5,
    }


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(django_user_model):
    # The session's world holds the demo organisation: start this test (rolled back) without it.
    django_user_model.objects.all().delete()
    for unit in (CommunityLearningCenter, District, Division, Region):
        unit.objects.all().delete()
    with override_settings(ALSMIS_ENVIRONMENT="production"), pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Region.objects.exists()


def test_demo_logins_exist_with_their_roles(demo, user_named, settings):
    for slug in ["abra", "benguet", "mountain-province", "tabuk"]:
        teacher = user_named(f"teacher.{slug}")
        assignment = teacher.role_assignments.get()
        assert assignment.role == Role.ALS_TEACHER
        assert assignment.district == Division.objects.get(slug=slug).districts.order_by("pk")[0]
        for prefix in ["records", "epsa", "focal", "lrqa"]:
            assert user_named(f"{prefix}.{slug}").role_assignments.get().division.slug == slug
    for username in ["records.region", "lrqa.region", "als.region", "sysadmin.region"]:
        assert user_named(username).role_assignments.get().region == demo
    assert user_named("admin").is_superuser
    assert user_named("lrqa.region").check_password(settings.DEMO_PASSWORD)


def test_every_role_is_a_wagtail_group_with_admin_access(demo, user_named):
    for role in Role:
        group = Group.objects.get(name=str(role.label))
        assert group.permissions.filter(codename="access_admin").exists()
    sysadmin_group = Group.objects.get(name=str(Role.SYSTEM_ADMINISTRATOR.label))
    assert sysadmin_group.permissions.filter(codename="change_division").exists()
    epsa_group = Group.objects.get(name=str(Role.EPSA.label))
    assert not epsa_group.permissions.filter(codename="change_division").exists()
    assert user_named("epsa.benguet").groups.filter(pk=epsa_group.pk).exists()


def test_removing_the_last_assignment_of_a_role_removes_the_group(demo, user_named):
    epsa = user_named("epsa.benguet")
    epsa.role_assignments.all().delete()
    assert not epsa.groups.filter(name=str(Role.EPSA.label)).exists()


def test_role_must_be_held_at_its_level(demo, user_named):
    benguet = Division.objects.get(slug="benguet")
    assignment = RoleAssignment(user=user_named("admin"), role=Role.ALS_TEACHER, division=benguet)
    with pytest.raises(ValidationError, match="district level"):
        assignment.full_clean()
    regional = RoleAssignment(user=user_named("admin"), role=Role.REGIONAL_ALS, region=demo)
    regional.full_clean()


def test_scope_follows_the_assignment_level(demo, user_named):
    benguet = Division.objects.get(slug="benguet")
    abra = Division.objects.get(slug="abra")

    epsa = scope_for(user_named("epsa.benguet"))
    assert set(epsa.divisions()) == {benguet}
    assert set(epsa.districts()) == set(benguet.districts.all())
    assert epsa.covers_division(benguet) and not epsa.covers_division(abra)

    teacher = scope_for(user_named("teacher.benguet"))
    first = benguet.districts.order_by("pk")[0]
    assert set(teacher.districts()) == {first}
    assert not teacher.covers_division(benguet)
    assert set(teacher.clcs()) == set(first.clcs.all())

    region = scope_for(user_named("als.region"))
    assert set(region.divisions()) == set(Division.objects.all())
    assert scope_for(user_named("admin")).is_global


def test_scope_can_count_only_some_roles(demo, user_named):
    benguet = Division.objects.get(slug="benguet")
    lrqa = user_named("lrqa.benguet")
    assert scope_for(lrqa, roles=[Role.LR_QA_REVIEWER]).covers_division(benguet)
    assert scope_for(lrqa, roles=[Role.RECORDS_SECTION]).is_empty


def test_scope_is_worked_out_once_per_user_object_until_an_assignment_changes(
    demo, user_named, django_assert_num_queries
):
    from organisation.services import assign_role

    regional = user_named("als.region")
    with django_assert_num_queries(3):  # assignments, the region's divisions, their districts
        first = scope_for(regional)
        assert scope_for(regional) == first
    with django_assert_num_queries(0):  # for some roles: from what the first call read
        assert scope_for(regional, roles=[Role.REGIONAL_ALS]) == first
        assert scope_for(regional, roles=(Role.REGIONAL_ALS,)) == first
        assert scope_for(regional, roles=Role.REGIONAL_ALS) == first

    teacher = user_named("teacher.benguet")
    benguet = Division.objects.get(slug="benguet")
    assert not scope_for(teacher).covers_division(benguet)
    assign_role(teacher, Role.EPSA, benguet)
    assert scope_for(teacher).covers_division(benguet)


def test_the_database_refuses_the_same_role_twice_at_the_same_unit(demo, user_named):
    """Region, division and district are nullable; the unique assignment holds on SQLite too."""
    from django.db import IntegrityError, transaction

    epsa = user_named("epsa.benguet")
    held = RoleAssignment.objects.filter(user=epsa).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=epsa,
            role=held.role,
            region=held.region,
            division=held.division,
            district=held.district,
        )
    other = Division.objects.exclude(pk=held.division_id).first()
    RoleAssignment.objects.create(user=epsa, role=held.role, division=other)
    # The admin's form says so in words.
    from organisation.views import RoleAssignmentForm

    form = RoleAssignmentForm(
        data={
            "user": epsa.pk,
            "role": held.role,
            "division": other.pk,
            "region": "",
            "district": "",
        }
    )
    assert not form.is_valid()
    assert "This person already holds this role at this unit." in str(form.errors)
