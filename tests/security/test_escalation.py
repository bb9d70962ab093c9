"""Privilege escalation through the user and role-assignment screens is refused (issue 11, Access).

Only a superuser may grant or hold superuser status, edit a superuser or give a group they do not
hold; nobody grants themselves more; role assignments stay inside the granter's scope. Every
refused POST writes nothing.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from organisation.models import Division, Role, RoleAssignment
from organisation.roles import group_for

STRONG = "Correct-Horse-Battery-Staple-2026"


@pytest.fixture
def as_user(client, user_named):
    def login(username):
        client.force_login(user_named(username))
        return client

    return login


def refused(response):
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def new_user_data(username, **extra):
    data = {
        "username": username,
        "email": f"{username}@deped-car.example",
        "first_name": "New",
        "last_name": "Person",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(extra)
    return data


def edit_data(user, **extra):
    data = {
        "username": user.username,
        "email": user.email or f"{user.username}@deped-car.example",
        "first_name": user.first_name or "First",
        "last_name": user.last_name or "Last",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(extra)
    return data


# --- superuser status -----------------------------------------------------------------------


def test_sysadmin_never_sees_the_administrator_checkbox(as_user):
    client = as_user("sysadmin.region")
    response = client.get(reverse("wagtailusers_users:add"))
    assert response.status_code == 200
    assert 'name="is_superuser"' not in response.content.decode()


def test_sysadmin_cannot_create_a_superuser(as_user, django_user_model):
    client = as_user("sysadmin.region")
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("mallory", is_superuser="on")
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Only a superuser may grant superuser status." in response.content.decode()
    assert not django_user_model.objects.filter(username="mallory").exists()


def test_sysadmin_cannot_make_an_existing_user_superuser(as_user, user_named):
    client = as_user("sysadmin.region")
    epsa = user_named("epsa.benguet")
    response = client.post(
        reverse("wagtailusers_users:edit", args=[epsa.pk]), edit_data(epsa, is_superuser="on")
    )
    assert response.status_code == 200
    epsa.refresh_from_db()
    assert not epsa.is_superuser


def test_sysadmin_cannot_open_or_change_a_superuser(as_user, user_named, django_user_model):
    client = as_user("sysadmin.region")
    admin = user_named("admin")
    url = reverse("wagtailusers_users:edit", args=[admin.pk])
    assert refused(client.get(url))
    response = client.post(
        url, edit_data(admin, password1="Owned-By-Mallory-2026", password2="Owned-By-Mallory-2026")
    )
    assert refused(response)
    admin.refresh_from_db()
    assert admin.check_password(settings.DEMO_PASSWORD)
    assert admin.is_active and admin.is_superuser
    assert refused(client.post(reverse("wagtailusers_users:delete", args=[admin.pk])))
    assert django_user_model.objects.filter(pk=admin.pk).exists()


def test_the_user_list_does_not_link_a_superuser_for_a_sysadmin(as_user, user_named):
    client = as_user("sysadmin.region")
    admin = user_named("admin")
    response = client.get(reverse("wagtailusers_users:index"), {"q": "admin"})
    assert response.status_code == 200
    assert reverse("wagtailusers_users:edit", args=[admin.pk]) not in response.content.decode()


def test_sysadmin_cannot_deactivate_a_superuser_in_bulk(as_user, user_named):
    client = as_user("sysadmin.region")
    admin = user_named("admin")
    url = reverse("wagtail_bulk_action", args=["wagtailusers", "user", "set_active_state"])
    client.post(f"{url}?id={admin.pk}", {"mark_as_active": "False"})
    admin.refresh_from_db()
    assert admin.is_active


# --- groups ---------------------------------------------------------------------------------


def test_sysadmin_cannot_give_a_group_they_do_not_hold(as_user, django_user_model):
    client = as_user("sysadmin.region")
    epsa_group = group_for(Role.EPSA)
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("mallory", groups=[epsa_group.pk])
    )
    assert response.status_code == 200
    assert not django_user_model.objects.filter(username="mallory").exists()


def test_sysadmin_cannot_give_themselves_a_group(as_user, user_named):
    client = as_user("sysadmin.region")
    me = user_named("sysadmin.region")
    editors = Group.objects.get_or_create(name="Editors")[0]
    wanted = [*me.groups.values_list("pk", flat=True), editors.pk, group_for(Role.EPSA).pk]
    client.post(reverse("wagtailusers_users:edit", args=[me.pk]), edit_data(me, groups=wanted))
    assert not me.groups.filter(pk__in=[editors.pk, group_for(Role.EPSA).pk]).exists()


def test_sysadmin_cannot_assign_a_group_in_bulk_that_they_do_not_hold(as_user, user_named):
    client = as_user("sysadmin.region")
    me = user_named("sysadmin.region")
    editors = Group.objects.get_or_create(name="Editors")[0]
    url = reverse("wagtail_bulk_action", args=["wagtailusers", "user", "assign_role"])
    client.post(f"{url}?id={me.pk}", {"role": editors.pk})
    assert not me.groups.filter(pk=editors.pk).exists()


def test_sysadmin_may_give_a_group_they_hold(as_user, django_user_model):
    client = as_user("sysadmin.region")
    sysadmin_group = group_for(Role.SYSTEM_ADMINISTRATOR)
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("helper", groups=[sysadmin_group.pk])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = django_user_model.objects.get(username="helper")
    assert list(created.groups.all()) == [sysadmin_group]
    assert not created.is_superuser


def test_editing_a_user_keeps_the_groups_the_editor_cannot_give(as_user, user_named):
    client = as_user("sysadmin.region")
    epsa = user_named("epsa.benguet")
    response = client.post(
        reverse("wagtailusers_users:edit", args=[epsa.pk]),
        edit_data(epsa, groups=[], first_name="Renamed"),
    )
    assert response.status_code == 302
    epsa.refresh_from_db()
    assert epsa.first_name == "Renamed"
    assert epsa.groups.filter(pk=group_for(Role.EPSA).pk).exists()


# --- role assignments -----------------------------------------------------------------------


def assignment_data(user, role, **unit):
    return {"user": user.pk, "role": role, "region": "", "division": "", "district": "", **unit}


def test_sysadmin_cannot_assign_a_role_to_themselves(as_user, user_named):
    client = as_user("sysadmin.region")
    me = user_named("sysadmin.region")
    benguet = Division.objects.get(slug="benguet")
    before = RoleAssignment.objects.count()
    response = client.post(
        reverse("role_assignments:add"), assignment_data(me, Role.EPSA, division=benguet.pk)
    )
    assert response.status_code == 200
    assert RoleAssignment.objects.count() == before
    assert not me.role_assignments.filter(role=Role.EPSA).exists()


def test_sysadmin_cannot_assign_a_role_to_a_superuser(as_user, user_named):
    client = as_user("sysadmin.region")
    admin = user_named("admin")
    benguet = Division.objects.get(slug="benguet")
    response = client.post(
        reverse("role_assignments:add"), assignment_data(admin, Role.EPSA, division=benguet.pk)
    )
    assert response.status_code == 200
    assert not admin.role_assignments.exists()


def test_sysadmin_may_assign_a_role_in_their_region(as_user, user_named, django_user_model):
    client = as_user("sysadmin.region")
    newcomer = django_user_model.objects.create_user("newcomer", password=STRONG)
    benguet = Division.objects.get(slug="benguet")
    response = client.post(
        reverse("role_assignments:add"), assignment_data(newcomer, Role.EPSA, division=benguet.pk)
    )
    assert response.status_code == 302
    assert newcomer.role_assignments.get().division == benguet


def test_focal_person_sees_but_cannot_grant_role_assignments(as_user, user_named):
    client = as_user("focal.benguet")
    newcomer = user_named("teacher.abra")
    benguet = Division.objects.get(slug="benguet")
    listing = client.get(reverse("role_assignments:index"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "epsa.benguet" in text and "epsa.abra" not in text
    response = client.post(
        reverse("role_assignments:add"), assignment_data(newcomer, Role.EPSA, division=benguet.pk)
    )
    assert refused(response)
    assert not newcomer.role_assignments.filter(role=Role.EPSA).exists()


def test_focal_person_cannot_open_another_divisions_assignment(as_user, user_named):
    client = as_user("focal.benguet")
    abra = user_named("epsa.abra").role_assignments.get()
    assert client.get(reverse("role_assignments:edit", args=[abra.pk])).status_code == 404
    own = user_named("epsa.benguet").role_assignments.get()
    assert refused(client.get(reverse("role_assignments:edit", args=[own.pk])))


# --- a superuser may do all of it --------------------------------------------------------------


def test_superuser_may_create_a_superuser_and_set_a_superusers_password(
    as_user, user_named, django_user_model
):
    client = as_user("admin")
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("second_admin", is_superuser="on")
    )
    assert response.status_code == 302
    second = django_user_model.objects.get(username="second_admin")
    assert second.is_superuser
    response = client.post(
        reverse("wagtailusers_users:edit", args=[second.pk]),
        edit_data(
            second,
            is_superuser="on",
            password1="Another-Long-Pass-2026",
            password2="Another-Long-Pass-2026",
        ),
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.check_password("Another-Long-Pass-2026")
    epsa_group = group_for(Role.EPSA)
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("given", groups=[epsa_group.pk])
    )
    assert response.status_code == 302
    assert django_user_model.objects.get(username="given").groups.filter(pk=epsa_group.pk).exists()
